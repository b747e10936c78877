"""The sort name stored on enrolments: set on enrolling, kept in step with the learner's name."""

import importlib

import pytest
from django.apps import apps
from django.urls import reverse

from accounts.services import user_set_certificate_name
from courses.learner_names import learner_sort_name
from courses.models import Enrolment
from courses.services import enrolment_cancel, enrolment_create
from tests.factories import UserFactory, instructor_user

pytestmark = pytest.mark.django_db


def _sort_names(course):
    return list(
        Enrolment.objects.filter(course=course)
        .order_by("sort_name", "pk")
        .values_list("learner__email", "sort_name")
    )


def test_the_sort_name_is_the_shown_name_folded():
    assert learner_sort_name(UserFactory.build(certificate_name="Ada LOVELACE")) == "ada lovelace"
    # Without a certificate name: the full name, then the e-mail, then the username.
    named = UserFactory.build(certificate_name="", first_name=" Grace", last_name="Hopper ")
    assert learner_sort_name(named) == "grace hopper"
    assert learner_sort_name(UserFactory.build(certificate_name="", email="X@Example.com")) == (
        "x@example.com"
    )
    assert (
        learner_sort_name(UserFactory.build(certificate_name="", email="", username="zed")) == "zed"
    )
    # Case folding sorts "Straße" with "strasse"; overlong names are cut to the column.
    assert learner_sort_name(UserFactory.build(certificate_name="Straße")) == "strasse"
    assert (
        len(
            learner_sort_name(
                UserFactory.build(certificate_name="", first_name="a" * 150, last_name="b" * 150)
            )
        )
        == 255
    )


def test_enrolling_stores_the_sort_name_and_renames_follow(course):
    ann = UserFactory(certificate_name="Ann Zed", email="ann@example.com")
    bob = UserFactory(certificate_name="Bob Young", email="bob@example.com")
    for person in (ann, bob):
        enrolment_create(learner=person, course=course)
    assert _sort_names(course) == [("ann@example.com", "ann zed"), ("bob@example.com", "bob young")]

    user_set_certificate_name(user=bob, certificate_name="Aaron Young")
    assert _sort_names(course) == [
        ("bob@example.com", "aaron young"),
        ("ann@example.com", "ann zed"),
    ]

    # A full save (the admin's user form) counts too, as does a name cleared back to the e-mail.
    ann.certificate_name = ""
    ann.save()
    assert _sort_names(course)[1] == ("ann@example.com", "ann@example.com")
    # Unenrolling and enrolling again keeps the row and its name.
    enrolment_cancel(learner=ann, course=course)
    enrolment_create(learner=ann, course=course)
    assert _sort_names(course)[1] == ("ann@example.com", "ann@example.com")


def test_saves_that_leave_the_name_alone_cost_no_query(course, django_assert_num_queries):
    ann = UserFactory()
    enrolment_create(learner=ann, course=course)
    with django_assert_num_queries(1):  # the UPDATE of the user row itself
        ann.save(update_fields=["last_login"])


def test_the_gradebook_follows_a_rename(client, course):
    ian = instructor_user()
    course.instructors.set([ian])
    course.save_revision().publish()
    ann, bob = UserFactory(certificate_name="Ann"), UserFactory(certificate_name="Bob")
    for person in (ann, bob):
        enrolment_create(learner=person, course=course)
    user_set_certificate_name(user=ann, certificate_name="Zara")
    client.force_login(ian)
    response = client.get(reverse("gradebook:course", args=[course.pk]))
    assert [row.name for row in response.context["rows"]] == ["Bob", "Zara"]


def test_the_migration_names_enrolments_made_before_it(course):
    ann = UserFactory(certificate_name="", first_name="Ann", last_name="Archer")
    enrolment_create(learner=ann, course=course)
    Enrolment.objects.update(sort_name="")
    migration = importlib.import_module("courses.migrations.0006_store_enrolment_sort_names")
    migration.name_existing_enrolments(apps, None)
    assert Enrolment.objects.get(learner=ann).sort_name == "ann archer"
