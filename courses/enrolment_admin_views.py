"""Staff enrolment and cohorts in the Wagtail admin: per course, the enrolments (filter, search,
pages), enrol one learner by e-mail (or invite the address), move between cohorts, unenrol,
pending invitations, the CSV import (upload, preview, confirm, progress), the audit history,
and the course's cohorts with their dates, instructors and due dates per exercise.

Every view loads the user's scope in the course first (courses.cohorts.staff_scope) and answers
404 for a course they do not teach, so other courses' ids reveal nothing; a cohort instructor
reaches only their cohorts' learners. Views hold no rules: they call courses.enrolment_staff,
courses.enrolment_imports, courses.invitations and courses.cohorts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.defaultfilters import filesizeformat
from django.urls import path, reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet
from wagtail.admin.widgets import AdminDateTimeInput
from wagtail.admin.widgets.button import HeaderButton

from accounts.models import INSTRUCTORS_GROUP

from .cohorts import (
    StaffScope,
    cohort_due_dates,
    cohort_due_dates_set,
    cohort_save,
    staff_courses,
    staff_scope,
)
from .enrolment_audit import enrolment_events
from .enrolment_imports import (
    ImportRefused,
    enrolment_import_confirm,
    enrolment_import_preview,
    enrolment_import_retry,
    import_refused_message,
    max_bytes,
    max_rows,
    upload_refusal,
)
from .enrolment_staff import Outcome, staff_enrol, staff_move, staff_unenrol
from .gradebook import course_exercises
from .invitations import invitation_revoke
from .models import (
    Cohort,
    Enrolment,
    EnrolmentImport,
    EnrolmentStatus,
    ImportStatus,
    Invitation,
    InvitationStatus,
)

PAGE_SIZE = 50
IMPORT_PAGE_SIZE = 100

if TYPE_CHECKING:
    from django.views import View as _ViewBase
else:
    _ViewBase = object


OUTCOME_LABELS = {
    Outcome.ENROL: gettext_lazy("New enrolment"),
    Outcome.INVITE: gettext_lazy("Invitation"),
    Outcome.ALREADY: gettext_lazy("Already enrolled"),
    Outcome.MOVE: gettext_lazy("Moved cohort"),
    Outcome.ERROR: gettext_lazy("Error"),
}


class ScopeMixin(_ViewBase):
    """Loads the user's scope in the course named in the URL, or answers 404."""

    scope: StaffScope

    def dispatch(self, request, *args, **kwargs):
        scope = staff_scope(user=request.user, course_id=kwargs["course_id"])
        if scope is None:
            raise Http404(_("No course you teach has that id."))
        self.scope = scope
        return super().dispatch(request, *args, **kwargs)

    @property
    def course(self):
        return self.scope.course


def _breadcrumbs(view, *items) -> list[dict]:
    crumbs = [
        *view.breadcrumbs_items,
        {"url": reverse("enrolment:index"), "label": _("Enrolment")},
    ]
    if hasattr(view, "scope"):
        crumbs.append(
            {"url": reverse("enrolment:course", args=[view.course.pk]), "label": view.course.title}
        )
    return [*crumbs, *({"url": "", "label": label} for label in items)]


class StaffPage(WagtailAdminTemplateMixin, TemplateView):
    header_icon = "group"
    crumb: Any = ""

    def get_breadcrumbs_items(self):
        return _breadcrumbs(self, self.crumb) if self.crumb else _breadcrumbs(self)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if hasattr(self, "scope"):
            context["course"] = self.course
            context["scope"] = self.scope
        return context


def _cohort_choices(scope: StaffScope, *, blank: str | None) -> list[tuple[str, str]]:
    choices = [(str(c.pk), c.name) for c in scope.cohorts()]
    if blank is not None:
        choices.insert(0, ("", blank))
    return choices


def _cohort_of(scope: StaffScope, value: str) -> Cohort | None:
    if not value:
        return None
    return scope.cohorts().filter(pk=value).first()


# The index and the enrolment list ---------------------------------------------------------------


class EnrolmentIndexView(StaffPage):
    template_name = "courses/admin/enrolment_index.html"
    page_title = gettext_lazy("Enrolment")

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": _("Enrolment")}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["courses"] = staff_courses(user=self.request.user).annotate(
            active_count=Count("enrolments", filter=Q(enrolments__status=EnrolmentStatus.ACTIVE)),
            cohort_count=Count("cohorts", distinct=True),
        )
        return context


class EnrolmentFilterForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Name or e-mail"), required=False, max_length=200)
    cohort = forms.ChoiceField(label=gettext_lazy("Cohort"), required=False)
    status = forms.ChoiceField(
        label=gettext_lazy("Enrolment"),
        required=False,
        choices=[("", gettext_lazy("Any")), *EnrolmentStatus.choices],
    )

    def __init__(self, *args, scope: StaffScope, **kwargs):
        super().__init__(*args, **kwargs)
        choices = _cohort_choices(scope, blank=_("All my cohorts"))
        if scope.whole_course:
            choices = [("", _("Any")), ("none", _("No cohort")), *choices[1:]]
        self.fields["cohort"].choices = choices  # type: ignore[attr-defined]


class EnrolmentListView(ScopeMixin, StaffPage):
    template_name = "courses/admin/enrolment_list.html"

    def get_page_title(self):
        return _("Enrolment: %(course)s") % {"course": self.course.title}

    def get_breadcrumbs_items(self):
        return _breadcrumbs(self)

    def get_header_buttons(self):
        pk = self.course.pk
        # Two fit beside the title on a phone; cohorts and history are linked in the page.
        return [
            HeaderButton(
                _("Enrol a learner"), url=reverse("enrolment:enrol", args=[pk]), icon_name="plus"
            ),
            HeaderButton(
                _("Import CSV"), url=reverse("enrolment:import", args=[pk]), icon_name="upload"
            ),
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = EnrolmentFilterForm(self.request.GET or None, scope=self.scope)
        enrolments = self.scope.enrolments().select_related("learner", "cohort")
        filtered = False
        if form.is_bound and form.is_valid():
            data = form.cleaned_data
            search = data["q"].strip()
            if search:
                enrolments = enrolments.filter(
                    Q(learner__email__icontains=search)
                    | Q(learner__certificate_name__icontains=search)
                    | Q(learner__first_name__icontains=search)
                    | Q(learner__last_name__icontains=search)
                )
            if data["cohort"] == "none":
                enrolments = enrolments.filter(cohort__isnull=True)
            elif data["cohort"]:
                enrolments = enrolments.filter(cohort_id=data["cohort"])
            if data["status"]:
                enrolments = enrolments.filter(status=data["status"])
            filtered = any(data.values())
        page = Paginator(enrolments.order_by("sort_name", "pk"), PAGE_SIZE).get_page(
            self.request.GET.get("p")
        )
        invitations = Invitation.objects.filter(
            course=self.course, status=InvitationStatus.PENDING
        ).select_related("cohort")
        if not self.scope.whole_course:
            invitations = invitations.filter(cohort_id__in=self.scope.cohort_ids or ())
        context.update(
            {
                "form": form,
                "is_filtered": filtered,
                "page_obj": page,
                "move_choices": _cohort_choices(
                    self.scope, blank=_("No cohort") if self.scope.whole_course else None
                ),
                "invitations": invitations.order_by("-created_at")[:50],
                "imports": EnrolmentImport.objects.filter(course=self.course)
                .exclude(status__in=[ImportStatus.PREVIEWED, ImportStatus.REFUSED])
                .order_by("-created_at")[:5],
            }
        )
        return context


# Enrol, move, unenrol, withdraw an invitation ------------------------------------------------


class EnrolForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("E-mail address"), max_length=254)
    name = forms.CharField(
        label=gettext_lazy("Name"),
        required=False,
        max_length=255,
        help_text=gettext_lazy("Used to greet someone who is invited; an account keeps its own."),
    )
    cohort = forms.ChoiceField(label=gettext_lazy("Cohort"), required=False)

    def __init__(self, *args, scope: StaffScope, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cohort"].choices = _cohort_choices(  # type: ignore[attr-defined]
            scope, blank=_("No cohort") if scope.whole_course else None
        )
        self.fields["cohort"].required = not scope.whole_course


