"""Hostile or broken cell metadata never escapes as anything but SourceInvalid."""

import copy

from hypothesis import given, settings
from hypothesis import strategies as st

from exercises.format import SourceInvalid, parse_source, release_notebook
from tests.exercises.conftest import load_exercise

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
nbgrader_fields = st.fixed_dictionaries(
    {},
    optional={
        "grade": json_values,
        "solution": json_values,
        "locked": json_values,
        "task": json_values,
        "grade_id": json_values,
        "points": json_values,
        "schema_version": json_values,
    },
)
RICE = load_exercise("rice_nbgrader_schema4.ipynb")
SEALED = load_exercise("rice_sealed.ipynb")


@settings(max_examples=150, deadline=None)
@given(st.integers(0, len(RICE.cells) - 1), nbgrader_fields)
def test_any_nbgrader_metadata_parses_or_is_reported(index, meta):
    nb = copy.deepcopy(RICE)
    nb.cells[index].metadata["nbgrader"] = meta
    try:
        release_notebook(parse_source(nb))
    except SourceInvalid as exc:
        assert exc.problems
        assert all(p.message and p.fix for p in exc.problems)


@settings(max_examples=150, deadline=None)
@given(st.integers(4, 6), json_values)
def test_any_sealed_block_parses_or_is_reported(index, sealed):
    nb = copy.deepcopy(SEALED)
    nb.cells[index].metadata["pma"] = {"sealed": sealed}
    try:
        parse_source(nb)
    except SourceInvalid as exc:
        assert exc.problems


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=200))
def test_any_otter_question_yaml_parses_or_is_reported(body):
    nb = copy.deepcopy(load_exercise("rice_otter_v1.ipynb"))
    nb.cells[3].source = "# BEGIN QUESTION\n" + body
    try:
        parse_source(nb)
    except SourceInvalid as exc:
        assert exc.problems
