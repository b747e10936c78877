"""/api/docs and the API tokens page in a real browser. It lives in tests/e2e because the
browser fixture lives for this package: its event loop must stop before any other test runs.

The Swagger UI renders every endpoint from the bundled files with no Content-Security-Policy
violation and no request off this site; a person makes a token, sees it once and revokes it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


def test_the_api_reference_renders_under_the_sites_csp(page, site):
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


SIDEWAYS = "document.scrollingElement.scrollWidth - document.documentElement.clientWidth"


@pytest.mark.parametrize("width", [1440, 390])
def test_a_learner_makes_a_token_shown_once_and_revokes_it(page, site, password, width):
    from api.models import ApiToken
    from tests.e2e.accessibility import assert_accessible
    from tests.e2e.live_site import database_turn
    from tests.e2e.logins import log_in
    from tests.factories import UserFactory

    with database_turn():
        UserFactory(email="ada@example.org", certificate_name="Ada Lovelace")
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, "ada@example.org", password)
    page.goto("/profile/")
    page.get_by_role("navigation", name="Account settings").get_by_role(
        "link", name="API tokens"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("API tokens")
    expect(page.get_by_text("You have no tokens yet.")).to_be_visible()
    page.get_by_label("Name:", exact=True).fill("Gradebook sync")
    page.get_by_role("button", name="Make token").click()
    shown = page.locator("#new-token-value")
    expect(shown).to_have_value(re.compile(r"^pma_[0-9a-f]{12}_"))
    expect(page.get_by_role("button", name="Copy")).to_be_visible()
    assert page.evaluate(SIDEWAYS) == 0
    assert_accessible(page, f"the new token at {width} px")
    plaintext = shown.input_value()
    with database_turn():
        row = ApiToken.objects.get(user__email="ada@example.org")
        assert row.secret_hash != plaintext and plaintext not in str(row.__dict__)
    page.goto("/accounts/api-tokens/")
    expect(page.locator("#new-token-value")).to_have_count(0)
    page.get_by_role("button", name="Revoke “Gradebook sync”").click()
    expect(page.get_by_text("Requests with it are refused from now on.")).to_be_visible()
    expect(page.locator(".api-token .badge")).to_have_text("Revoked")
    assert page.evaluate(SIDEWAYS) == 0
