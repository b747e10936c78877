"""The learner's name as the gradebook sorts it, stored on each of their enrolments.

The gradebook lists a course's learners by the name it shows (User.display_name). Working that
name out from the learner's row for every enrolment of the course, then sorting them all, made
each page of a big course cost the whole course. Enrolment.sort_name holds it instead, indexed
with the course, so a page reads the index in order. It is set when the enrolment is created and
follows the learner's names and e-mail when they change; bulk inserts (fixtures, benchmarks) set
it themselves with `learner_sort_name`.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from accounts.models import shown_name

from .models import SORT_NAME_MAX_LENGTH, Enrolment

# The user fields the shown name is made of.
NAME_FIELDS = frozenset({"certificate_name", "first_name", "last_name", "email", "username"})


def learner_sort_name(learner) -> str:
    """User.display_name, case-folded for sorting. Reads plain fields only, so a migration can
    pass its historical users."""
    name = shown_name(
        certificate_name=learner.certificate_name,
        first_name=learner.first_name,
        last_name=learner.last_name,
        email=learner.email,
        username=learner.username,
    )
    return name.casefold()[:SORT_NAME_MAX_LENGTH]


def enrolment_sort_names_refresh(*, learner) -> int:
    """Store the learner's current sort name on their enrolments; returns how many changed."""
    name = learner_sort_name(learner)
    return (
        Enrolment.objects.filter(learner_id=learner.pk)
        .exclude(sort_name=name)
        .update(sort_name=name)
    )


@receiver(pre_save, sender=Enrolment, dispatch_uid="courses.name_new_enrolment")
def _name_new_enrolment(sender, instance: Enrolment, raw: bool = False, **kwargs) -> None:
    if raw or not instance._state.adding or instance.sort_name:
        return  # fixtures load rows as they were; later saves keep the stored name
    instance.sort_name = learner_sort_name(instance.learner)


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="courses.learner_renamed")
def _learner_renamed(
    sender, instance, created: bool, update_fields=None, raw: bool = False, **kwargs
) -> None:
    if created or raw:
        return  # a new user has no enrolment yet
    if update_fields is not None and not NAME_FIELDS & set(update_fields):
        return  # a log-in (last_login) or a password change leaves the name alone
    enrolment_sort_names_refresh(learner=instance)
