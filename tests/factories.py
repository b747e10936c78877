"""Factories any test package may use (the course page tree's are in tests/courses/factories.py)."""

import factory

from exercises.models import Exercise


class ExerciseFactory(factory.django.DjangoModelFactory):
    """An exercise without a notebook: enough for a course to count it or a lesson to embed it.

    A slug that exists already gives that exercise back. For an exercise learners can submit, use
    tests.grading.submissions_support.make_exercise (a validated RICE notebook).
    """

    class Meta:
        model = Exercise
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"exercise-{n}")
    title = factory.LazyAttribute(lambda exercise: exercise.slug.replace("-", " ").capitalize())
