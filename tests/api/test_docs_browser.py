"""/api/docs in a real browser: the Swagger UI renders every endpoint from the bundled files with
no Content-Security-Policy violation and no request off this site."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import browser, page, site  # noqa: F401  (the e2e fixtures)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


def test_the_api_reference_renders_under_the_sites_csp(page, site):  # noqa: F811
    console_errors: list[str] = []
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.add_init_script(RECORD_VIOLATIONS)
    page.goto("/api/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("PM Academy API")
    operations = page.locator(".opblock-summary-path")
    expect(operations.first).to_be_visible()
    paths = {text.replace("\u200b", "") for text in operations.all_inner_texts()}
    assert {"/api/v1/courses", "/api/v1/progress", "/api/v1/certificates"} <= paths
    # Open one operation: the expanded view renders too.
    page.locator(".opblock-summary", has_text="/api/v1/progress").first.click()
    expect(page.get_by_text("Parameters").first).to_be_visible()
    assert page.evaluate("window.__cspViolations") == []
    assert [e for e in console_errors if "Content Security Policy" in e] == []
    assert all(url.startswith(site.url) or url.startswith("data:") for url in requests), requests
