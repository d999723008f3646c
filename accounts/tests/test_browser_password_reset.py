"""Real Chromium at a small phone (360×780): a buyer who forgot her password resets it from the
login page, following the link in the email the server printed (console email backend)."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

from conftest import make_user

pytestmark = [pytest.mark.browser]

SMALL_PHONE = {"width": 360, "height": 780}
NEW_PASSWORD = "Sambal-Pecel-2026"


def _reset_path_from_log(log, timeout: float = 15.0) -> str:
    """The reset link of the email the server printed to its log (development email backend)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        match = re.search(
            r"https?://[^/\s]+(/akun/reset/[A-Za-z0-9_-]+/[A-Za-z0-9-]+/)", log.read_text(errors="replace")
        )
        if match:
            return match.group(1)
        time.sleep(0.2)
    raise AssertionError("no reset email in the server log:\n" + log.read_text(errors="replace")[-3000:])


def test_password_reset_from_the_login_page(browser, asgi_server, shoot):
    make_user("buyer", email="siti@contoh.id", full_name="Siti Aminah")
    context = browser.new_context(viewport=SMALL_PHONE, base_url=asgi_server.url, locale="id-ID")
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        page.goto("/login/")
        shoot(page, "0-login")
        page.get_by_role("link", name="Lupa kata sandi?").click()
        expect(page.get_by_role("heading", name="Lupa kata sandi")).to_be_visible()
        page.get_by_label("Email").fill("siti@contoh.id")
        shoot(page, "1-ask")
        page.get_by_test_id("password-reset-submit").click()
        expect(page.get_by_test_id("password-reset-done")).to_be_visible()
        expect(page.get_by_role("heading", name="Cek email Anda")).to_be_visible()
        shoot(page, "2-check-email")

        page.goto(_reset_path_from_log(asgi_server.log))
        expect(page.get_by_role("heading", name="Buat kata sandi baru")).to_be_visible()
        page.get_by_label("Kata sandi baru", exact=True).fill(NEW_PASSWORD)
        page.get_by_label("Ulangi kata sandi baru").fill(NEW_PASSWORD)
        shoot(page, "3-new-password")
        page.get_by_test_id("password-reset-confirm-submit").click()
        expect(page.get_by_test_id("password-reset-complete")).to_be_visible()
        shoot(page, "4-changed")

        page.get_by_role("link", name="Masuk", exact=True).last.click()
        page.get_by_label("Email").fill("siti@contoh.id")
        page.get_by_label("Kata sandi", exact=True).fill(NEW_PASSWORD)
        page.get_by_test_id("login-submit").click()
        page.wait_for_load_state()
        page.goto("/akun/")
        expect(page.get_by_text("Siti Aminah").first).to_be_visible()
        expect(page.get_by_test_id("account-settings")).to_be_visible()
        shoot(page, "5-signed-in")
        # No sideways scrolling at 360 px on any step's final page.
        assert page.evaluate("document.documentElement.scrollWidth") <= SMALL_PHONE["width"]
    finally:
        context.close()
