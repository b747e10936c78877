"""Every receiver of the courses app, connected in one place: `connect_receivers()`, called from
CoursesConfig.ready(). Each is connected explicitly, with a dispatch_uid (no `@receiver`, nothing
connected by importing a module), so calling it again changes nothing.

Business logic, on the documented signals (DESIGN.md: events travel up):
- grading.signals.submission_graded → `record_exercise_score` (the learner's counted score, then
  course progress, through services.exercise_score_record) and `record_test_tallies` (the
  per-test tallies the analytics read, through services.exercise_test_tallies_record).
- courses.signals.course_completed is sent here (by services), never received: certificates
  listens to it.
- allauth's user_signed_up and email_confirmed → `accept_invitations`: an account with a
  verified address that was invited joins its courses and cohorts
  (courses.invitations.invitations_accept_for). allauth's own signals, not ours.

Upkeep of stored copies:
- pre_save Enrolment → `name_new_enrolment` and post_save User → `learner_renamed`: the
  gradebook's stored sort names (courses.learner_names).
- wagtail page_published LessonPage → `index_lesson_references`: the exercises a lesson embeds,
  in Wagtail's reference index.

Cache invalidation (courses.caching: each starts a new pages generation):
- page_published, page_unpublished, post_page_move → `page_tree_changed`;
- post_delete of a Page → `page_deleted`; post_save of a site's root page → `site_root_saved`;
- post_save/post_delete of Site, PageViewRestriction, Skill, images → `shown_records_changed`;
- post_save User → `instructor_renamed`.
"""

from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_save
from wagtail.images import get_image_model_string
from wagtail.models import Page, PageViewRestriction, ReferenceIndex, Site
from wagtail.signals import page_published, page_unpublished, post_page_move

from grading.models import Submission, SubmissionKind
from grading.selectors import learner_exercise_score
from grading.signals import submission_graded

from .caching import SHOWN_USER_FIELDS, pages_changed
from .learner_names import NAME_FIELDS, enrolment_sort_names_refresh, learner_sort_name
from .models import CoursePage, Enrolment, LessonPage, Skill
from .services import exercise_score_record, exercise_test_tallies_record

# Business logic: grading's submission_graded ----------------------------------------------------


def record_exercise_score(sender, submission: Submission, **kwargs) -> None:
    """Store the learner's counted score (best or last, overrides winning) for course progress."""
    if submission.kind != SubmissionKind.SUBMIT or submission.course_page_id is None:
        return
    course = CoursePage.objects.filter(pk=submission.course_page_id).first()
    if (
        course is None
        or not Enrolment.objects.filter(learner_id=submission.learner_id, course=course).exists()
    ):
        return
    counted = learner_exercise_score(
        learner=submission.learner, exercise=submission.exercise, course_page_id=course.pk
    )
    if counted is None or counted.max_score <= 0:
        return
    exercise_score_record(
        learner=submission.learner,
        course=course,
        exercise=submission.exercise,
        points=min(counted.score, counted.max_score),
        max_points=counted.max_score,
        raw_points=min(counted.submission.raw_score or Decimal(0), counted.max_score),
        late_penalty_percent=(
            counted.submission.late_penalty_percent
            if counted.submission.late_penalty_applies
            else 0
        ),
    )


def record_test_tallies(sender, submission: Submission, **kwargs) -> None:
    """Recompute the learner's per-test tallies for the exercise, for the course analytics."""
    if submission.kind != SubmissionKind.SUBMIT or submission.course_page_id is None:
        return
    if not CoursePage.objects.filter(pk=submission.course_page_id).exists():
        return
    exercise_test_tallies_record(
        course_id=submission.course_page_id,
        learner_id=submission.learner_id,
        exercise_id=submission.exercise_id,
    )


# Stored copies: sort names and the reference index ---------------------------------------------


def name_new_enrolment(sender, instance: Enrolment, raw: bool = False, **kwargs) -> None:
    if raw or not instance._state.adding or instance.sort_name:
        return  # fixtures load rows as they were; later saves keep the stored name
    instance.sort_name = learner_sort_name(instance.learner)


