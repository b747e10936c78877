"""Logging in through the forms a person uses: the site's (allauth) and the Wagtail admin's."""

from __future__ import annotations

from playwright.sync_api import expect


def log_in(page, email: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(password)
    page.get_by_role("main").get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your dashboard")


def admin_log_in(page, username: str, password: str) -> None:
    page.goto("/admin/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name=username)).to_be_visible()
