"""Cursor pagination over 250 enrolments (complete, no repeats, stable under inserts, queries
constant in page size), and the per-token rate limit answering 429 with Retry-After."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from courses.models import Enrolment
from tests.api.conftest import make_token
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def enrol_many(course, count: int, *, start: int = 0):
    """`count` learners enrolled a second apart (some at the same second: keys may tie)."""
    base = timezone.now() - timedelta(days=1)
    users = [
        UserFactory.build(username=f"l{n}", email=f"learner{n:03}@example.org")
        for n in range(start, start + count)
    ]
    for user in users:
        user.set_unusable_password()
    from accounts.models import User

    created = User.objects.bulk_create(users)
    Enrolment.objects.bulk_create(
        Enrolment(learner=user, course=course, enrolled_at=base + timedelta(seconds=n // 3))
        for n, user in enumerate(created, start=start)
    )


def walk(api, url, **params):
    """Every row through the `next` links, and the number of pages."""
    rows, pages = [], 0
    response = api.get(url, **params)
    while True:
        assert response.status_code == 200, response.content
        body = response.json()
        rows += body["results"]
        pages += 1
        if body["next"] is None:
            assert body["next_cursor"] is None
            return rows, pages
        response = api.client.get(body["next"], **api._headers())


def test_250_enrolments_come_in_pages_each_once_in_order(api_as, instructor, course):
    enrol_many(course, 250)
    rows, pages = walk(api_as(instructor), f"/api/v1/courses/{course.pk}/enrolments", page_size=100)
    assert pages == 3
    emails = [row["learner"]["email"] for row in rows]
    assert emails == [f"learner{n:03}@example.org" for n in range(250)]
    assert len({row["id"] for row in rows}) == 250


def test_rows_added_while_paging_neither_shift_nor_repeat_a_page(api_as, instructor, course):
    enrol_many(course, 250)
    api = api_as(instructor)
    first = api.get(f"/api/v1/courses/{course.pk}/enrolments", page_size=100).json()
    # Learners enrolled now sort after everyone already listed; the rest of the walk still sees
    # each row once, and the new ones at the end.
    enrol_many(course, 5, start=250)
    Enrolment.objects.filter(learner__email__startswith="learner25").update(
        enrolled_at=timezone.now()
    )
    rest, _pages = walk(api, first["next"].replace("http://testserver", ""))
    emails = [row["learner"]["email"] for row in first["results"] + rest]
    assert emails == [f"learner{n:03}@example.org" for n in range(255)]


def test_a_forged_cursor_is_refused(api_as, instructor, course):
    response = api_as(instructor).get(f"/api/v1/courses/{course.pk}/enrolments", cursor="abc:def")
    assert response.status_code == 400
    assert response.json() == {"detail": "The cursor is not valid.", "code": "invalid_cursor"}


def test_a_page_size_out_of_bounds_is_a_clear_422(api_as, instructor, course):
    response = api_as(instructor).get(f"/api/v1/courses/{course.pk}/enrolments", page_size=500)
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_request"


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/courses/{course}/enrolments",
        "/api/v1/progress",
        "/api/v1/submissions",
        "/api/v1/certificates",
        "/api/v1/courses",
    ],
)
def test_queries_do_not_grow_with_the_page_size(
    api_as, instructor, course, path, django_assert_max_num_queries
):
    enrol_many(course, 60)
    if path == "/api/v1/courses":
        from tests.factories import course_page

        for n in range(4):
            course_page(course.get_parent().specific, slug=f"extra-{n}", title=f"Extra {n}")
    api = api_as(instructor)
    url = path.format(course=course.pk)
    api.get(url, page_size=1)  # warm: the token's last use is written once
    with django_assert_max_num_queries(12) as small:
        assert api.get(url, page_size=2).status_code == 200
    with django_assert_max_num_queries(len(small.captured_queries)) as big:
        assert api.get(url, page_size=200).status_code == 200
    assert len(big.captured_queries) == len(small.captured_queries)


def test_the_rate_limit_answers_429_with_retry_after(api_as, enrolled, settings):
    settings.PMA_API_RATE = (3, 60)
    api = api_as(enrolled)
    statuses = [api.get("/api/v1/courses").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = api.get("/api/v1/courses")
    assert refused.json() == {
        "detail": "Too many requests for this token; try again after Retry-After seconds.",
        "code": "rate_limited",
    }
    assert 1 <= int(refused["Retry-After"]) <= 60
    # The limit is per token: another token of the same person still gets through.
    assert api_as(make_token(enrolled)).get("/api/v1/courses").status_code == 200
