"""Points in the database: the engine's exact Fractions stored as decimals, rounded once, one way.

Every score, maximum and override (grading.Submission, its audit rows, ExerciseRevision.max_score,
the courses app's counted scores and totals) is a PointsField: POINTS_PLACES decimals, rounded
half to even from the exact value by `stored_points`. One rounding everywhere means a full score
is stored equal to its maximum and equal fractions are stored equal (1/3 is 0.333333 wherever it
is written). The exact values stay in the submission's report JSON; people see points rounded
further by exercises.format.format_points.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from .format import format_points, parse_points

#: A millionth of a point: exact for every decimal an author types in practice, and far below
#: what any pass rule (whole percents) or display (format_points, 2 places) can tell apart.
POINTS_PLACES = 6
#: Up to ten digits before the point.
POINTS_DIGITS = 16


def stored_points(value: Any) -> Decimal:
    """The decimal a points value is stored as: exact input rounded half to even to POINTS_PLACES.

    Takes what parse_points reads (a Fraction, a Decimal, an int, a float read as its decimal,
    "1/3"); anything else, NaN and infinities included, is a ValueError.
    """
    exact = parse_points(value)
    if exact is None:
        raise ValueError(f"{value!r} is not a number of points")
    scaled = round(exact * 10**POINTS_PLACES)
    return Decimal(scaled).scaleb(-POINTS_PLACES)


def exact_points(value: Any) -> Fraction:
    """A stored points value (a Decimal, None for no score) as an exact Fraction; None is 0."""
    if value is None:
        return Fraction(0)
    exact = parse_points(value)
    if exact is None:
        raise ValueError(f"{value!r} is not a number of points")
    return exact


class PointsFormField(forms.DecimalField):
    """Points typed by a person: a decimal (0.5) or a fraction (1/3), stored as stored_points does.

    Shown without trailing zeros: 2, not 2.000000.
    """

    widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})

    def to_python(self, value: Any) -> Any:
        if value in self.empty_values or (isinstance(value, str) and not value.strip()):
            return None
        try:
            return stored_points(value.strip() if isinstance(value, str) else value)
        except ValueError:
            raise ValidationError(
                _("Enter a number of points, such as 2, 0.5 or 1/3."), code="invalid"
            ) from None

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, Fraction | Decimal | float | int) and not isinstance(value, bool):
            exact = parse_points(value)
            return value if exact is None else format_points(exact, POINTS_PLACES)
        return value


class PointsField(models.DecimalField):
    """A DecimalField of POINTS_PLACES places that takes exact points (Fractions) as well."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", POINTS_DIGITS)
        kwargs.setdefault("decimal_places", POINTS_PLACES)
        super().__init__(*args, **kwargs)

    def to_python(self, value: Any) -> Any:
        if value is None or isinstance(value, bool):
            return super().to_python(value)
        if isinstance(value, Fraction | float | int | Decimal | str):
            try:
                return stored_points(value)
            except ValueError:
                raise ValidationError(
                    _("“%(value)s” is not a number of points."),
                    code="invalid",
                    params={"value": value},
                ) from None
        return super().to_python(value)

    def formfield(self, **kwargs: Any) -> Any:
        return super().formfield(**{"form_class": PointsFormField, **kwargs})
