"""The API's own description: the OpenAPI schema at /api/openapi.json and the Swagger UI at
/api/docs, served from ninja's bundled files under the site's strict Content-Security-Policy;
and the design rule that nothing imports the api app."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders

from tests.test_architecture import imported_modules, python_files

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_the_openapi_schema_lists_every_endpoint_and_the_bearer_scheme(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "PM Academy API"
    assert sorted(schema["paths"]) == [
        "/api/v1/certificates",
        "/api/v1/courses",
        "/api/v1/courses/{course_id}",
        "/api/v1/courses/{course_id}/enrolments",
        "/api/v1/progress",
        "/api/v1/submissions",
    ]
    assert sorted(schema["paths"]["/api/v1/courses/{course_id}/enrolments"]) == [
        "delete",
        "get",
        "post",
    ]
    assert schema["components"]["securitySchemes"]["TokenAuth"] == {
        "type": "http",
        "scheme": "bearer",
    }
    listing = schema["paths"]["/api/v1/courses"]["get"]
    assert {p["name"] for p in listing["parameters"]} >= {"cursor", "page_size"}
    assert "courses:read" in listing["description"]


@pytest.mark.django_db
def test_the_docs_page_runs_no_inline_script_and_loads_only_local_files(client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    # The settings block is JSON data, never run; every other script is a file of this site.
    for attributes, body in scripts:
        assert 'type="application/json"' in attributes or (
            body.strip() == "" and 'src="/static/' in attributes
        )
    assert "http" not in " ".join(re.findall(r'(?:src|href)="([^"]*)"', html))
    assert '"validatorUrl": null' in html
    for name in ("ninja/swagger-ui-bundle.js", "ninja/swagger-ui-init.js", "ninja/swagger-ui.css"):
        assert finders.find(name), name


def test_no_app_imports_the_api():
    offenders = sorted(
        f"{path.relative_to(ROOT)} imports {name}"
        for app in (
            "accounts",
            "ops",
            "notifications",
            "exercises",
            "grading",
            "courses",
            "certificates",
            "announcements",
            "demo",
        )
        for path in python_files(app)
        for name in imported_modules(path)
        if name.split(".")[0] == "api"
    )
    assert offenders == []