class EnrolView(ScopeMixin, StaffPage):
    template_name = "courses/admin/enrolment_form.html"
    crumb = gettext_lazy("Enrol a learner")

    def get_page_title(self):
        return _("Enrol a learner in %(course)s") % {"course": self.course.title}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", EnrolForm(scope=self.scope))
        return context

    def post(self, request, course_id: int):
        form = EnrolForm(request.POST, scope=self.scope)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        data = form.cleaned_data
        try:
            result = staff_enrol(
                scope=self.scope,
                actor=request.user,
                email=data["email"],
                cohort=_cohort_of(self.scope, data["cohort"]),
                name=data["name"],
            )
        except ValidationError as error:
            form.add_error(None, " ".join(error.messages))
            return self.render_to_response(self.get_context_data(form=form))
        text = {
            Outcome.ENROL: _("%(email)s is enrolled."),
            Outcome.MOVE: _("%(email)s is moved to the cohort."),
            Outcome.ALREADY: _("%(email)s was enrolled already; nothing changed."),
            Outcome.INVITE: _("%(email)s has no account yet: an invitation is on its way."),
        }[result.outcome]
        if result.invitation is not None and result.outcome != Outcome.INVITE:
            text = _("%(email)s is invited already; nothing was sent again.")
        messages.success(request, text % {"email": data["email"]})
        return redirect("enrolment:course", course_id=self.course.pk)


class EnrolmentActionView(ScopeMixin, View):
    http_method_names = ["post"]

    def enrolment(self, enrolment_id: int) -> Enrolment:
        return get_object_or_404(
            self.scope.enrolments().select_related("learner", "cohort"), pk=enrolment_id
        )

    def back(self):
        target = reverse("enrolment:course", args=[self.course.pk])
        query = self.request.POST.get("next_query", "")
        return redirect(f"{target}?{query}" if query and "\n" not in query else target)


class MoveView(EnrolmentActionView):
    def post(self, request, course_id: int, enrolment_id: int):
        enrolment = self.enrolment(enrolment_id)
        value = request.POST.get("cohort", "")
        cohort = _cohort_of(self.scope, value)
        if value and cohort is None:
            messages.error(request, _("Choose one of the course's cohorts."))
            return self.back()
        try:
            staff_move(scope=self.scope, actor=request.user, enrolment=enrolment, cohort=cohort)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("%(name)s is now in %(cohort)s.")
                % {
                    "name": enrolment.learner.display_name,
                    "cohort": cohort.name if cohort else _("no cohort"),
                },
            )
        return self.back()


class UnenrolView(EnrolmentActionView):
    def post(self, request, course_id: int, enrolment_id: int):
        enrolment = self.enrolment(enrolment_id)
        try:
            staff_unenrol(scope=self.scope, actor=request.user, enrolment=enrolment)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("%(name)s is unenrolled; their progress is kept if they are enrolled again.")
                % {"name": enrolment.learner.display_name},
            )
        return self.back()


class InvitationRevokeView(EnrolmentActionView):
    def post(self, request, course_id: int, invitation_id: int):
        invitations = Invitation.objects.filter(course=self.course, status=InvitationStatus.PENDING)
        if not self.scope.whole_course:
            invitations = invitations.filter(cohort_id__in=self.scope.cohort_ids or ())
        invitation = get_object_or_404(invitations, pk=invitation_id)
        invitation_revoke(invitation=invitation, actor=request.user)
        messages.success(
            request, _("The invitation to %(email)s is withdrawn.") % {"email": invitation.email}
        )
        return self.back()


class HistoryView(ScopeMixin, StaffPage):
    template_name = "courses/admin/enrolment_history.html"
    crumb = gettext_lazy("History")

    def get_page_title(self):
        return _("Enrolment history: %(course)s") % {"course": self.course.title}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        events = enrolment_events(course=self.course)
        if not self.scope.whole_course:
            ids = self.scope.cohort_ids or ()
            events = events.filter(Q(cohort_id__in=ids) | Q(from_cohort_id__in=ids))
        context["page_obj"] = Paginator(events, PAGE_SIZE).get_page(self.request.GET.get("p"))
        return context


# CSV import ----------------------------------------------------------------------------------


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )


