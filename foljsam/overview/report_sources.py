"""What the reports (foljsam/reports/sources.py) take from the provider overview: the national user
survey "Vad tycker de äldre om äldreomsorgen?" per question, for the quality report."""

from django.db.models import Avg, Count

from .models import SurveyResult


def survey_results(*, year: int) -> list[dict]:
    """Per question: the number of units with a result and their mean share of positive answers."""
    rows = (SurveyResult.objects.filter(year=year).values("question")
            .annotate(units=Count("unit", distinct=True), share=Avg("share_positive")).order_by("question"))
    return [{"question": r["question"], "units": r["units"], "share_positive": round(r["share"], 1)} for r in rows]
