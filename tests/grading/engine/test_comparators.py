"""Sealed-check comparators: exact values, credit in [0, 1], messages that never reveal expected values."""

import itertools
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from exercises.format import Comparator, ComparatorKind, RankingMethod
from grading.engine.sealed import call_expression, compare, json_equal, ranking_credit

EXACT = Comparator(kind=ComparatorKind.EXACT)


def test_exact_is_type_strict_like_json():
    assert compare(EXACT, {"a": [1, "x"]}, {"a": [1.0, "x"]}).credit == 1.0
    assert compare(EXACT, True, 1).credit == 0.0
    assert compare(EXACT, "1", 1).credit == 0.0
    assert compare(EXACT, [1, 2], [2, 1]).credit == 0.0
    assert not json_equal({"a": 1}, {"a": 1, "b": 2})


def test_numeric_tolerance_absolute_and_relative():
    absolute = Comparator(kind=ComparatorKind.NUMERIC, abs_tol=0.01)
    relative = Comparator(kind=ComparatorKind.NUMERIC, rel_tol=0.001)

    assert compare(absolute, 800.0, 800.009).credit == 1.0
    assert compare(absolute, 800.0, 800.02).credit == 0.0
    assert compare(relative, 800.0, 800.7).credit == 1.0
    assert compare(relative, 800.0, 801.0).credit == 0.0
    assert compare(relative, 800.0, float("nan")).credit == 0.0
    assert compare(relative, 800.0, "800").credit == 0.0


def test_numeric_partial_credit_per_value_and_shape_mismatch():
    partial = Comparator(kind=ComparatorKind.NUMERIC, rel_tol=1e-9, partial=True)
    expected = {"SSO": 800.0, "Dark mode": 1250.0, "CSV export": 400.0, "Audit log": 240.0}

    result = compare(partial, expected, {"SSO": 800, "Dark mode": 1250.0, "CSV export": 1.0})
    assert result.credit == 0.5
    assert result.message == "2 of 4 values are within the tolerance."
    assert compare(partial, [1.0, 2.0], [1.0]).credit == 0.0
    all_or_nothing = Comparator(kind=ComparatorKind.NUMERIC, rel_tol=1e-9)
    assert compare(all_or_nothing, expected, {**expected, "SSO": 0}).credit == 0.0


def test_set_and_multiset():
    as_set = Comparator(kind=ComparatorKind.SET)
    as_multiset = Comparator(kind=ComparatorKind.MULTISET, partial=True)

    assert compare(as_set, ["a", "b", "b"], ["b", "a"]).credit == 1.0
    assert (
        compare(as_set, ["a", "b"], ["a", "c"]).message
        == "1 expected item(s) missing and 1 unexpected item(s)."
    )
    assert compare(as_set, ["a", "b"], ["a", "c"]).credit == 0.0
    assert compare(as_multiset, ["a", "b", "b"], ["b", "a"]).credit == pytest.approx(2 / 3)
    assert compare(as_multiset, [{"k": 1}, {"k": 1}], [{"k": 1}, {"k": 1}]).credit == 1.0
    assert compare(as_set, ["a"], "a").credit == 0.0


def test_moscow_categories_give_credit_per_item_in_either_shape():
    categories = Comparator(kind=ComparatorKind.CATEGORIES)
    expected = {"SSO": "Should", "Dark mode": "Must", "CSV export": "Should", "Audit log": "Could"}

    by_bucket = {"Must": ["Dark mode"], "Should": ["SSO"], "Could": ["CSV export", "Audit log"]}
    result = compare(categories, expected, by_bucket)
    assert result.credit == 0.75
    assert result.message == "3 of 4 items are in the right category."
    assert compare(categories, expected, dict(expected)).credit == 1.0
    assert compare(categories, expected, ["Must"]).credit == 0.0