class ImportUploadView(ScopeMixin, StaffPage):
    template_name = "courses/admin/enrolment_import.html"
    crumb = gettext_lazy("Import CSV")

    def get_page_title(self):
        return _("Import enrolments into %(course)s") % {"course": self.course.title}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", ImportForm())
        context["max_size"] = filesizeformat(max_bytes())
        context["max_rows"] = number_format(max_rows(), force_grouping=True)
        context["cohort_names"] = [c.name for c in self.scope.cohorts()]
        return context

    def post(self, request, course_id: int):
        form = ImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        upload = form.cleaned_data["file"]
        refusal = upload_refusal(upload.size or 0)
        problems = [refusal] if refusal else []
        if not problems:
            try:
                enrolment_import = enrolment_import_preview(
                    scope=self.scope,
                    actor=request.user,
                    filename=upload.name or "",
                    data=upload.read(),
                )
            except ImportRefused as refused:
                problems = refused.problems
        if problems:
            return self.render_to_response(self.get_context_data(form=form, problems=problems))
        return redirect(
            "enrolment:import_detail", course_id=self.course.pk, import_id=enrolment_import.pk
        )


class ImportMixin(ScopeMixin):
    enrolment_import: EnrolmentImport

    def dispatch(self, request, *args, **kwargs):
        return super().dispatch(request, *args, **kwargs)

    def load(self, import_id: int) -> EnrolmentImport:
        imports = EnrolmentImport.objects.filter(course=self.course)
        if not self.scope.whole_course:
            imports = imports.filter(uploaded_by_id=self.request.user.pk)
        return get_object_or_404(imports, pk=import_id)


class ImportDetailView(ImportMixin, StaffPage):
    template_name = "courses/admin/enrolment_import_detail.html"
    crumb = gettext_lazy("Import")

    def get_page_title(self):
        return _("Import of %(file)s") % {"file": self.enrolment_import.filename or _("a file")}

    def get(self, request, course_id: int, import_id: int):
        self.enrolment_import = self.load(import_id)
        return super().get(request, course_id=course_id, import_id=import_id)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        enrolment_import = self.enrolment_import
        rows = enrolment_import.preview
        show = self.request.GET.get("show", "")
        if enrolment_import.status == ImportStatus.REFUSED and not show:
            show = Outcome.ERROR
        if show in OUTCOME_LABELS:
            rows = [row for row in rows if row["outcome"] == show]
        page = Paginator(rows, IMPORT_PAGE_SIZE).get_page(self.request.GET.get("p"))
        context.update(
            {
                "imp": enrolment_import,
                "show": show,
                "page_obj": page,
                "counts": [
                    (key, OUTCOME_LABELS[key], enrolment_import.counts.get(key, 0))
                    for key in OUTCOME_LABELS
                ],
                "labels": OUTCOME_LABELS,
                "refused_message": import_refused_message(enrolment_import)
                if enrolment_import.status == ImportStatus.REFUSED
                else "",
                "in_progress": enrolment_import.status
                in (ImportStatus.QUEUED, ImportStatus.RUNNING),
                "status_url": reverse(
                    "enrolment:import_status", args=[self.course.pk, enrolment_import.pk]
                ),
            }
        )
        return context


class ImportConfirmView(ImportMixin, View):
    http_method_names = ["post"]

    def post(self, request, course_id: int, import_id: int):
        enrolment_import = self.load(import_id)
        if request.POST.get("retry"):
            queued = enrolment_import_retry(enrolment_import=enrolment_import)
        else:
            queued = enrolment_import_confirm(enrolment_import=enrolment_import)
        if not queued:
            messages.info(request, _("This import is not waiting for confirmation."))
        return redirect(
            "enrolment:import_detail", course_id=self.course.pk, import_id=enrolment_import.pk
        )


class ImportStatusView(ImportMixin, View):
    http_method_names = ["get"]

    def get(self, request, course_id: int, import_id: int):
        enrolment_import = self.load(import_id)
        return JsonResponse(
            {
                "status": enrolment_import.status,
                "status_label": str(enrolment_import.get_status_display()),
                "rows_done": enrolment_import.rows_done,
                "rows_total": enrolment_import.rows_total,
                "percent": enrolment_import.percent_done,
                "finished": enrolment_import.status in (ImportStatus.DONE, ImportStatus.FAILED),
            }
        )


# Cohorts -------------------------------------------------------------------------------------


