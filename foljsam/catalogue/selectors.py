"""Reads of the requirement catalogue (the catalogue is not provider-bound: staff see all of it)."""

from .models import Catalogue, rated_q


def checkable(catalogue: Catalogue) -> dict:
    """Issue 11 item 7: which requirements say how they are checked, and how many can be shown to
    be met by more than the provider's own answer. {"total", "ok", "problems": {pk: code}}."""
    problems, total = {}, 0
    for req in catalogue.requirements():
        total += 1
        problem = req.check_problem()
        if problem:
            problems[req.pk] = problem
    return {"total": total, "ok": total - len(problems), "problems": problems}


def rated_requirements(catalogue: Catalogue):
    return catalogue.requirements().filter(rated_q())
