"""The public pages served from the worker's memory (comparison/fastpath.py, issue 13 part 5): no
session, no user, no query once stored; a publish or withdraw in any process reaches them at once."""

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from foljsam.comparison import fastpath, services
from foljsam.comparison.models import Publication

from .test_comparison import published  # noqa: F401 – the fixture

OK, NOT_FOUND = 200, 404


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


def test_stored_page_needs_no_query_no_session_and_keeps_headers(published, client,  # noqa: F811
                                                                 django_assert_num_queries):
    url = f"/jamfor/{published.area.code}/?lang=en"
    first = client.get(url)
    assert first.status_code == OK
    with django_assert_num_queries(0):
        again = client.get(url)
    assert again.content == first.content
    for header in ("Content-Security-Policy", "X-Frame-Options", "Content-Language", "Cache-Control",
                   "Content-Type", "X-Content-Type-Options"):
        assert again[header] == first[header], header
    assert again["Content-Language"] == "en"
    assert not again.cookies


def test_without_the_fast_path_each_request_queries(published, client, settings,  # noqa: F811
                                                   django_assert_max_num_queries):
    # The injected failure: with the stored copies off the page asks the database every time.
    settings.FOLJSAM_PUBLIC_CACHE_SECONDS = 0
    url = f"/jamfor/{published.area.code}/"
    client.get(url)
    with pytest.raises(pytest.fail.Exception):
        with django_assert_max_num_queries(0):
            client.get(url)


def test_withdrawal_in_another_process_reaches_stored_pages(published, world):  # noqa: F811
    url = f"/jamfor/{published.area.code}/"
    browser = Client()
    assert browser.get(url).status_code == OK
    # Another process withdraws: this worker sees no signal, only the stamp file it replaced.
    Publication.objects.filter(pk=published.pk).update(withdrawn_at=timezone.now())
    assert browser.get(url).status_code == OK  # the stamp is unchanged: the stored copy (bounded by seconds)
    fastpath.bump_stamp()
    assert browser.get(url).status_code == NOT_FOUND


def test_publish_and_withdraw_replace_the_stamp(published, world):  # noqa: F811
    before = fastpath.stamp()
    services.publication_withdraw(publication=published, by=world.officer)
    after_withdraw = fastpath.stamp()
    assert after_withdraw != before
    services.publication_create(area=world.area, period="2026-Q3", by=world.officer)
    assert fastpath.stamp() != after_withdraw


def test_other_query_values_take_the_full_stack(published, client):  # noqa: F811
    url = f"/jamfor/{published.area.code}/"
    client.get(url)
    assert client.get(url + "?lang=%00").status_code == 400  # RejectNulMiddleware still answers
    assert client.get(url + "?x=1").status_code == OK