class CohortListView(ScopeMixin, StaffPage):
    template_name = "courses/admin/cohort_list.html"
    crumb = gettext_lazy("Cohorts")

    def get_page_title(self):
        return _("Cohorts of %(course)s") % {"course": self.course.title}

    def get_header_buttons(self):
        if not self.scope.whole_course:
            return []
        return [
            HeaderButton(
                _("Add a cohort"),
                url=reverse("enrolment:cohort_add", args=[self.course.pk]),
                icon_name="plus",
            )
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["cohorts"] = (
            self.scope.cohorts()
            .annotate(
                learners=Count("enrolments", filter=Q(enrolments__status=EnrolmentStatus.ACTIVE)),
                due_count=Count("due_dates", distinct=True),
            )
            .prefetch_related("instructors")
        )
        return context


class CohortForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=120)
    starts_at = forms.DateTimeField(
        label=gettext_lazy("Starts"), required=False, widget=AdminDateTimeInput()
    )
    ends_at = forms.DateTimeField(
        label=gettext_lazy("Ends"), required=False, widget=AdminDateTimeInput()
    )
    instructors = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Instructors"),
        required=False,
        queryset=get_user_model().objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy(
            "They see and change this cohort's learners, dates and grades, and nothing else "
            "of the course unless they teach it."
        ),
    )

    instructor_emails = forms.CharField(
        label=gettext_lazy("Add instructors by e-mail"),
        required=False,
        max_length=2000,
        help_text=gettext_lazy(
            "Addresses of people with an account, separated by commas or spaces; they join the "
            "Instructors group."
        ),
    )

    def __init__(self, *args, scope: StaffScope, exercises, due: dict, **kwargs):
        super().__init__(*args, **kwargs)
        if scope.whole_course:
            self.fields["instructors"].queryset = (  # type: ignore[attr-defined]
                get_user_model()
                .objects.filter(
                    Q(groups__name=INSTRUCTORS_GROUP) | Q(is_superuser=True), is_active=True
                )
                .distinct()
                .order_by("certificate_name", "email")
            )
            self.fields["instructors"].label_from_instance = lambda user: (  # type: ignore[attr-defined]
                f"{user.display_name} <{user.email}>"
            )
        else:
            del self.fields["instructors"]
            del self.fields["instructor_emails"]
        self.exercise_fields = []
        for course_exercise in exercises:
            exercise = course_exercise.exercise
            name = f"due_{exercise.pk}"
            fallback = exercise.due_at
            self.fields[name] = forms.DateTimeField(
                label=course_exercise.title or exercise.title,
                required=False,
                initial=due.get(exercise.pk),
                widget=AdminDateTimeInput(),
                help_text=_("Empty: the exercise's own due date (%(due)s).")
                % {
                    "due": fallback.strftime("%Y-%m-%d %H:%M") if fallback else _("none"),
                },
            )
            self.exercise_fields.append((name, exercise.pk))

    def clean_instructor_emails(self):
        text = self.cleaned_data.get("instructor_emails", "")
        addresses = [a for a in text.replace(",", " ").replace(";", " ").split() if a]
        people = []
        unknown = []
        for address in addresses:
            person = get_user_model().objects.filter(email__iexact=address, is_active=True).first()
            if person is None:
                unknown.append(address)
            else:
                people.append(person)
        if unknown:
            raise ValidationError(
                _("No account has the address %(emails)s. Ask them to sign up first.")
                % {"emails": ", ".join(unknown[:5])}
            )
        return people

    def chosen_instructors(self):
        if "instructors" not in self.fields:
            return None
        chosen = list(self.cleaned_data.get("instructors") or [])
        for person in self.cleaned_data.get("instructor_emails") or []:
            if person not in chosen:
                chosen.append(person)
        return chosen

    def clean(self):
        data = super().clean() or {}
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends < starts:
            self.add_error("ends_at", _("A cohort cannot end before it starts."))
        return data

    def due_fields(self):
        return [self[name] for name, _pk in self.exercise_fields]

    def plain_fields(self):
        return [
            self[name]
            for name in ("name", "starts_at", "ends_at", "instructors", "instructor_emails")
            if name in self.fields
        ]


