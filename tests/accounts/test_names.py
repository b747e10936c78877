"""One rule for the name a person is shown by, the same on every page that names them."""

import pytest

from accounts.models import shown_name
from courses.learner_names import learner_sort_name
from courses.selectors import course_instructor_names
from tests.factories import UserFactory, catalog_page, course_tree, site_home

pytestmark = pytest.mark.django_db


def test_a_person_is_shown_by_certificate_name_then_full_name_then_email():
    assert shown_name(
        certificate_name="Ada Lovelace", first_name="A", last_name="L", email="a@x.org"
    ) == ("Ada Lovelace")
    assert shown_name(
        certificate_name="", first_name=" Grace", last_name="Hopper ", email="g@x.org"
    ) == ("Grace Hopper")
    assert (
        shown_name(certificate_name="", first_name="", last_name="", email="g@x.org", username="g")
        == "g@x.org"
    )
    assert shown_name(certificate_name="", first_name="", last_name="", username="zed") == "zed"


def test_the_greeting_the_gradebook_order_and_the_public_name_follow_the_one_rule():
    named = UserFactory.build(
        certificate_name="", first_name="Grace", last_name="Hopper", email="g@x.org"
    )
    unnamed = UserFactory.build(
        certificate_name="", first_name="", last_name="", email="Quiet@X.org"
    )

    assert (named.display_name, named.public_name, learner_sort_name(named)) == (
        "Grace Hopper",
        "Grace Hopper",
        "grace hopper",
    )
    # Others never read a person's e-mail as their name.
    assert (unnamed.display_name, unnamed.public_name, learner_sort_name(unnamed)) == (
        "Quiet@X.org",
        "",
        "quiet@x.org",
    )


def test_a_course_page_names_its_instructors_but_never_by_email():
    course = course_tree(catalog_page(site_home()), modules=0)
    course.instructors.add(UserFactory(certificate_name="Marty Cagan"))
    course.instructors.add(
        UserFactory(certificate_name="", first_name="", last_name="", email="quiet@x.org")
    )

    assert course_instructor_names(course=course) == ["Marty Cagan"]
