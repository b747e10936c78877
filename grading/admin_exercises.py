"""The exercise admin (Wagtail): upload a source, read its parsed cells and validation report.

It lives in the grading app, not in exercises/, because saving an exercise starts its
validation, which runs the grading engine; exercises must never import grading.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.defaultfilters import filesizeformat
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.ui.tables import Column, StatusTagColumn
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet

from exercises.blocks import rubric_problems
from exercises.files import ExerciseFilesRejected, exercise_file_limits, exercise_files_check
from exercises.models import (
    Exercise,
    ExerciseFile,
    ExerciseRevision,
    LatePolicy,
    ScorePolicy,
    ValidationStatus,
)
from exercises.services import (
    ExerciseSourceRejected,
    exercise_create,
    exercise_revision_create,
    exercise_source_parse,
    max_source_bytes,
)
from ops.request_limits import FORM_OVERHEAD_BYTES, BodyLimit

from .late import late_rejudge_exercise
from .services import (
    exercise_attempt_policy_set,
    exercise_revision_revalidate,
    exercise_revision_validate_later,
)
from .templatetags.grading_tags import points

EXERCISE_FIELDS = [
    "title",
    "slug",
    "instructions",
    "max_attempts",
    "cooldown_seconds",
    "score_policy",
    "due_at",
    "late_policy",
    "late_penalty_per_day",
    "late_penalty_cap",
]
#: Changing any of these re-judges the exercise's submissions (grading.late).
LATE_FIELDS = {"due_at", "late_policy", "late_penalty_per_day", "late_penalty_cap"}


if TYPE_CHECKING:
    from django.forms import ModelForm as _FormBase  # the mixin is always combined with one
else:
    _FormBase = object


class AttemptPolicyFormMixin(_FormBase):
    """The policy fields are optional in the form: left empty, they mean "no limit" and "best"."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cooldown_seconds"].required = False
        self.fields["score_policy"].required = False
        for name in ("late_policy", "late_penalty_per_day", "late_penalty_cap"):
            self.fields[name].required = False

    def clean_cooldown_seconds(self):
        return self.cleaned_data.get("cooldown_seconds") or 0

    def clean_late_policy(self):
        return self.cleaned_data.get("late_policy") or LatePolicy.CLOSED

    def _kept(self, name: str) -> int:
        """An empty percent keeps what the exercise has (its default when new)."""
        value = self.cleaned_data.get(name)
        if value is None:
            return getattr(self.instance, name)
        return value

    def clean_late_penalty_per_day(self):
        return self._kept("late_penalty_per_day")

    def clean_late_penalty_cap(self):
        return self._kept("late_penalty_cap")

    def clean_score_policy(self):
        return self.cleaned_data.get("score_policy") or ScorePolicy.BEST


def _read_source_upload(upload) -> bytes:
    """The size is checked before a byte is read or parsed."""
    limit = max_source_bytes()
    if upload.size > limit:
        raise ValidationError(
            _(
                "The notebook is %(size).1f MB; exercise sources may be at most %(limit).0f MB. "
                "Clear the outputs (Kernel → Restart & Clear Output) and upload again."
            )
            % {"size": upload.size / 2**20, "limit": limit / 2**20}
        )
    data = upload.read()
    try:
        exercise_source_parse(data=data)
    except ExerciseSourceRejected as exc:
        raise ValidationError(exc.problems) from exc
    return data


def _source_too_large(request, declared_bytes: int):
    """Refused on Content-Length alone, before Django streams the upload to disk."""
    messages.error(
        request,
        _(
            "The upload is %(size).1f MB; an exercise source may be at most %(source).0f MB and "
            "its data files %(files).0f MB together. Clear the notebook's outputs (Kernel → "
            "Restart & Clear Output), shrink or leave out large files, and upload again. "
            "Nothing was saved."
        )
        % {
            "size": declared_bytes / 2**20,
            "source": max_source_bytes() / 2**20,
            "files": exercise_file_limits().max_total_bytes / 2**20,
        },
    )
    return redirect(request.path)


def _upload_limit() -> int:
    """A source notebook and every data file a revision may have, in one form."""
    return max_source_bytes() + exercise_file_limits().max_total_bytes + FORM_OVERHEAD_BYTES


SOURCE_BODY_LIMIT = BodyLimit(max_bytes=_upload_limit, refuse=_source_too_large)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; cleans to a list (empty when none was chosen)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data]
        return [super().clean(data, initial)] if data else []


def _files_help() -> str:
    limits = exercise_file_limits()
    return _(
        "CSV files, images or .py modules the notebook reads. Learners download them with the "
        "notebook; when graded, the notebook finds them read-only in its working directory "
        '(pd.read_csv("data.csv"), import helpers). At most %(count)d files, %(file).0f MB each, '
        "%(total).0f MB together; names of letters, digits, dots, hyphens and underscores."
    ) % {
        "count": limits.max_count,
        "file": limits.max_file_bytes / 2**20,
        "total": limits.max_total_bytes / 2**20,
    }


