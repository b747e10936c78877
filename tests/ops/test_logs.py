"""Structured logs: JSON lines with the request id, and the id travelling with each request."""

import json
import logging
import re
import subprocess
import sys

import pytest
from django.conf import settings

from ops.logs import JsonLineFormatter, RequestIdFilter, request_id_var
from tests.ops.conftest import production_env


def record(message: str, *args, exc_info=None, **extra) -> logging.LogRecord:
    entry = logging.getLogger("grading.services").makeRecord(
        "grading.services", logging.WARNING, __file__, 42, message, args, exc_info, extra=extra
    )
    RequestIdFilter().filter(entry)
    return entry


def test_a_record_becomes_one_line_of_json_with_plain_extras():
    token = request_id_var.set("req-4f2a9c01")
    try:
        entry = record(
            "Submission %s graded in %.1f s", 17, 2.5, submission_id=17, request=object()
        )
    finally:
        request_id_var.reset(token)

    line = JsonLineFormatter().format(entry)

    assert "\n" not in line
    parsed = json.loads(line)
    assert parsed.pop("time").endswith("+00:00")
    assert parsed == {
        "level": "WARNING",
        "logger": "grading.services",
        "message": "Submission 17 graded in 2.5 s",
        "request_id": "req-4f2a9c01",
        "submission_id": 17,
    }


def test_an_exception_travels_inside_the_same_line():
    try:
        raise ValueError("notebook has no cells")
    except ValueError:
        entry = record("Could not parse", exc_info=sys.exc_info())

    parsed = json.loads(JsonLineFormatter().format(entry))

    assert "request_id" not in parsed
    assert parsed["message"] == "Could not parse"
    assert parsed["exception"].startswith("Traceback (most recent call last):")
    assert parsed["exception"].endswith("ValueError: notebook has no cells")


@pytest.mark.django_db
def test_each_response_names_its_request_and_a_sane_proxy_id_is_kept(client):
    own = client.get("/healthz")
    proxied = client.get("/healthz", headers={"X-Request-ID": "edge-7f3e2a1b-01"})
    hostile = client.get("/healthz", headers={"X-Request-ID": "x\r\nSet-Cookie: a=b"})

    assert re.fullmatch(r"[0-9a-f]{32}", own["X-Request-ID"])
    assert proxied["X-Request-ID"] == "edge-7f3e2a1b-01"
    assert re.fullmatch(r"[0-9a-f]{32}", hostile["X-Request-ID"])


@pytest.mark.django_db
def test_log_lines_written_during_a_request_carry_its_id(client, caplog):
    caplog.handler.addFilter(RequestIdFilter())

    response = client.get("/no-such-page-for-the-log-test/")

    assert response.status_code == 404
    not_found = [r for r in caplog.records if r.name == "django.request"]
    assert [r.request_id for r in not_found] == [response["X-Request-ID"]]
    assert request_id_var.get() is None


def test_production_writes_json_lines_to_stdout(tmp_path):
    script = (
        "import django, logging; django.setup(); "
        "logging.getLogger('certificates.services').warning("
        "'Issued certificate %s', 'PMA-7Q2X', extra={'course_slug': 'rice-basics'})"
    )

    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=settings.BASE_DIR,
        env=production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    issued = [line for line in lines if line["logger"] == "certificates.services"]
    assert len(issued) == 1
    assert issued[0]["level"] == "WARNING"
    assert issued[0]["message"] == "Issued certificate PMA-7Q2X"
    assert issued[0]["course_slug"] == "rice-basics"
