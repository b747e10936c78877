"""The learner's name as the gradebook sorts it, stored on each of their enrolments.

The gradebook lists a course's learners by the name it shows (User.display_name). Working that
name out from the learner's row for every enrolment of the course, then sorting them all, made
each page of a big course cost the whole course. Enrolment.sort_name holds it instead, indexed
with the course, so a page reads the index in order. It is set when the enrolment is created and
follows the learner's names and e-mail when they change (receivers in courses.receivers); bulk
inserts (fixtures, benchmarks) set it themselves with `learner_sort_name`.
"""

from __future__ import annotations

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