class CohortEditView(ScopeMixin, StaffPage):
    template_name = "courses/admin/cohort_form.html"
    cohort: Cohort | None = None

    def get_page_title(self):
        if self.cohort is None:
            return _("Add a cohort to %(course)s") % {"course": self.course.title}
        return _("Cohort %(cohort)s") % {"cohort": self.cohort.name}

    def get_breadcrumbs_items(self):
        return _breadcrumbs(self, self.cohort.name if self.cohort else _("Add a cohort"))

    def setup_cohort(self, cohort_id):
        if cohort_id is None:
            if not self.scope.whole_course:
                raise Http404(_("Only the course's instructors add cohorts."))
            self.cohort = None
        else:
            self.cohort = get_object_or_404(self.scope.cohorts(), pk=cohort_id)

    def form(self, data=None):
        exercises = course_exercises(course=self.course)
        due = cohort_due_dates(cohort=self.cohort) if self.cohort else {}
        initial = {}
        if self.cohort is not None:
            initial = {
                "name": self.cohort.name,
                "starts_at": self.cohort.starts_at,
                "ends_at": self.cohort.ends_at,
                "instructors": list(self.cohort.instructors.all()),
            }
        return CohortForm(data, initial=initial, scope=self.scope, exercises=exercises, due=due)

    def get(self, request, course_id: int, cohort_id: int | None = None):
        self.setup_cohort(cohort_id)
        return self.render_to_response(self.get_context_data(form=self.form()))

    def post(self, request, course_id: int, cohort_id: int | None = None):
        self.setup_cohort(cohort_id)
        form = self.form(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                cohort = cohort_save(
                    course=self.course,
                    cohort=self.cohort,
                    name=data["name"],
                    starts_at=data["starts_at"],
                    ends_at=data["ends_at"],
                    instructors=form.chosen_instructors(),
                )
                cohort_due_dates_set(
                    cohort=cohort, due={pk: data[name] for name, pk in form.exercise_fields}
                )
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    for field, errors in error.message_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
                else:
                    form.add_error(None, error.messages)
            else:
                messages.success(request, _("Cohort %(cohort)s saved.") % {"cohort": cohort.name})
                return redirect("enrolment:cohorts", course_id=self.course.pk)
        return self.render_to_response(self.get_context_data(form=form))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["cohort"] = self.cohort
        return context


# Menu and URLs -------------------------------------------------------------------------------


class EnrolmentMenuItem(MenuItem):
    def is_shown(self, request):
        return staff_courses(user=request.user).exists()


class EnrolmentViewSet(ViewSet):
    icon = "group"
    menu_label = gettext_lazy("Enrolment")
    menu_order = 260
    add_to_admin_menu = True
    menu_item_class = EnrolmentMenuItem

    def get_urlpatterns(self):
        return [
            path("", EnrolmentIndexView.as_view(), name="index"),
            path("<int:course_id>/", EnrolmentListView.as_view(), name="course"),
            path("<int:course_id>/enrol/", EnrolView.as_view(), name="enrol"),
            path(
                "<int:course_id>/enrolments/<int:enrolment_id>/move/",
                MoveView.as_view(),
                name="move",
            ),
            path(
                "<int:course_id>/enrolments/<int:enrolment_id>/unenrol/",
                UnenrolView.as_view(),
                name="unenrol",
            ),
            path(
                "<int:course_id>/invitations/<int:invitation_id>/withdraw/",
                InvitationRevokeView.as_view(),
                name="invitation_revoke",
            ),
            path("<int:course_id>/history/", HistoryView.as_view(), name="history"),
            path("<int:course_id>/import/", ImportUploadView.as_view(), name="import"),
            path(
                "<int:course_id>/import/<int:import_id>/",
                ImportDetailView.as_view(),
                name="import_detail",
            ),
            path(
                "<int:course_id>/import/<int:import_id>/confirm/",
                ImportConfirmView.as_view(),
                name="import_confirm",
            ),
            path(
                "<int:course_id>/import/<int:import_id>/status.json",
                ImportStatusView.as_view(),
                name="import_status",
            ),
            path("<int:course_id>/cohorts/", CohortListView.as_view(), name="cohorts"),
            path("<int:course_id>/cohorts/add/", CohortEditView.as_view(), name="cohort_add"),
            path(
                "<int:course_id>/cohorts/<int:cohort_id>/",
                CohortEditView.as_view(),
                name="cohort_edit",
            ),
        ]


enrolment_viewset = EnrolmentViewSet("enrolment")
