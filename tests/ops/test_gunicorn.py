"""gunicorn: the configuration file's values, the JSON access log, and a real server answering /healthz."""

import io
import json
import logging
import runpy
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from gunicorn.config import Config
from gunicorn.glogging import Logger

from ops.access_log import JsonAccessLogger
from tests.ops.conftest import production_env

CONFIG = Path(settings.BASE_DIR) / "config" / "gunicorn.conf.py"


def load_config() -> dict:
    return runpy.run_path(str(CONFIG))


def test_the_configuration_has_production_values(monkeypatch):
    for name in ("WEB_CONCURRENCY", "PMA_GUNICORN_TIMEOUT", "PMA_BIND"):
        monkeypatch.delenv(name, raising=False)

    config = load_config()

    assert config["wsgi_app"] == "config.wsgi:application"
    assert config["bind"] == ["127.0.0.1:8000"]
    assert 2 <= config["workers"] <= 8
    assert config["timeout"] == 30
    assert config["graceful_timeout"] == 30
    assert config["preload_app"] is True
    assert config["max_requests"] == 2000
    assert config["accesslog"] == "-"
    assert config["logger_class"] == "ops.access_log.JsonAccessLogger"


def test_the_environment_sets_workers_timeout_and_address(monkeypatch):
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    monkeypatch.setenv("PMA_GUNICORN_TIMEOUT", "45")
    monkeypatch.setenv("PMA_BIND", "0.0.0.0:8080,[::]:8080")

    config = load_config()

    assert config["workers"] == 3
    assert config["timeout"] == 45
    assert config["bind"] == ["0.0.0.0:8080", "[::]:8080"]


def test_gunicorn_accepts_every_setting_in_the_file():
    known = set(Config().settings)
    ours = {name for name in load_config() if not name.startswith("_") and name.islower()}
    ours -= {"gc", "multiprocessing", "os", "path"}

    assert ours - known == set()


def test_the_access_log_is_one_json_object_per_request():
    cfg = Config()
    cfg.set("accesslog", "-")
    logger = JsonAccessLogger(cfg)
    assert isinstance(logger, Logger)
    stream = io.StringIO()
    logger.access_log.handlers = [logging.StreamHandler(stream)]
    response = SimpleNamespace(
        status="201 Created", headers=[("X-Request-ID", "a1b2c3d4e5")], sent=512
    )
    request = SimpleNamespace(headers=[("USER-AGENT", "probe/1.0")])
    environ = {
        "REQUEST_METHOD": "POST",
        "RAW_URI": "/exercises/rice/submit/?draft=1",
        "PATH_INFO": "/exercises/rice/submit/",
        "QUERY_STRING": "draft=1",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "10.0.0.9",
        "HTTP_USER_AGENT": 'probe/1.0 "quoted"',
    }

    logger.access(response, request, environ, timedelta(milliseconds=37))

    entry = json.loads(stream.getvalue())
    assert entry.pop("time")
    assert entry == {
        "level": "INFO",
        "logger": "gunicorn.access",
        "remote_addr": "10.0.0.9",
        "method": "POST",
        "path": "/exercises/rice/submit/",
        "query": "draft=1",
        "status": 201,
        "bytes": 512,
        "duration_ms": 37,
        "referer": "-",
        "user_agent": 'probe/1.0 "quoted"',
        "request_id": "a1b2c3d4e5",
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.slow
def test_a_real_gunicorn_serves_healthz_with_production_settings(tmp_path):
    port = free_port()
    env = production_env(
        tmp_path,
        PMA_BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY="2",
        DJANGO_SECURE_SSL_REDIRECT="1",
    )
    # /healthz reads only the task queue's and the heartbeats' tables: migrating those is enough.
    for app in ("django_tasks_database", "ops"):
        migrate = subprocess.run(
            [sys.executable, "manage.py", "migrate", app, "--noinput"],
            cwd=settings.BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert migrate.returncode == 0, migrate.stderr
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "-c", str(CONFIG)],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        body, status = None, None
        for _ in range(150):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as reply:
                    status, body = reply.status, json.loads(reply.read())
                break
            except (ConnectionError, urllib.error.URLError):
                time.sleep(0.2)
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=60)

    assert status == 200, output
    assert body["database"] == "ok"
    assert body["queue"] == "ok"
    assert body["queue_backend"] == "database"
    assert body["worker"] == "missing"
    lines = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    access = [line for line in lines if line["logger"] == "gunicorn.access"]
    assert [(a["method"], a["path"], a["status"]) for a in access] == [("GET", "/healthz", 200)]
    assert any(
        line["logger"] == "gunicorn.error" and "Booting worker" in line["message"] for line in lines
    )


def test_workers_fork_with_what_the_master_loaded_out_of_the_collectors_reach():
    import gc

    pre_fork = load_config()["pre_fork"]
    before = gc.get_freeze_count()
    try:
        pre_fork(server=None, worker=None)
        assert gc.get_freeze_count() > before
    finally:
        gc.unfreeze()
