"""The enrolment CSV import: checks before parsing, a preview with an outcome per row and nothing
written, refusal of a file with errors, confirmation through the queue, idempotent re-import,
and 10,000 rows with stored progress."""

import pytest
from django.core import mail
from django.test import override_settings
from django.urls import reverse

from courses.cohorts import staff_scope
from courses.enrolment_imports import ImportRefused, enrolment_import_preview, import_file_read
from courses.models import (
    Enrolment,
    EnrolmentEvent,
    EnrolmentImport,
    EnrolmentSource,
    ImportStatus,
    Invitation,
)
from courses.services import enrolment_create
from tests.courses.cohort_support import cohort_instructor, cohorts_of
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohorts(course):
    return cohorts_of(course)


def _upload(client, course, data: bytes, name="learners.csv"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        reverse("enrolment:import", args=[course.pk]),
        {"file": SimpleUploadedFile(name, data, content_type="text/csv")},
    )


def _nothing_written():
    assert not Enrolment.objects.exists()
    assert not Invitation.objects.exists()
    assert not EnrolmentEvent.objects.exists()


def _problems(response):
    assert response.status_code == 200
    return response.context["problems"]


# The file as a whole ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("e-mail,name\nzoë@example.org,Zoë\n".encode("latin-1"), "The file is not UTF-8 text"),
        ("e-mail,name\nada@example.org,Ada\n".encode("utf-16"), "The file is not UTF-8 text"),
        (b"e-mail,name\x00\x01\x02", "The file is not a CSV text file"),
        (b"mail,name\nada@example.org,Ada\n", "The column \u201cmail\u201d is not one of"),
        (b"e-mail,e-mail\na@example.org,b@example.org\n", "appears twice"),
        (b"name,cohort\nAda,Spring\n", "must name the columns"),
        (b"e-mail,name,cohort\n", "a header but no rows"),
        (b"e-mail,name\na@example.org,Ada,extra,cells\n", "more cells than the header"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_whole_with_one_message(
    client, instructor, course, data, message
):
    client.force_login(instructor)
    problems = _problems(_upload(client, course, data))
    assert len(problems) == 1 and message in problems[0]
    _nothing_written()
    assert not EnrolmentImport.objects.exists()


def test_an_empty_file_is_refused(client, instructor, course):
    client.force_login(instructor)
    response = _upload(client, course, b"")
    assert "The submitted file is empty." in response.content.decode()
    _nothing_written()


@override_settings(ENROLMENT_IMPORT_MAX_BYTES=1024)
def test_a_file_over_the_size_cap_is_refused_before_it_is_read(client, instructor, course):
    client.force_login(instructor)
    data = b"e-mail\n" + b"".join(f"p{i}@example.org\n".encode() for i in range(200))
    problems = _problems(_upload(client, course, data))
    assert problems == [
        "The file is 4 KB; enrolment files may be at most 1 KB. Split it into smaller files."
    ]
    _nothing_written()


@override_settings(ENROLMENT_IMPORT_MAX_ROWS=3)
def test_a_file_over_the_row_cap_is_refused(client, instructor, course):
    client.force_login(instructor)
    data = b"e-mail\n" + b"".join(f"p{i}@example.org\n".encode() for i in range(4))
    assert _problems(_upload(client, course, data)) == [
        "The file has 4 rows; an import may have at most 3."
    ]


def test_utf8_with_a_byte_order_mark_and_crlf_reads_like_plain_utf8():
    rows = import_file_read("\ufeffE-mail,Name,Cohort\r\nzoë@example.org,Zoë,Spring\r\n".encode())
    assert rows == [{"line": 2, "email": "zoë@example.org", "name": "Zoë", "cohort": "Spring"}]


# Rows ----------------------------------------------------------------------------------------


BAD_FILE = (
    b"e-mail,name,cohort\n"
    b"ada@example.org,Ada Lovelace,Spring\n"
    b"not-an-address,Nobody,Spring\n"
    b"grace@example.org,Grace Hopper,Winter\n"
    b"ADA@example.org,Ada Again,Spring\n"
    b'alan@example.org,"=HYPERLINK(""http://evil.example"")",Spring\n'
    b"@SUM(1+1)@example.org,Sum,Spring\n"
    b"linus@example.org,+Linus,Spring\n"
)


def test_the_preview_gives_each_row_its_outcome_and_refuses_a_file_with_errors(
    client, instructor, course, cohorts, learner
):
    client.force_login(instructor)
    response = _upload(client, course, BAD_FILE)
    enrolment_import = EnrolmentImport.objects.get()
    assert response.status_code == 302
    assert enrolment_import.status == ImportStatus.REFUSED
    outcomes = {(row["line"], row["outcome"], row["reason"]) for row in enrolment_import.preview}
    assert outcomes == {
        (2, "enrol", ""),
        (3, "error", "\u201cnot-an-address\u201d is not a valid e-mail address."),
        (4, "error", "This course has no cohort named \u201cWinter\u201d."),
        (5, "error", "A duplicate of row 2 (the same e-mail address)."),
        (
            6,
            "error",
            "The name cell starts with \u201c=\u201d, which spreadsheets run as a formula; "
            "remove it.",
        ),
        (
            7,
            "error",
            "The e-mail cell starts with \u201c@\u201d, which spreadsheets run as a formula; "
            "remove it.",
        ),
        (
            8,
            "error",
            "The name cell starts with \u201c+\u201d, which spreadsheets run as a formula; "
            "remove it.",
        ),
    }
    page = client.get(response.url)
    text = page.content.decode()
    assert "6 rows have errors, so nothing will be imported." in text
    assert "Confirm" not in text
    # Confirming a refused import does nothing.
    client.post(reverse("enrolment:import_confirm", args=[course.pk, enrolment_import.pk]))
    enrolment_import.refresh_from_db()
    assert enrolment_import.status == ImportStatus.REFUSED
    _nothing_written()


GOOD_FILE = (
    b"e-mail,name,cohort\n"
    b"ada@example.org,Ada Lovelace,Spring\n"
    b"bob@example.org,Bob Builder,autumn\n"
    b"new.person@example.org,New Person,Spring\n"
    b"carol@example.org,Carol,\n"
)


def test_preview_then_confirm_applies_every_row_and_the_same_file_again_changes_nothing(
    client, instructor, course, cohorts, learner, django_capture_on_commit_callbacks
):
    spring, autumn = cohorts
    bob = UserFactory(email="bob@example.org")
    carol = UserFactory(email="carol@example.org")
    enrolment_create(learner=bob, course=course, cohort=spring)
    client.force_login(instructor)
    response = _upload(client, course, GOOD_FILE)
    enrolment_import = EnrolmentImport.objects.get()
    assert enrolment_import.status == ImportStatus.PREVIEWED
    assert [row["outcome"] for row in enrolment_import.preview] == [
        "enrol",
        "move",
        "invite",
        "enrol",
    ]
    # The preview wrote nothing but the import itself.
    assert Enrolment.objects.count() == 1 and not Invitation.objects.exists()
    assert "Confirm: import 4 rows" in client.get(response.url).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("enrolment:import_confirm", args=[course.pk, enrolment_import.pk]))
    enrolment_import.refresh_from_db()
    assert (enrolment_import.status, enrolment_import.rows_done, enrolment_import.rows_total) == (
        ImportStatus.DONE,
        4,
        4,
    )
    assert enrolment_import.counts == {
        "enrol": 2,
        "invite": 1,
        "already": 0,
        "move": 1,
        "error": 0,
    }
    cohorts_now = dict(
        Enrolment.objects.filter(course=course).values_list("learner__email", "cohort__name")
    )
    assert cohorts_now == {
        "ada@example.org": "Spring",
        "bob@example.org": "Autumn",
        "carol@example.org": None,
    }
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.cohort, invitation.name) == (
        "new.person@example.org",
        spring,
        "New Person",
    )
    assert [m.to for m in mail.outbox] == [["new.person@example.org"]]
    events = EnrolmentEvent.objects.filter(enrolment_import=enrolment_import)
    assert events.count() == 4
    assert set(events.values_list("source", flat=True)) == {EnrolmentSource.CSV_IMPORT}
    assert carol.enrolments.get().progress.lessons_total == 4

    # The same file again: every row already done, nothing written, nothing sent.
    before = EnrolmentEvent.objects.count()
    response = _upload(client, course, GOOD_FILE)
    again = EnrolmentImport.objects.latest("pk")
    assert [row["outcome"] for row in again.preview] == ["already"] * 4
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("enrolment:import_confirm", args=[course.pk, again.pk]))
    again.refresh_from_db()
    assert again.status == ImportStatus.DONE and again.counts["already"] == 4
    assert EnrolmentEvent.objects.count() == before
    assert len(mail.outbox) == 1 and Invitation.objects.count() == 1
    # Confirming twice queues nothing more.
    client.post(reverse("enrolment:import_confirm", args=[course.pk, again.pk]))
    assert EnrolmentEvent.objects.count() == before


