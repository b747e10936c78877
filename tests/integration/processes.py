"""Real servers for the integration and reliability tests, all on 127.0.0.1.

`RedisServer` is a throwaway redis-server (no persistence, so a restart loses every queued job);
`Deployment` starts RQ workers, the grading reaper and gunicorn with config.settings.test_rq,
sharing the test process's PostgreSQL test database and media directory. Every process is in
its own process group and is stopped (or killed) with it.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import redis
import requests
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
REDIS_SERVER = "/usr/bin/redis-server"
PYTHON = sys.executable

needs_postgres = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="needs PostgreSQL: worker processes cannot share the in-memory SQLite test database "
    "(make test runs these in its PostgreSQL pass; by hand: source scripts/postgres.sh && "
    "pg_throwaway_start, then pytest -m integration)",
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(
    predicate: Callable[[], Any], *, timeout: float, what: str, interval: float = 0.2
) -> Any:
    """Poll until `predicate()` is truthy and return its value; fail the test after `timeout` s."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"Timed out after {timeout:.0f} s waiting for {what}.")
        time.sleep(interval)


class Process:
    """A child process in its own process group, with its output in a log file."""

    def __init__(self, name: str, argv: list[str], *, env: dict[str, str], log: Path) -> None:
        self.name = name
        self.log = log
        self._log_handle = log.open("ab")
        self.popen = subprocess.Popen(
            argv,
            cwd=ROOT,
            env=env,
            stdout=self._log_handle,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def kill9(self) -> None:
        """SIGKILL to the whole group: the process and everything it started die at once."""
        if self.alive():
            os.killpg(self.pid, signal.SIGKILL)
        self.popen.wait(timeout=30)

    def stop(self, *, grace: float = 10.0) -> None:
        if self.alive():
            os.killpg(self.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                self.kill9()
        self._log_handle.close()


class RedisServer:
    """redis-server on 127.0.0.1 and a free port, without persistence."""

    def __init__(self, directory: Path) -> None:
        if not Path(REDIS_SERVER).is_file():
            message = (
                f"{REDIS_SERVER} is missing: install the Debian package redis-server "
                "(make test does it through scripts/system-deps.sh)"
            )
            if os.environ.get("PMA_WITH_TEST_SERVERS") == "1":
                pytest.fail(message)
            pytest.skip(message)
        self.directory = directory
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: Process | None = None

    def start(self) -> None:
        argv = [
            REDIS_SERVER,
            "--bind",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--dir",
            str(self.directory),
            "--save",
            "",
            "--appendonly",
            "no",
            "--daemonize",
            "no",
        ]
        self.process = Process(
            "redis", argv, env=dict(os.environ), log=self.directory / "redis.log"
        )
        wait_until(self._answers, timeout=30, what=f"redis-server on port {self.port}")

    def _answers(self) -> bool:
        try:
            return bool(self.client().ping())
        except redis.ConnectionError:
            if self.process is not None and not self.process.alive():
                pytest.fail(f"redis-server exited:\n{self.process.output()[-2000:]}")
            return False

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop()
            self.process = None

    def restart(self) -> None:
        """A new server on the same port: everything that was queued is gone."""
        self.stop()
        self.start()

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url, socket_connect_timeout=2)

    def queue_length(self, queue: str) -> int:
        return int(self.client().llen(f"rq:queue:{queue}"))


class Deployment:
    """RQ workers, the grading reaper and gunicorn, like a production host but on loopback."""

    def __init__(
        self, *, redis_server: RedisServer, database_name: str, logs: Path, lease_seconds: int = 600
    ) -> None:
        self.redis = redis_server
        self.database_name = database_name
        self.logs = logs
        self.lease_seconds = lease_seconds
        self.processes: list[Process] = []

    def env(self, name: str) -> dict[str, str]:
        return {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test_rq",
            "PMA_TEST_REDIS_URL": self.redis.url,
            "PMA_TEST_MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "PMA_TEST_DATABASE_NAME": self.database_name,
            "PMA_GRADING_LEASE_SECONDS": str(self.lease_seconds),
            "PMA_PROCESS_NAME": name,
            "PMA_LOG_FORMAT": "plain",
            "PYTHONUNBUFFERED": "1",
        }

    def _start(self, name: str, argv: list[str]) -> Process:
        process = Process(name, argv, env=self.env(name), log=self.logs / f"{name}.log")
        self.processes.append(process)
        return process

    def start_worker(self, name: str) -> Process:
        # SimpleWorker grades in the worker process itself, so its warm kernel pool serves job
        # after job; RQ's default worker forks a fresh child per job and wastes the pool.
        process = self._start(
            name,
            [
                PYTHON,
                "manage.py",
                "rqworker",
                "--job-class",
                "django_tasks_rq.Job",
                "--worker-class",
                "rq.worker.SimpleWorker",
                "--name",
                name,
                "grading",
                "default",
                "certificates",
            ],
        )
        wait_until(
            lambda: self._worker_registered(process), timeout=120, what=f"RQ worker {name} to start"
        )
        return process

    def _worker_registered(self, process: Process) -> bool:
        if not process.alive():
            pytest.fail(f"RQ worker {process.name} exited:\n{process.output()[-3000:]}")
        try:
            return any(
                key.decode().endswith(f":{process.name}")
                for key in self.redis.client().smembers("rq:workers")
            )
        except redis.ConnectionError:
            return False

    def start_reaper(self, *, interval: float = 1.0) -> Process:
        return self._start(
            "reaper", [PYTHON, "manage.py", "grading_reaper", "--interval", str(interval)]
        )

    def start_web(self, *, workers: int = 3) -> str:
        """gunicorn with the production configuration file; returns its base URL."""
        port = free_port()
        env_overrides = {"PMA_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": str(workers)}
        process = Process(
            "web",
            [str(Path(PYTHON).parent / "gunicorn"), "-c", "config/gunicorn.conf.py"],
            env={**self.env("web"), **env_overrides},
            log=self.logs / "web.log",
        )
        self.processes.append(process)
        base_url = f"http://127.0.0.1:{port}"

        def healthy() -> bool:
            if not process.alive():
                pytest.fail(f"gunicorn exited:\n{process.output()[-3000:]}")
            try:
                return requests.get(f"{base_url}/healthz", timeout=5).status_code == 200
            except requests.ConnectionError:
                return False

        wait_until(healthy, timeout=120, what="gunicorn to answer /healthz")
        return base_url

    def stop_all(self) -> None:
        for process in reversed(self.processes):
            process.stop()
        self.processes.clear()
