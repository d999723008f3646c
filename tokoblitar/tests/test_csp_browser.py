"""Real Chromium under our Content-Security-Policy: pages and Swagger UI work, nothing is refused."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD, make_admin, make_user

pytestmark = [pytest.mark.browser]


def _watch_violations(page) -> list[str]:
    violations: list[str] = []
    page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    return violations


def test_swagger_ui_renders_from_our_static_files(page, shoot):
    violations = _watch_violations(page)
    outside: list[str] = []
    page.on("request", lambda req: outside.append(req.url) if "127.0.0.1" not in req.url else None)
    page.goto("/api/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("TokoBLITAR API", timeout=20_000)
    expect(page.get_by_text("/api/auth/login").first).to_be_visible()
    shoot(page, "swagger")
    assert outside == []
    assert violations == []


def test_sign_in_pages_admin_and_dashboard_run_without_violations(page, shoot):
    violations = _watch_violations(page)
    seller = make_user("seller", email="sri@contoh.id")
    make_admin(email="boss@contoh.id")

    page.goto("/register/")
    expect(page.get_by_role("heading", name="Daftar")).to_be_visible()
    page.goto("/login/")
    page.get_by_label("Email").fill(seller.email)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    expect(page).to_have_url(re.compile(r"/dashboard/"))
    shoot(page, "dashboard")
    page.goto("/")
    page.get_by_test_id("logout").click()

    page.goto("/django-admin/login/")
    page.locator("#id_username").fill("boss@contoh.id")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("input[type=submit]").click()
    expect(page.locator("#site-name")).to_be_visible()
    page.goto("/django-admin/accounts/user/")
    expect(page.locator("#result_list")).to_be_visible()
    page.goto("/admin-panel/")
    # The day-range select submits itself (static/js/app.js, no inline handler).
    select = page.locator("select#days")
    if select.count():
        options = select.locator("option").all()
        select.select_option(options[-1].get_attribute("value"))
        expect(page).to_have_url(re.compile(r"days="))
    shoot(page, "admin-panel")
    assert violations == []
