"""courses.sites: the site and home page of a host are looked up once, and again after a change."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from wagtail.models import Site

from courses import sites

pytestmark = pytest.mark.django_db


def lookups(client, url="/", **headers):
    """The page's text and how many of its queries read sites or the home page."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **headers)
    assert response.status_code == 200
    site_reads = [
        q["sql"]
        for q in queries
        if "wagtailcore_site" in q["sql"] or "courses_homepage" in q["sql"]
    ]
    return response.text, len(site_reads)


def test_a_host_is_looked_up_once(client, home, course):
    assert lookups(client)[1] == 2  # the site, then its specific home page
    assert lookups(client)[1] == 0
    assert lookups(client, course.url)[1] == 0


def test_moving_or_deleting_the_site_shows_at_once(client, home, catalog):
    lookups(client)
    site = Site.objects.get(is_default_site=True)
    site.root_page = catalog
    site.save()

    text, site_reads = lookups(client)
    assert site_reads > 0 and "<h1>Courses</h1>" in text

    site.delete()
    assert client.get("/").status_code == 404


def test_editing_the_home_page_shows_without_publishing(client, home):
    lookups(client)
    home.tagline = "Prioritise like you mean it."
    home.save()

    assert "Prioritise like you mean it." in lookups(client)[0]


@override_settings(ALLOWED_HOSTS=["testserver", "academy.example", ".example"])
def test_each_host_gets_its_own_site(client, home, catalog):
    Site.objects.create(hostname="academy.example", port=80, root_page=catalog, site_name="Academy")
    lookups(client)
    lookups(client, HTTP_HOST="academy.example")

    assert home.tagline in lookups(client)[0]
    text, site_reads = lookups(client, HTTP_HOST="academy.example")
    assert site_reads == 0 and "<h1>Courses</h1>" in text and home.tagline not in text

    for n in range(sites.MAX_HOSTS + 5):
        lookups(client, HTTP_HOST=f"host{n}.example")
    assert len(sites._memo) <= sites.MAX_HOSTS


def test_a_cleared_cache_never_brings_back_an_old_answer(client, home, catalog):
    lookups(client)
    # Change the site behind the receivers' back, then lose the cache (a restart, an eviction):
    # the generation starts afresh, so the remembered site cannot match it.
    Site.objects.filter(is_default_site=True).update(root_page=catalog)
    cache.clear()

    assert "<h1>Courses</h1>" in lookups(client)[0]


@override_settings(PMA_PAGE_CACHE=False)
def test_without_the_page_cache_wagtail_looks_the_site_up_every_time(client, home):
    lookups(client)
    assert lookups(client)[1] == 2
