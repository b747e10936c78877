"""A validated LTI launch, turned into PM Academy terms: who (an account matched by issuer and
sub, never by e-mail), in which role, into which course, lesson or exercise.

pylti1p3 validates the id_token (signature, iss/aud/azp, deployment, nonce, state, expiry);
this module adds what it leaves out (a nonce used once only, azp with several audiences, a pasted
platform key) and everything after validation. Every refusal is a LaunchRefused: the views show
its message and log its reason; nothing here produces a 500.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.translation import gettext as _
from pylti1p3.contrib.django import DjangoMessageLaunch, DjangoOIDCLogin
from pylti1p3.exception import LtiException, OIDCException
from pylti1p3.roles import (
    DesignerRole,
    StudentRole,
    TeacherRole,
    TeachingAssistantRole,
)
from wagtail.models import Page, Site

from accounts.models import INSTRUCTORS_GROUP
from courses.cohorts import cohort_save
from courses.exercise_views import course_uses_exercise
from courses.models import Cohort, CoursePage, Enrolment, LessonPage, ModulePage, originals
from courses.services import enrolment_create
from exercises.models import Exercise

from .launch_storage import DatabaseLaunchDataStorage
from .models import (
    LtiContext,
    LtiIdentity,
    LtiResourceLink,
    LtiRole,
    PlatformRegistration,
)
from .tool_config import DatabaseToolConf

logger = logging.getLogger("pma.lti")

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
CUSTOM_RESOURCE = "pma_resource"
ID_TOKEN_LEEWAY_SECONDS = 0


class LaunchRefused(Exception):
    """A launch the tool will not honour: `message` is for the person, `reason` for the log."""

    def __init__(self, *, reason: str, message: str, status: int = 403) -> None:
        super().__init__(reason)
        self.reason = reason
        self.message = message
        self.status = status


def refusal_for(error: Exception) -> LaunchRefused:
    """pylti1p3's exception text, sorted into what the person can do about it."""
    text = str(error)
    if "Invalid Nonce" in text or "nonce" in text.lower() and "used" in text.lower():
        return LaunchRefused(
            reason=f"replayed or unknown nonce: {text}",
            message=_(
                "This launch has already been used. Go back to your course in the LMS and open "
                "the link again."
            ),
        )
    if "expired" in text.lower():
        return LaunchRefused(
            reason=f"expired id_token: {text}",
            message=_(
                "The launch from your LMS took too long and has expired. Open the link in your "
                "LMS again."
            ),
        )
    if "State not found" in text or "state" in text.lower() or "cookie" in text.lower():
        return LaunchRefused(
            status=400,
            reason=f"state/cookie: {text}",
            message=_(
                "Your browser did not keep PM Academy's sign-in cookie, which happens when it "
                "blocks cookies inside the LMS page. Open the link again and choose “Open in a "
                "new window”."
            ),
        )
    if (
        "Registration not found" in text
        or "Client id not registered" in text
        or ("registration" in text.lower())
    ):
        return LaunchRefused(
            reason=f"unknown platform or audience: {text}",
            message=_(
                "This LMS, or this link's client ID, is not registered with PM Academy. Ask your "
                "LMS administrator to check the PM Academy registration."
            ),
        )
    if "deployment" in text.lower():
        return LaunchRefused(
            reason=f"unknown deployment: {text}",
            message=_(
                "This LMS deployment is not registered with PM Academy. Ask your LMS "
                "administrator to add its deployment ID to the PM Academy registration."
            ),
        )
    if "decode id_token" in text or "public key" in text.lower() or "Signature" in text:
        return LaunchRefused(
            reason=f"bad signature: {text}",
            message=_(
                "PM Academy could not verify that this launch came from your LMS. Ask your LMS "
                "administrator to check the platform keys in the registration."
            ),
        )
    return LaunchRefused(
        status=400,
        reason=f"invalid launch: {text}",
        message=_("This launch from your LMS is not valid. Open the link in your LMS again."),
    )


class PmaOIDCLogin(DjangoOIDCLogin):
    def __init__(self, request: Any) -> None:
        super().__init__(
            request, DatabaseToolConf(), launch_data_storage=DatabaseLaunchDataStorage()
        )