def test_the_status_url_reports_progress(client, instructor, course):
    client.force_login(instructor)
    _upload(client, course, b"e-mail\nx@example.org\n")
    enrolment_import = EnrolmentImport.objects.get()
    status = client.get(reverse("enrolment:import_status", args=[course.pk, enrolment_import.pk]))
    assert status.json() == {
        "status": "previewed",
        "status_label": "Waiting for confirmation",
        "rows_done": 0,
        "rows_total": 1,
        "percent": 0,
        "finished": False,
    }


def test_a_cohort_instructor_imports_only_into_their_cohorts(client, course, cohorts):
    spring, autumn = cohorts
    teacher = cohort_instructor(spring)
    client.force_login(teacher)
    _upload(
        client,
        course,
        b"e-mail,cohort\na@example.org,Spring\nb@example.org,Autumn\nc@example.org,\n",
    )
    preview = EnrolmentImport.objects.get().preview
    assert [(row["outcome"], row["reason"]) for row in preview] == [
        ("invite", ""),
        ("error", "You do not teach the cohort Autumn."),
        ("error", "Name one of your cohorts."),
    ]


@pytest.mark.slow
def test_ten_thousand_rows_run_through_the_queue_with_the_right_counts(
    instructor, course, cohorts, django_capture_on_commit_callbacks
):
    spring, autumn = cohorts
    existing = [UserFactory.build(email=f"known{i}@example.org") for i in range(4000)]
    from django.contrib.auth import get_user_model

    get_user_model().objects.bulk_create(existing)
    lines = ["e-mail,name,cohort"]
    lines += [
        f"known{i}@example.org,Known {i},{'Spring' if i % 2 else 'Autumn'}" for i in range(4000)
    ]
    lines += [f"new{i}@example.org,New {i},Spring" for i in range(6000)]
    data = ("\n".join(lines) + "\n").encode()
    scope = staff_scope(user=instructor, course_id=course.pk)
    enrolment_import = enrolment_import_preview(
        scope=scope, actor=instructor, filename="big.csv", data=data
    )
    assert enrolment_import.counts["enrol"] == 4000 and enrolment_import.counts["invite"] == 6000
    from courses.enrolment_imports import enrolment_import_confirm

    with django_capture_on_commit_callbacks(execute=True):
        assert enrolment_import_confirm(enrolment_import=enrolment_import)
    enrolment_import.refresh_from_db()
    assert enrolment_import.status == ImportStatus.DONE
    assert (enrolment_import.rows_done, enrolment_import.rows_total) == (10_000, 10_000)
    assert Enrolment.objects.filter(course=course, cohort=spring).count() == 2000
    assert Enrolment.objects.filter(course=course, cohort=autumn).count() == 2000
    assert Invitation.objects.filter(course=course, cohort=spring).count() == 6000
    assert len(mail.outbox) == 6000


def test_import_file_read_refuses_with_problems_not_exceptions():
    with pytest.raises(ImportRefused) as refused:
        import_file_read(b"\xff\xfe\x00")
    assert refused.value.problems[0].startswith("The file is not UTF-8 text")