def _check_files(form, *, kept: list[ExerciseFile]) -> None:
    """The data files' names, sizes and count, checked before anything is read or stored."""
    uploads = form.cleaned_data.get("data_files") or []
    replaced = {(upload.name or "").lower() for upload in uploads}
    try:
        exercise_files_check(
            uploads=uploads,
            kept=[(f.name, f.size) for f in kept if f.name.lower() not in replaced],
        )
    except ExerciseFilesRejected as exc:
        form.add_error("data_files", exc.problems)


def _check_rubrics(form) -> None:
    """Rubrics name manual cells of the revision learners are graded against, within their worth."""
    if "rubrics" not in form.cleaned_data:
        return
    revision = form.instance.current_revision or form.instance.revisions.order_by("-number").first()
    problems = rubric_problems(
        form.cleaned_data["rubrics"], manual_cells=revision.manual_cells if revision else {}
    )
    if problems:
        form.add_error(None, problems)


class ExerciseCreateForm(AttemptPolicyFormMixin, WagtailAdminModelForm):
    source_file = forms.FileField(
        label=gettext_lazy("Source notebook"),
        help_text=gettext_lazy(
            "An nbgrader (schema 3 or 4) or Otter-Grader v1 notebook with solutions and tests."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".ipynb,application/x-ipynb+json"}),
    )
    data_files = MultipleFileField(label=gettext_lazy("Data files"), required=False)

    class Meta:
        model = Exercise
        fields = EXERCISE_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["data_files"].help_text = _files_help()

    def clean_source_file(self):
        return _read_source_upload(self.cleaned_data["source_file"])

    def clean(self):
        cleaned = super().clean()
        _check_files(self, kept=[])
        return cleaned