class PmaMessageLaunch(DjangoMessageLaunch):
    """pylti1p3's launch, plus: the nonce is consumed once all checks pass (pylti1p3 only checks
    that it exists, so the same id_token could be posted again), azp is checked, a pasted
    platform key is used whatever kid the LMS names, and exp/iat are required."""

    def __init__(self, request: Any, tool_config: Any = None, **kwargs: Any) -> None:
        # pylti1p3's from_cache() builds the class with every argument spelled out.
        kwargs.setdefault("launch_data_storage", DatabaseLaunchDataStorage())
        super().__init__(request, tool_config or DatabaseToolConf(), **kwargs)
        self.set_jwt_verify_options(
            {"verify_aud": False, "require": ["exp", "iat"]}  # type: ignore[dict-item]
        )

    @classmethod
    def restore(cls, launch_id: str, request: Any) -> PmaMessageLaunch:
        return cls.from_cache(  # type: ignore[return-value]  # from_cache returns cls
            launch_id,
            request,
            DatabaseToolConf(),
            launch_data_storage=DatabaseLaunchDataStorage(),
        )

    def validate_registration(self) -> PmaMessageLaunch:
        super().validate_registration()
        body = self._get_jwt_body()
        aud = body.get("aud")
        azp = body.get("azp")
        if (isinstance(aud, list) and len(aud) > 1 or azp) and azp != self.get_client_id():
            raise LtiException("Registration not found: azp does not name this client")
        return self

    def get_public_key(self) -> tuple[str, str]:
        record = self.registration_record()
        if record is not None and record.public_key.strip():
            return record.public_key.strip(), "RS256"
        return super().get_public_key()

    def save_launch_data(self) -> PmaMessageLaunch:
        nonce = self._get_jwt_body().get("nonce")
        storage = self._session_service.data_storage
        key = self._session_service._get_key("nonce", nonce)
        if not isinstance(storage, DatabaseLaunchDataStorage) or not storage.consume(key):
            raise LtiException("Invalid Nonce: already used")
        super().save_launch_data()
        return self

    def registration_record(self) -> PlatformRegistration | None:
        body = self._get_jwt_body()
        return DatabaseToolConf().registration_record(body.get("iss", ""), self.get_client_id())

    @property
    def body(self) -> dict[str, Any]:
        return dict(self._get_jwt_body())


def launch_registration(launch: PmaMessageLaunch) -> PlatformRegistration:
    """The registration validate() found (gone only if deleted in between)."""
    registration = launch.registration_record()
    if registration is None:
        raise refusal_for(LtiException("Registration not found."))
    return registration


def validated_launch(request: Any) -> PmaMessageLaunch:
    launch = PmaMessageLaunch(request)
    try:
        launch.validate()
    except (LtiException, OIDCException) as error:
        raise refusal_for(error) from error
    return launch


# Who ------------------------------------------------------------------------------------------


def launch_role(launch: PmaMessageLaunch) -> str:
    body = launch.body
    if any(role(body).check() for role in (TeacherRole, DesignerRole, TeachingAssistantRole)):
        return LtiRole.INSTRUCTOR
    if StudentRole(body).check():
        return LtiRole.LEARNER
    raise LaunchRefused(
        reason=f"no learner or instructor role in {body.get(CLAIM + 'roles')!r}",
        message=_(
            "Your LMS did not say whether you are a learner or an instructor in this course, so "
            "PM Academy cannot open it for you. Ask your LMS administrator to check the roles "
            "the tool receives."
        ),
    )


def _username(issuer: str, sub: str) -> str:
    """Readable, and unique per (issuer, sub): two issuers on one host may reuse a sub."""
    host = urlsplit(issuer).netloc or issuer
    digest = hashlib.sha256(f"{issuer}\n{sub}".encode()).hexdigest()[:10]
    slug = re.sub(r"[^\w.@+-]", "-", f"lti-{host}-{sub}")[:135]
    return f"{slug}-{digest}"


@transaction.atomic
def identity_for(
    *, registration: PlatformRegistration, issuer: str, sub: str, name: str = "", email: str = ""
) -> LtiIdentity:
    """The account of an LMS user, by (issuer, sub) only; made on first sight.

    An e-mail the LMS sends is kept on the identity but never used to pick an existing account:
    anyone able to set their e-mail in some LMS would otherwise take over that account."""
    if not sub:
        raise LaunchRefused(
            reason="launch without sub",
            message=_("Your LMS did not say who you are. Sign in to your LMS and try again."),
        )
    identity = (
        LtiIdentity.objects.select_for_update()
        .select_related("user")
        .filter(issuer=issuer, sub=sub)
        .first()
    )
    first, _sep, last = name.strip().partition(" ")
    if identity is None:
        user_model = get_user_model()
        user = user_model(
            username=_username(issuer, sub),
            first_name=first[:150],
            last_name=last[:150],
        )
        # The address is the account's only if no other account has it (accounts are unique by
        # e-mail); it stays unverified either way.
        if email and not user_model.objects.filter(email__iexact=email).exists():
            user.email = email
        user.set_unusable_password()
        user.save()
        identity = LtiIdentity.objects.create(
            registration=registration, issuer=issuer, sub=sub, user=user, name=name, email=email
        )
    elif (name and identity.name != name) or (email and identity.email != email):
        identity.name, identity.email = name or identity.name, email or identity.email
        identity.save(update_fields=["name", "email"])
    return identity


