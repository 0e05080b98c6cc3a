"""Pages made cheaper for load (issue 12 item 11): the deviation list in pages, and pages whose HTML is
kept per data version stay per user and current."""

from foljsam.actions.models import Deviation, Source
from foljsam.actions.views import DEVIATIONS_PER_PAGE
from foljsam.registry.models import Provider


def _deviations(world, n):
    for i in range(n):
        Deviation.objects.create(provider=world.provider_a, source=Source.MONTHLY, requirement=f"Krav {i:03d}",
                                 text="x", created_by=world.officer)


def test_deviation_list_in_pages_keeps_filters(world, client):
    _deviations(world, DEVIATIONS_PER_PAGE + 3)
    client.force_login(world.officer)
    first = client.get("/avvikelser/?kalla=monthly&oppna=1")
    assert first.status_code == 200
    assert len(first.context["deviations"]) == DEVIATIONS_PER_PAGE
    assert "kalla=monthly&amp;oppna=1&amp;sida=2" in first.content.decode()
    second = client.get("/avvikelser/?kalla=monthly&oppna=1&sida=2")
    assert len(second.context["deviations"]) == 3
    assert client.get("/avvikelser/?sida=x").status_code == 200  # a bad page number is the first page


def test_provider_page_is_kept_per_user(world, client):
    client.force_login(world.officer)
    url = f"/utforare/{world.provider_a.pk}/"
    assert f"/utforare/{world.provider_a.pk}/andra/" in client.get(url).content.decode()
    client.force_login(world.user_a)
    assert f"/utforare/{world.provider_a.pk}/andra/" not in client.get(url).content.decode()


def test_provider_page_and_list_show_a_saved_change_at_once(world, client):
    client.force_login(world.officer)
    client.get(f"/utforare/{world.provider_a.pk}/")
    client.get("/utforare/")
    provider = Provider.objects.get(pk=world.provider_a.pk)
    provider.name = "Nytt Namn AB"
    provider.save()  # audited: a new data version
    assert "Nytt Namn AB" in client.get(f"/utforare/{world.provider_a.pk}/").content.decode()
    assert "Nytt Namn AB" in client.get("/utforare/").content.decode()
    assert "Nytt Namn AB" in client.get("/utforare/", HTTP_HX_REQUEST="true").content.decode()