def test_ranking_exact_and_correlations():
    exact = Comparator(kind=ComparatorKind.RANKING)
    kendall = Comparator(kind=ComparatorKind.RANKING, method=RankingMethod.KENDALL)
    spearman = Comparator(kind=ComparatorKind.RANKING, method=RankingMethod.SPEARMAN, threshold=0.6)
    order = ["Dark mode", "SSO", "CSV export", "Audit log"]
    one_swap = ["SSO", "Dark mode", "CSV export", "Audit log"]

    assert compare(exact, order, order).credit == 1.0
    assert compare(exact, order, one_swap).credit == 0.0
    # Kendall: 5 concordant, 1 discordant pair -> tau 4/6 -> (tau + 1) / 2
    assert compare(kendall, order, one_swap).credit == Fraction(5, 6)
    assert compare(kendall, order, list(reversed(order))).credit == 0.0
    # Spearman: d^2 = 2 -> rho = 1 - 12/60 = 0.8 -> 0.9
    assert compare(spearman, order, one_swap).credit == pytest.approx(0.9)
    # Below the threshold earns nothing.
    assert compare(spearman, order, ["Audit log", "SSO", "CSV export", "Dark mode"]).credit == 0.0
    assert (
        compare(kendall, order, order[:3]).message
        == "The ranking must list each of the 4 items exactly once."
    )
    assert compare(kendall, order, [*order[:3], "SSO"]).credit == 0.0


def test_messages_never_contain_expected_values():
    secret = {"Zebra-Feature-9": 987654.321}
    kinds = [
        Comparator(kind=ComparatorKind.EXACT),
        Comparator(kind=ComparatorKind.NUMERIC, partial=True),
        Comparator(kind=ComparatorKind.CATEGORIES),
    ]
    for comparator in kinds:
        message = compare(comparator, secret, {"other": 1}).message
        assert "Zebra" not in message
        assert "987654" not in message
    ranking = Comparator(kind=ComparatorKind.RANKING, method=RankingMethod.KENDALL)
    assert (
        "Zebra" not in compare(ranking, ["Zebra-Feature-9", "b"], ["b", "Zebra-Feature-9"]).message
    )


@given(st.lists(st.integers(), min_size=1, max_size=8, unique=True))
def test_ranking_credit_is_one_for_the_identical_order(items):
    for method in RankingMethod:
        assert ranking_credit(items, list(items), method=method) == 1.0


@given(
    st.lists(st.integers(), min_size=2, max_size=7, unique=True),
    st.randoms(use_true_random=False),
    st.sampled_from([RankingMethod.KENDALL, RankingMethod.SPEARMAN]),
    st.floats(0, 1),
)
def test_ranking_credit_is_within_bounds_and_monotone(items, rnd, method, threshold):
    got = list(items)
    rnd.shuffle(got)
    credit = ranking_credit(items, got, method=method, threshold=threshold)
    assert 0.0 <= credit <= 1.0
    # Fixing one adjacent inversion (moving towards the expected order) never lowers the credit.
    position = {item: i for i, item in enumerate(items)}
    for i in range(len(got) - 1):
        if position[got[i]] > position[got[i + 1]]:
            better = [*got[:i], got[i + 1], got[i], *got[i + 2 :]]
            assert ranking_credit(items, better, method=method, threshold=threshold) >= credit
            break


def test_kendall_credit_decreases_strictly_with_each_inversion():
    items = list(range(5))
    credits = {}
    for perm in itertools.permutations(items):
        inversions = sum(1 for i, j in itertools.combinations(range(5), 2) if perm[i] > perm[j])
        credits.setdefault(inversions, set()).add(
            ranking_credit(items, list(perm), method=RankingMethod.KENDALL)
        )
    assert all(len(v) == 1 for v in credits.values())
    ordered = [next(iter(credits[k])) for k in sorted(credits)]
    assert ordered == sorted(ordered, reverse=True)
    assert ordered[0] == 1.0
    assert ordered[-1] == 0.0


def test_call_expression_binds_inputs_locally():
    expression = call_expression("rank_features(backlog)", {"backlog": [{"name": 'O\'Hare "x"'}]})

    namespace = {"rank_features": lambda backlog: [f["name"] for f in backlog]}
    assert eval(expression, namespace) == ['O\'Hare "x"']  # noqa: S307 - the expression is ours
    assert "backlog" not in namespace