def learner_renamed(
    sender, instance, created: bool, update_fields=None, raw: bool = False, **kwargs
) -> None:
    if created or raw:
        return  # a new user has no enrolment yet
    if update_fields is not None and not NAME_FIELDS & set(update_fields):
        return  # a log-in (last_login) or a password change leaves the name alone
    enrolment_sort_names_refresh(learner=instance)


def index_lesson_references(sender, instance: LessonPage, **kwargs) -> None:
    """Record the exercises a lesson embeds in Wagtail's reference index as it goes live.

    exercise_views.course_uses_exercise reads the index to let learners reach an embedded
    exercise. Wagtail updates it in a task after each save, which a task worker may run later
    (or not at all while it is down); done here, it is part of publishing the lesson.
    """
    if ReferenceIndex.is_indexed(LessonPage):
        with transaction.atomic():
            ReferenceIndex.create_or_update_for_object(instance)


# Cache invalidation ----------------------------------------------------------------------------


def page_tree_changed(sender, **kwargs) -> None:
    pages_changed()


def page_deleted(sender, instance, **kwargs) -> None:
    # Deleting a page sends post_delete once per model of its inheritance chain; Page is enough.
    if sender is Page:
        pages_changed()


def site_root_saved(sender, instance, update_fields=None, **kwargs) -> None:
    # A site's root page is remembered with the site (courses.sites), whatever its fields.
    if isinstance(instance, Page) and instance.url_path in {
        root.root_path for root in Site.get_site_root_paths()
    }:
        pages_changed()


def shown_records_changed(sender, **kwargs) -> None:
    pages_changed()


def instructor_renamed(sender, instance, update_fields=None, **kwargs) -> None:
    if update_fields is not None and not SHOWN_USER_FIELDS & set(update_fields):
        return  # a log-in (last_login) or a password change shows nowhere on course pages
    if instance.taught_courses.exists():
        pages_changed()


def accept_invitations(sender, request=None, user=None, email_address=None, **kwargs) -> None:
    from .invitations import invitations_accept_for

    user = user if user is not None else getattr(email_address, "user", None)
    if user is not None:
        invitations_accept_for(user=user)


def connect_receivers() -> None:
    """Connect every receiver above (see the module docstring); idempotent by dispatch_uid."""
    from allauth.account.signals import email_confirmed, user_signed_up

    user_signed_up.connect(accept_invitations, dispatch_uid="courses.accept_invitations.signup")
    email_confirmed.connect(accept_invitations, dispatch_uid="courses.accept_invitations.confirmed")
    submission_graded.connect(
        record_exercise_score, sender=Submission, dispatch_uid="courses.record_exercise_score"
    )
    submission_graded.connect(
        record_test_tallies, sender=Submission, dispatch_uid="courses.record_test_tallies"
    )

    pre_save.connect(
        name_new_enrolment, sender=Enrolment, dispatch_uid="courses.name_new_enrolment"
    )
    post_save.connect(
        learner_renamed, sender=settings.AUTH_USER_MODEL, dispatch_uid="courses.learner_renamed"
    )
    page_published.connect(
        index_lesson_references, sender=LessonPage, dispatch_uid="courses.index_lesson_references"
    )

    for signal in (page_published, page_unpublished, post_page_move):
        signal.connect(page_tree_changed, dispatch_uid="courses.cache.page_tree_changed")
    post_delete.connect(page_deleted, dispatch_uid="courses.cache.page_deleted")
    # Any model: a site's root page may be of any page type.
    post_save.connect(site_root_saved, dispatch_uid="courses.cache.site_root_saved")
    # Cached cards and lesson figures hold rendition URLs and alt text of images.
    for model in (Site, PageViewRestriction, Skill, get_image_model_string()):
        name = model if isinstance(model, str) else model._meta.label
        for changed in (post_save, post_delete):
            changed.connect(
                shown_records_changed,
                sender=model,
                dispatch_uid=f"courses.cache.shown_records_changed.{name}",
            )
    post_save.connect(
        instructor_renamed,
        sender=settings.AUTH_USER_MODEL,
        dispatch_uid="courses.cache.instructor_renamed",
    )
