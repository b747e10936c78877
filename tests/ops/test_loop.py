"""ops.loop.run_periodically: one round with --once, and a failed round logged without ending the loop."""

import logging

import pytest
from django.db import OperationalError

from ops import loop
from ops.loop import run_periodically

logger = logging.getLogger("tests.ops.loop")


class Rounds:
    """A sweep that fails in the rounds named in `failing`, and a sleep that stops the loop after `rounds` rounds."""

    def __init__(self, rounds: int, failing: dict[int, Exception] | None = None) -> None:
        self.rounds, self.failing = rounds, failing or {}
        self.swept: list[int] = []
        self.slept: list[float] = []

    def sweep(self) -> None:
        self.swept.append(len(self.swept) + 1)
        if self.swept[-1] in self.failing:
            raise self.failing[self.swept[-1]]

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        if len(self.slept) == self.rounds:
            raise KeyboardInterrupt  # what Ctrl-C does to the real time.sleep


class Connection:
    def __init__(self) -> None:
        self.closed = 0

    def close(self) -> None:
        self.closed += 1


@pytest.fixture
def db_connection(monkeypatch):
    connection = Connection()
    monkeypatch.setattr(loop, "connection", connection)
    return connection


def test_once_sweeps_one_round_and_never_sleeps():
    rounds = Rounds(rounds=3)
    run_periodically(
        rounds.sweep, interval=30, once=True, logger=logger, label="Test sweep", sleep=rounds.sleep
    )
    assert (rounds.swept, rounds.slept) == ([1], [])


def test_once_raises_the_failure_of_its_only_round(caplog):
    rounds = Rounds(rounds=3, failing={1: RuntimeError("queue unreachable")})
    with pytest.raises(RuntimeError, match="queue unreachable"):
        run_periodically(
            rounds.sweep,
            interval=30,
            once=True,
            logger=logger,
            label="Test sweep",
            sleep=rounds.sleep,
        )
    assert (rounds.swept, rounds.slept, caplog.records) == ([1], [], [])


def test_a_failed_round_is_logged_and_the_loop_goes_on_until_interrupted(caplog, db_connection):
    rounds = Rounds(rounds=3, failing={2: RuntimeError("queue unreachable")})
    with caplog.at_level(logging.ERROR, logger=logger.name):
        run_periodically(
            rounds.sweep,
            interval=7.5,
            once=False,
            logger=logger,
            label="Test sweep",
            sleep=rounds.sleep,
        )

    assert (rounds.swept, rounds.slept) == ([1, 2, 3], [7.5, 7.5, 7.5])
    assert [(r.name, r.levelname, r.getMessage()) for r in caplog.records] == [
        ("tests.ops.loop", "ERROR", "Test sweep failed; trying again in 7.5s: queue unreachable")
    ]
    assert db_connection.closed == 0  # not a database error: the connection is left alone


def test_a_database_error_closes_the_connection_before_the_next_round(caplog, db_connection):
    rounds = Rounds(rounds=2, failing={1: OperationalError("server closed the connection")})
    run_periodically(
        rounds.sweep, interval=1, once=False, logger=logger, label="Test sweep", sleep=rounds.sleep
    )

    assert (rounds.swept, db_connection.closed) == ([1, 2], 1)
    assert [r.getMessage() for r in caplog.records] == [
        "Test sweep failed; trying again in 1s: server closed the connection"
    ]


def test_an_error_that_is_not_recoverable_ends_the_loop(caplog):
    rounds = Rounds(rounds=3, failing={2: ValueError("a bug")})
    with pytest.raises(ValueError, match="a bug"):
        run_periodically(
            rounds.sweep,
            interval=1,
            once=False,
            logger=logger,
            label="Test sweep",
            recoverable=(OperationalError,),
            sleep=rounds.sleep,
        )
    assert (rounds.swept, rounds.slept, caplog.records) == ([1, 2], [1], [])