# What -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Resource:
    course: CoursePage
    page: Page | None = None
    exercise: Exercise | None = None

    @property
    def url(self) -> str:
        if self.exercise is not None:
            return f"/courses/{self.course.pk}/exercises/{self.exercise.pk}/"
        return (self.page or self.course).url


def _gone(what: str) -> LaunchRefused:
    return LaunchRefused(
        status=404,
        reason=f"launch for a deleted resource: {what}",
        message=_(
            "What this link opened is no longer on PM Academy: it was removed or unpublished. "
            "Ask your instructor to replace the link in the LMS."
        ),
    )


def course_of(page: Page) -> CoursePage | None:
    specific = page.specific
    if isinstance(specific, CoursePage):
        return specific
    if isinstance(specific, LessonPage | ModulePage):
        return CoursePage.objects.ancestor_of(specific).first()
    return None


def resource_from_reference(reference: str) -> Resource:
    """`page:<id>` (a course or lesson page) or `exercise:<course id>:<exercise id>`."""
    kind, _sep, rest = reference.partition(":")
    try:
        if kind == "page":
            page = Page.objects.filter(pk=int(rest)).first()
            if page is None or not page.live:
                raise _gone(reference)
            course = course_of(page)
            if course is None or not course.live:
                raise _gone(reference)
            return Resource(course=course, page=page.specific)
        if kind == "exercise":
            course_id, _sep, exercise_id = rest.partition(":")
            course = originals(CoursePage.objects.live()).filter(pk=int(course_id)).first()
            exercise = Exercise.objects.filter(pk=int(exercise_id)).first()
            if course is None or exercise is None:
                raise _gone(reference)
            if not course_uses_exercise(course=course, exercise=exercise):
                raise _gone(reference)
            return Resource(course=course, exercise=exercise)
    except ValueError:
        pass
    raise LaunchRefused(
        status=400,
        reason=f"unreadable resource reference {reference!r}",
        message=_("This link does not say what to open. Ask your instructor to replace it."),
    )


def resource_from_url(url: str, *, request: Any) -> Resource | None:
    """A target_link_uri naming a page of this site (an exercise URL or a Wagtail page path)."""
    path = urlsplit(url).path or "/"
    if path.startswith("/lti/"):
        return None
    try:
        match = resolve(path)
    except Resolver404:
        match = None
    if match is not None and match.url_name == "exercise_page":
        return resource_from_reference(
            f"exercise:{match.kwargs['course_id']}:{match.kwargs['exercise_id']}"
        )
    site = Site.find_for_request(request) or Site.objects.filter(is_default_site=True).first()
    if site is None:
        return None
    try:
        page, _args, _kwargs = site.root_page.specific.route(
            request, [part for part in path.split("/") if part]
        )
    except Http404:
        raise _gone(url) from None
    return resource_from_reference(f"page:{page.pk}")


def launch_resource(launch: PmaMessageLaunch, *, request: Any) -> Resource:
    body = launch.body
    custom = body.get(CLAIM + "custom") or {}
    reference = custom.get(CUSTOM_RESOURCE) if isinstance(custom, dict) else None
    if reference:
        return resource_from_reference(str(reference))
    found = resource_from_url(body.get(CLAIM + "target_link_uri", ""), request=request)
    if found is None:
        raise LaunchRefused(
            status=400,
            reason="resource launch naming no course, lesson or exercise",
            message=_(
                "This link does not say which PM Academy course, lesson or exercise to open. "
                "Ask your instructor to add it again with “Select content” in the LMS."
            ),
        )
    return found


# Where ----------------------------------------------------------------------------------------


def context_record(
    *, launch: PmaMessageLaunch, registration: PlatformRegistration
) -> LtiContext | None:
    body = launch.body
    claim = body.get(CLAIM + "context") or {}
    if not claim.get("id"):
        return None
    nrps = body.get("https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice") or {}
    context, _created = LtiContext.objects.get_or_create(
        registration=registration,
        deployment_id=body.get(CLAIM + "deployment_id", ""),
        context_id=claim["id"],
    )
    changed = []
    for field, value in (
        ("title", (claim.get("title") or claim.get("label") or "")[:300]),
        ("memberships_url", nrps.get("context_memberships_url", "")),
    ):
        if value and getattr(context, field) != value:
            setattr(context, field, value)
            changed.append(field)
    if changed:
        context.save(update_fields=changed)
    return context