class ExerciseEditForm(AttemptPolicyFormMixin, WagtailAdminModelForm):
    source_file = forms.FileField(
        label=gettext_lazy("New source notebook"),
        required=False,
        help_text=gettext_lazy(
            "Upload a corrected source to create a new revision. Learners keep the current one "
            "until the new revision validates."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".ipynb,application/x-ipynb+json"}),
    )
    data_files = MultipleFileField(label=gettext_lazy("Add data files"), required=False)
    remove_files = forms.MultipleChoiceField(
        label=gettext_lazy("Remove data files"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy(
            "Ticked files are left out of the new revision. Files you keep carry over to every new "
            "revision, whether or not you upload a new source notebook."
        ),
    )

    class Meta:
        model = Exercise
        fields = [*EXERCISE_FIELDS, "rubrics"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_bound and "rubrics-count" not in self.data:
            # A post without the rubric editor (a script, an older page) keeps the rubrics as
            # they are rather than failing on the missing stream data.
            del self.fields["rubrics"]
        elif self.instance.pk:
            revision = (
                self.instance.current_revision
                or self.instance.revisions.order_by("-number").first()
            )
            cells = revision.manual_cells if revision else {}
            self.fields["rubrics"].help_text = (
                _("Manually graded cells of the notebook: %(cells)s.")
                % {"cells": ", ".join(f"{gid} ({points(p)})" for gid, p in cells.items())}
                if cells
                else _("This notebook has no manually graded cell, so it needs no rubric.")
            )
        latest = self.instance.revisions.order_by("-number").first() if self.instance.pk else None
        self.current_files = list(latest.files.all()) if latest else []
        self.fields["data_files"].help_text = (
            _files_help() + " " + _("A file named like one the exercise has already replaces it.")
        )
        if self.current_files:
            cast(forms.MultipleChoiceField, self.fields["remove_files"]).choices = [
                (f.name, f"{f.name} ({filesizeformat(f.size)})") for f in self.current_files
            ]
        else:
            del self.fields["remove_files"]

    def clean_source_file(self):
        upload = self.cleaned_data.get("source_file")
        return _read_source_upload(upload) if upload else None

    def clean(self):
        cleaned = super().clean() or self.cleaned_data
        removed = set(cleaned.get("remove_files") or [])
        _check_files(self, kept=[f for f in self.current_files if f.name not in removed])
        _check_rubrics(self)
        return cleaned

    def changes_files(self) -> bool:
        return bool(self.cleaned_data.get("data_files") or self.cleaned_data.get("remove_files"))


class ExerciseCreateView(generic.CreateView):
    request_body_limit = SOURCE_BODY_LIMIT

    def save_instance(self):
        data = self.form.cleaned_data
        exercise = exercise_create(
            title=data["title"],
            slug=data["slug"],
            instructions=data["instructions"],
            data=data["source_file"],
            filename=self.request.FILES["source_file"].name,
            created_by=self.request.user,
            files=data["data_files"],
        )
        exercise_attempt_policy_set(
            exercise=exercise,
            max_attempts=data["max_attempts"],
            cooldown_seconds=data["cooldown_seconds"],
            score_policy=data["score_policy"],
            due_at=data["due_at"],
            late_policy=data["late_policy"],
            late_penalty_per_day=data["late_penalty_per_day"],
            late_penalty_cap=data["late_penalty_cap"],
        )
        exercise_revision_validate_later(revision=exercise.revisions.get())
        return exercise

    def get_success_message(self, instance):
        return _(
            "Exercise '%(exercise)s' saved. Validation runs in the background; its report "
            "appears here."
        ) % {"exercise": instance}

    def get_success_url(self):
        return reverse("exercises:inspect", args=[self.object.pk])


class ExerciseEditView(generic.EditView):
    request_body_limit = SOURCE_BODY_LIMIT

    rejudged = 0

    def save_instance(self):
        exercise = super().save_instance()
        if LATE_FIELDS & set(self.form.changed_data):
            # A new due date or late policy holds for work already handed in too.
            self.rejudged = late_rejudge_exercise(exercise=exercise)
        data = self.form.cleaned_data.get("source_file")
        if data or self.form.changes_files():
            revision = exercise_revision_create(
                exercise=exercise,
                data=data or None,
                filename=self.request.FILES["source_file"].name if data else "",
                uploaded_by=self.request.user,
                files=self.form.cleaned_data.get("data_files") or [],
                remove=self.form.cleaned_data.get("remove_files") or [],
            )
            exercise_revision_validate_later(revision=revision)
        return exercise

    def get_success_message(self):
        message = super().get_success_message()
        if not self.rejudged:
            return message
        changed = ngettext(
            "The new due date or late policy changed the late penalty of %(n)s submission.",
            "The new due date or late policy changed the late penalties of %(n)s submissions.",
            self.rejudged,
        ) % {"n": self.rejudged}
        return f"{message} {changed}" if message else changed

    def get_success_url(self):
        return reverse("exercises:inspect", args=[self.object.pk])


class ExerciseInspectView(generic.InspectView):
    template_name = "grading/admin/exercise_inspect.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        revisions = list(
            self.object.revisions.select_related("uploaded_by")
            .prefetch_related("files")
            .order_by("-number")
        )
        context["revisions"] = revisions
        context["latest"] = revisions[0] if revisions else None
        context["current"] = self.object.current_revision
        return context


class LatestStatusColumn(StatusTagColumn):
    def get_value(self, instance):
        latest = instance.revisions.order_by("-number").first()
        return latest.get_validation_status_display() if latest else _("No source")

    def get_primary(self, instance):
        latest = instance.revisions.order_by("-number").first()
        return bool(latest and latest.validation_status == ValidationStatus.VALID)


class ExerciseViewSet(ModelViewSet):
    model = Exercise
    icon = "code"
    menu_label = gettext_lazy("Exercises")
    menu_order = 250
    add_to_admin_menu = True
    add_view_class = ExerciseCreateView
    edit_view_class = ExerciseEditView
    inspect_view_enabled = True
    inspect_view_class = ExerciseInspectView
    search_fields = ["title", "slug", "instructions"]
    list_display = [
        "title",
        LatestStatusColumn("validation", label=gettext_lazy("Latest revision")),
        Column("max_score", label=gettext_lazy("Points"), accessor=lambda e: points(e.max_score)),
        "updated_at",
    ]

    def get_form_class(self, for_update=False):
        return ExerciseEditForm if for_update else ExerciseCreateForm

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path(
                "revision/<int:pk>/source/",
                revision_download,
                {"which": "source"},
                name="revision_source",
            ),
            path(
                "revision/<int:pk>/release/",
                revision_download,
                {"which": "release"},
                name="revision_release",
            ),
            path("revision/<int:pk>/validate/", revision_revalidate, name="revision_validate"),
            path(
                "revision/<int:pk>/files/<str:name>/", revision_file_download, name="revision_file"
            ),
        ]


def _revision_for(request, pk: int, perm: str) -> ExerciseRevision:
    if not request.user.has_perm(f"exercises.{perm}_exercise"):
        raise PermissionDenied
    return get_object_or_404(ExerciseRevision.objects.select_related("exercise"), pk=pk)


def revision_download(request, pk: int, which: str):
    revision = _revision_for(request, pk, "view")
    field = revision.source if which == "source" else revision.release
    if not field:
        raise Http404(_("This revision has no such file."))
    suffix = "source" if which == "source" else "release"
    filename = f"{revision.exercise.slug}-r{revision.number}-{suffix}.ipynb"
    return FileResponse(
        field.open("rb"),
        as_attachment=True,
        filename=filename,
        content_type="application/x-ipynb+json",
    )


def revision_file_download(request, pk: int, name: str):
    revision = _revision_for(request, pk, "view")
    stored = get_object_or_404(ExerciseFile, revision=revision, name=name)
    return FileResponse(stored.file.open("rb"), as_attachment=True, filename=stored.name)


@require_POST
def revision_revalidate(request, pk: int):
    revision = _revision_for(request, pk, "change")
    exercise_revision_revalidate(revision=revision)
    messages.success(
        request, _("Validation of revision %(number)s queued.") % {"number": revision.number}
    )
    return redirect("exercises:inspect", revision.exercise_id)


exercise_viewset = ExerciseViewSet("exercises")
