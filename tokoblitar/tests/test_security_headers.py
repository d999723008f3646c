"""Content-Security-Policy, Swagger UI from our own static files, `check --deploy` (issue 9 item 10)."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.test import Client

from conftest import make_user

pytestmark = pytest.mark.django_db

BASE_DIR = Path(settings.BASE_DIR)


def _policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def _nonce(policy: dict[str, list[str]]) -> str:
    (nonce,) = [s for s in policy["script-src"] if s.startswith("'nonce-")]
    return nonce[len("'nonce-") : -1]


def test_pages_send_a_policy_without_inline_script():
    response = Client().get("/")
    policy = _policy(response)
    assert "'unsafe-inline'" not in policy["script-src"] and "'unsafe-eval'" not in policy["script-src"]
    assert "'unsafe-inline'" not in policy["style-src"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    assert policy["default-src"] == ["'self'"]


def test_every_inline_script_and_style_on_a_page_carries_the_responses_nonce(client, seller):
    # The payment page and the tracking page have inline scripts; every page has none without the nonce.
    client.force_login(seller)
    for path in ("/", "/login/", "/register/", "/dashboard/", "/keranjang/"):
        response = client.get(path, follow=True)
        html = response.content.decode()
        nonce = _nonce(_policy(response))
        for tag in re.findall(r"<(?:script|style)\b[^>]*>", html):
            # External scripts carry no body; JSON data blocks (json_script) are never executed,
            # so CSP's script-src does not govern them.
            if "src=" in tag or 'type="application/json"' in tag:
                continue
            assert f'nonce="{nonce}"' in tag, (path, tag)
        assert not re.search(r"\son[a-z]+\s*=", html), path  # no inline event handlers


def test_no_template_has_inline_handlers_or_unnonced_inline_code():
    templates = [p for p in BASE_DIR.rglob("templates/**/*.html") if ".venv" not in p.parts]
    assert templates
    for path in templates:
        text = path.read_text()
        assert not re.search(r"\son[a-z]+\s*=\s*[\"']", text), path
        for tag in re.findall(r"<(?:script|style)\b[^>]*>", text):
            assert "src=" in tag or "request.csp_nonce" in tag, (path, tag)


def test_api_docs_load_swagger_ui_from_our_static_files():
    client = Client()
    page = client.get("/api/docs")
    html = page.content.decode()
    assert page.status_code == 200
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets and not [a for a in assets if re.match(r"(https?:)?//", a)], assets
    static_assets = [a for a in assets if a.startswith(settings.STATIC_URL)]
    assert len(static_assets) >= 3  # swagger-ui bundle, standalone preset, css
    for asset in static_assets:
        assert finders.find(asset[len(settings.STATIC_URL) :]), asset
    # The start-up script is a separate same-origin URL, so the page needs no inline script.
    (script_url,) = [a for a in assets if "script" in a and not a.startswith(settings.STATIC_URL)]
    script = client.get(script_url.replace("&amp;", "&"))
    assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()
    nonce = _nonce(_policy(page))
    for tag in re.findall(r"<(?:script|style)\b[^>]*>", html):
        assert "src=" in tag or f'nonce="{nonce}"' in tag, tag


def test_schema_has_no_duplicate_names():
    import warnings

    from drf_spectacular.generators import SchemaGenerator

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        schema = SchemaGenerator().get_schema(request=None, public=True)
    operation_ids = [op["operationId"] for path in schema["paths"].values() for op in path.values()]
    assert len(operation_ids) == len(set(operation_ids))
    assert {"LoginInput", "RegisterInput"} <= set(schema["components"]["schemas"])


def test_deploy_check_reports_nothing_of_ours():
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOW_SIMULATORS": "true",  # providers are not what this test is about
        "DJANGO_SETTINGS_MODULE": "tokoblitar.settings",
    }
    result = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = result.stdout + result.stderr
    reported = re.findall(r"\((security\.\w+|drf_spectacular\.\w+|csp\.\w+|django_ratelimit\.\w+)\)", output)
    assert reported == [], output[-3000:]


def test_login_page_still_sets_and_checks_csrf_under_the_policy():
    make_user("buyer", email="sari@contoh.id")
    client = Client(enforce_csrf_checks=True)
    page = client.get("/login/")
    assert "csrfmiddlewaretoken" in page.content.decode()