def link_record(
    *, launch: PmaMessageLaunch, context: LtiContext, resource: Resource
) -> LtiResourceLink | None:
    body = launch.body
    claim = body.get(CLAIM + "resource_link") or {}
    if not claim.get("id"):
        return None
    ags = body.get("https://purl.imsglobal.org/spec/lti-ags/claim/endpoint") or {}
    link, _created = LtiResourceLink.objects.update_or_create(
        context=context,
        resource_link_id=claim["id"],
        defaults={
            "title": (claim.get("title") or "")[:300],
            "page": resource.page if resource.exercise is None else None,
            "exercise": resource.exercise,
            "lineitem_url": ags.get("lineitem", ""),
            "lineitems_url": ags.get("lineitems", ""),
            "ags_scopes": ags.get("scope", []),
            "last_launch_at": timezone.now(),
        },
    )
    return link


def context_cohort(*, context: LtiContext) -> Cohort | None:
    """The cohort the LMS course's learners join in its PM Academy course; made on first use,
    named after the LMS course (its id added if another cohort has that name)."""
    if context.course is None:
        return None
    if context.cohort is not None and context.cohort.course_id == context.course_id:
        return context.cohort
    base = (context.title or context.context_id)[:100]
    for name in (f"LMS: {base}", f"LMS: {base} ({context.context_id})"[:120]):
        try:
            cohort = cohort_save(course=context.course, name=name, starts_at=None, ends_at=None)
        except ValidationError:
            continue
        context.cohort = cohort
        context.save(update_fields=["cohort"])
        return cohort
    return None


def learner_enrol(*, user: Any, course: CoursePage, cohort: Cohort | None, **audit: Any) -> None:
    """Enrol (again); the LMS course's cohort only for a learner not yet in a cohort, so someone
    in two LMS courses of one PM Academy course is not moved back and forth."""
    current = Enrolment.objects.filter(learner=user, course=course).first()
    keep = current is not None and current.cohort_id is not None
    enrolment_create(learner=user, course=course, cohort=None if keep else cohort, **audit)


def cohort_instructor_add(*, user: Any, cohort: Cohort | None) -> None:
    if cohort is not None and not cohort.instructors.filter(pk=user.pk).exists():
        cohort_save(
            course=cohort.course,
            name=cohort.name,
            starts_at=cohort.starts_at,
            ends_at=cohort.ends_at,
            instructors=[*cohort.instructors.all(), user],
            cohort=cohort,
        )


def instructor_grant(*, user: Any, course: CoursePage) -> None:
    """Course instructor rights on this course only, through the course's own instructors list
    (course_instructors_sync keeps its permission group in step when the page is saved)."""
    group, _created = Group.objects.get_or_create(name=INSTRUCTORS_GROUP)
    user.groups.add(group)
    if not course.instructors.filter(pk=user.pk).exists():
        course.instructors.add(user)
        course.save(update_fields=["instructors"])


@dataclass(frozen=True)
class ResourceLaunch:
    registration: PlatformRegistration
    identity: LtiIdentity
    role: str
    resource: Resource
    context: LtiContext | None
    link: LtiResourceLink | None


@transaction.atomic
def resource_launch_accept(*, launch: PmaMessageLaunch, request: Any) -> ResourceLaunch:
    """Match or make the account, map the role, find the resource, enrol or grant; record the
    context and the link (with its line item for grade passback)."""
    registration = launch_registration(launch)
    body = launch.body
    role = launch_role(launch)
    resource = launch_resource(launch, request=request)
    identity = identity_for(
        registration=registration,
        issuer=body["iss"],
        sub=body.get("sub", ""),
        name=body.get("name", "")
        or " ".join(filter(None, [body.get("given_name"), body.get("family_name")])),
        email=body.get("email", ""),
    )
    identity.last_launch_at = timezone.now()
    identity.save(update_fields=["last_launch_at"])
    context = context_record(launch=launch, registration=registration)
    if context is not None and context.course_id != resource.course.pk:
        context.course = resource.course
        context.save(update_fields=["course"])
    link = link_record(launch=launch, context=context, resource=resource) if context else None
    cohort = context_cohort(context=context) if context else None
    if role == LtiRole.INSTRUCTOR:
        cohort_instructor_add(user=identity.user, cohort=cohort)
        if registration.instructors_edit_course:
            instructor_grant(user=identity.user, course=resource.course)
    else:
        try:
            learner_enrol(user=identity.user, course=resource.course, cohort=cohort)
        except ValidationError as error:
            raise LaunchRefused(
                reason=f"enrolment refused: {error}",
                message=" ".join(error.messages),
            ) from error
    return ResourceLaunch(
        registration=registration,
        identity=identity,
        role=role,
        resource=resource,
        context=context,
        link=link,
    )
