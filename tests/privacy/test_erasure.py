"""Erasure: the grace period, cancelling, processing, what stays in the database, and bad input."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from certificates.models import Certificate
from courses.analytics import course_analytics
from courses.gradebook import (
    course_exercises,
    course_lesson_ids,
    gradebook_enrolments,
    gradebook_rows,
)
from grading.models import GradeOverride, ManualGrade, Submission
from privacy import erasure as erasure_module
from privacy.erasure import ErasureNotDue, erasure_process
from privacy.models import DataExport, ErasureRequest, ErasureStatus, ExportStatus, PrivacyEvent
from privacy.services import erasure_cancel, erasure_request, export_request

pytestmark = pytest.mark.django_db


def _gradebook(course):
    exercises = course_exercises(course=course)
    lesson_ids = course_lesson_ids(course=course)
    rows = gradebook_rows(
        enrolments=gradebook_enrolments(course=course, lesson_ids=lesson_ids),
        exercises=exercises,
        lessons_total=len(lesson_ids),
    )
    return sorted((row.percent, [c.points for c in row.cells]) for row in rows)


def _analytics(course):
    result = course_analytics(course=course)
    return (
        result.enrolled,
        [(f.count) for f in result.funnel],
        [[b.count for b in d.buckets] for d in result.distributions],
    )


def test_a_request_waits_for_the_grace_period_and_can_be_cancelled(client, ada):
    client.force_login(ada)
    response = client.post(reverse("privacy:erasure_request"), {"confirm": "on"})
    assert response.status_code == 302
    request = ErasureRequest.objects.get()
    assert request.scheduled_for - request.requested_at == timedelta(days=14)
    assert (request.status, request.keep_certificates_public) == (ErasureStatus.PENDING, False)
    page = client.get(reverse("privacy:page")).content.decode()
    assert "Your account will be deleted on" in page
    call_command("process_erasures", "--once")
    request.refresh_from_db()
    assert request.status == ErasureStatus.PENDING  # not due yet
    client.post(reverse("privacy:erasure_cancel"))
    request.refresh_from_db()
    assert (request.status, request.cancelled_at is not None) == (ErasureStatus.CANCELLED, True)
    ada.refresh_from_db()
    assert (ada.username, ada.is_active) == ("ada", True)
    assert list(PrivacyEvent.objects.values_list("kind", flat=True)) == [
        "erasure_cancelled",
        "erasure_requested",
    ]


def test_the_form_needs_the_confirmation(client, ada):
    client.force_login(ada)
    response = client.post(reverse("privacy:erasure_request"), {})
    assert response.status_code == 400
    assert "Tick the box to confirm" in response.content.decode()
    assert not ErasureRequest.objects.exists()


def test_the_grace_period_is_a_setting(ada, settings):
    settings.PMA_PRIVACY_ERASURE_GRACE_DAYS = 30
    request, _ = erasure_request(user=ada)
    assert request.scheduled_for - request.requested_at == timedelta(days=30)


def test_asking_twice_makes_one_request(client, ada):
    client.force_login(ada)
    for _ in range(2):
        client.post(reverse("privacy:erasure_request"), {"confirm": "on"})
    first, created = erasure_request(user=ada)
    assert (ErasureRequest.objects.count(), created) == (1, False)
    assert PrivacyEvent.objects.filter(kind="erasure_requested").count() == 1


def test_after_the_grace_period_the_account_is_anonymised_and_the_records_stay(
    ada, grace, course, django_capture_on_commit_callbacks
):
    notebook_paths = [s.notebook.path for s in Submission.objects.filter(learner=ada)]
    certificate = ada.certificates.get()
    gradebook_before = _gradebook(course)
    analytics_before = _analytics(course)
    submissions_before = list(
        Submission.objects.order_by("pk").values_list(
            "pk", "learner_id", "attempt", "score", "status"
        )
    )
    erasure_request(user=ada, now=timezone.now() - timedelta(days=15))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("process_erasures", "--once")

    ada.refresh_from_db()
    request = ErasureRequest.objects.get()
    assert request.status == ErasureStatus.DONE
    assert (ada.username, ada.email, ada.first_name, ada.last_name, ada.certificate_name) == (
        f"erased-{ada.pk}",
        "",
        "",
        "",
        "",
    )
    assert (ada.is_active, ada.has_usable_password()) == (False, False)
    # Scores, attempts and grades stay; what the learner wrote goes.
    assert (
        list(
            Submission.objects.order_by("pk").values_list(
                "pk", "learner_id", "attempt", "score", "status"
            )
        )
        == submissions_before
    )
    for submission in Submission.objects.filter(learner=ada):
        assert (submission.notebook_sha256, submission.answers, submission.outputs) == ("", {}, {})
    assert not any(os.path.exists(path) for path in notebook_paths)
    assert ManualGrade.objects.filter(submission__learner=ada).count() == 1
    # The gradebook and the analytics read the same numbers.
    assert _gradebook(course) == gradebook_before
    assert _analytics(course) == analytics_before
    # Grace is untouched.
    grace.refresh_from_db()
    assert (grace.email, Submission.objects.get(learner=grace).answers) == (
        "grace@example.org",
        {"rice": "def rice(): return x  # ada's answer"},
    )
    # The certificate stays, without the name (certificates decides how).
    certificate = Certificate.objects.get(pk=certificate.pk)
    assert certificate.status == "active"
    assert "Ada" not in certificate.learner_name
    assert request.summary["grading.Submission"] == 2


def test_nothing_personal_remains_in_any_model_that_refers_to_the_user(ada):
    erasure = erasure_request(user=ada)[0]
    erasure_process(erasure=erasure)
    user_model = get_user_model()
    remaining = {}
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if field.is_relation and field.concrete and field.related_model is user_model:
                if field.many_to_many:
                    count = model.objects.filter(**{field.name: ada}).count()
                else:
                    count = model._default_manager.filter(**{field.name: ada}).count()
                if count:
                    remaining[f"{model._meta.label}.{field.name}"] = count
    # Exactly what docs/privacy.md says stays, as anonymous records of erased-<id>.
    assert remaining == {
        "grading.Submission.learner": 2,
        "courses.Enrolment.learner": 1,
        "courses.LessonCompletion.learner": 1,
        "courses.KnowledgeCheckAnswer.learner": 1,
        "courses.EnrolmentEvent.learner": 1,
        "courses.EnrolmentEvent.actor": 1,
        "certificates.Certificate.learner": 1,
        "privacy.ErasureRequest.user": 1,
        "privacy.PrivacyEvent.user": 2,
        "privacy.PrivacyEvent.actor": 1,
    }
    assert not EmailAddress.objects.filter(email__iexact="ada@example.org").exists()
    assert not EmailAddress.objects.filter(email__iexact="ada.work@example.org").exists()
    from courses.models import EnrolmentEvent

    assert set(EnrolmentEvent.objects.filter(learner=ada).values_list("email", flat=True)) == {""}


def test_the_learner_is_signed_out_everywhere(client, ada):
    client.force_login(ada)
    assert Session.objects.count() == 1
    erasure_process(erasure=erasure_request(user=ada)[0])
    assert Session.objects.count() == 0
    response = client.get(reverse("privacy:page"))
    assert response.status_code == 302  # to the sign-in page


def test_a_failure_mid_anonymisation_changes_nothing(ada, monkeypatch):
    erasure = erasure_request(user=ada)[0]
    notebook_paths = [s.notebook.path for s in Submission.objects.filter(learner=ada)]

    def explode(user):
        raise RuntimeError("disk on fire")

    # After submissions, drafts, tokens and e-mail addresses were changed, before the user is.
    monkeypatch.setattr(erasure_module, "_sessions_delete", explode)
    with pytest.raises(RuntimeError):
        erasure_process(erasure=erasure)
    ada.refresh_from_db()
    assert (ada.username, ada.email, ada.is_active) == ("ada", "ada@example.org", True)
    assert EmailAddress.objects.filter(user=ada).count() == 2
    assert Submission.objects.filter(learner=ada).exclude(answers={}).count() == 2
    assert all(os.path.exists(path) for path in notebook_paths)
    assert ada.certificates.get().learner_name == "Ada Lovelace"
    erasure.refresh_from_db()
    assert erasure.status == ErasureStatus.PENDING
    assert PrivacyEvent.objects.filter(kind="erasure_failed").count() == 1
    # The next run succeeds.
    monkeypatch.undo()
    erasure_process(erasure=erasure)
    erasure.refresh_from_db()
    assert erasure.status == ErasureStatus.DONE


def test_a_processed_or_cancelled_request_is_not_processed_again(ada):
    erasure = erasure_request(user=ada)[0]
    erasure_process(erasure=erasure)
    with pytest.raises(ErasureNotDue):
        erasure_process(erasure=erasure)
    assert erasure_cancel(erasure=erasure, actor=ada) is False


def test_erasure_cancels_an_export_under_way_and_deletes_a_finished_one(
    ada, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        finished, _ = export_request(user=ada)
    finished.refresh_from_db()
    path = finished.file.path
    running, _ = export_request(user=ada)  # queued, never run
    with django_capture_on_commit_callbacks(execute=True):
        erasure_process(erasure=erasure_request(user=ada)[0])
    finished.refresh_from_db()
    running.refresh_from_db()
    assert (finished.status, finished.file.name) == (ExportStatus.CANCELLED, "")
    assert running.status == ExportStatus.CANCELLED
    assert not os.path.exists(path)


def test_an_export_built_while_the_account_is_erased_keeps_no_file(
    ada, monkeypatch, django_capture_on_commit_callbacks, settings
):
    from privacy import exports

    export, _ = export_request(user=ada)
    erasure = erasure_request(user=ada)[0]
    real = exports._certificates
    exports_dir = settings.PMA_PRIVATE_ROOT / "exports"
    before = set(exports_dir.rglob("*.zip")) if exports_dir.exists() else set()

    def erased_meanwhile(user, out):
        real(user, out)
        erasure_process(erasure=erasure)  # the erasure job runs while the zip is written

    monkeypatch.setattr(exports, "_certificates", erased_meanwhile)
    result = exports.export_build(export_id=export.pk)
    assert (result.status, result.file.name) == (ExportStatus.CANCELLED, "")
    after = set(exports_dir.rglob("*.zip")) if exports_dir.exists() else set()
    assert after == before
    assert DataExport.objects.filter(status__in=["queued", "running"]).count() == 0


def test_staff_cannot_delete_their_own_account_from_the_page(client, instructor):
    instructor.is_staff = True
    instructor.save()
    client.force_login(instructor)
    response = client.post(reverse("privacy:erasure_request"), {"confirm": "on"}, follow=True)
    assert "Staff accounts cannot be deleted from here" in response.content.decode()
    assert not ErasureRequest.objects.exists()


def test_grade_overrides_by_the_erased_learner_are_not_lost(ada):
    # An audit row pointing at the learner stays (SET_NULL fields are left alone: nothing deleted).
    submission = ada.second_submission
    GradeOverride.objects.create(
        submission=submission, old_score=8, new_score=9, reason="Regraded", at=timezone.now()
    )
    erasure_process(erasure=erasure_request(user=ada)[0])
    assert GradeOverride.objects.filter(submission=submission).count() == 1


def test_staff_still_read_an_erased_learners_submission_and_the_gradebook(client, ada, course):
    from grading.wagtail_hooks import submission_viewset

    erasure_process(erasure=erasure_request(user=ada)[0])
    admin = get_user_model().objects.create_superuser("root", "root@example.org", "x")
    client.force_login(admin)
    url = reverse(submission_viewset.get_url_name("inspect"), args=[ada.second_submission.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert f"erased-{ada.pk}" in response.content.decode()
    gradebook = client.get(reverse("gradebook:course", args=[course.pk]))
    assert gradebook.status_code == 200
    assert f"erased-{ada.pk}" in gradebook.content.decode()


def test_by_default_the_verification_page_answers_valid_without_the_name(client, ada):
    certificate = ada.certificates.get()
    erasure_process(erasure=erasure_request(user=ada)[0])
    page = client.get(reverse("certificates:verify", args=[certificate.code])).content.decode()
    assert "issued to a learner who has since closed their account" in page
    assert "Ada Lovelace" not in page


def test_a_learner_may_keep_their_certificates_public_with_their_name(client, ada):
    certificate = ada.certificates.get()
    client.force_login(ada)
    client.post(
        reverse("privacy:erasure_request"), {"confirm": "on", "keep_certificates_public": "on"}
    )
    erasure = ErasureRequest.objects.get()
    assert erasure.keep_certificates_public is True
    erasure_process(erasure=erasure)
    certificate.refresh_from_db()
    assert (certificate.learner_name, certificate.status) == ("Ada Lovelace", "active")
    client.logout()
    page = client.get(reverse("certificates:verify", args=[certificate.code])).content.decode()
    assert "Ada Lovelace" in page
