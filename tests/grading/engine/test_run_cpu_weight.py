"""A run's CPU weight: learners' scratch runs weigh less than graded submissions when the CPUs
are contended (cpu.weight on cgroup v2, cpu.shares on v1); the default writes nothing new."""

import pytest

from grading.engine.limits import Limits
from grading.engine.sandbox.cgroups import _limit_values


def test_a_weighted_run_gets_its_weight_on_v2_and_its_shares_on_v1() -> None:
    weighted = Limits(cpu_quota=0.5, cpu_weight=10)
    assert _limit_values(weighted, 2)["cpu"] == {"cpu.max": "50000 100000", "cpu.weight": "10"}
    assert _limit_values(weighted, 1)["cpu"] == {
        "cpu.cfs_period_us": "100000",
        "cpu.cfs_quota_us": "50000",
        "cpu.shares": "102",
    }


def test_the_default_weight_writes_no_weight_file() -> None:
    assert "cpu.weight" not in _limit_values(Limits(), 2)["cpu"]
    assert "cpu.shares" not in _limit_values(Limits(), 1)["cpu"]


@pytest.mark.parametrize("weight", [0, 10001])
def test_a_weight_out_of_range_is_refused(weight: int) -> None:
    with pytest.raises(ValueError, match="cpu_weight"):
        Limits(cpu_weight=weight)
