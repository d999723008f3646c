"""The chat panel is on every dashboard page for sellers (switch on) and admins, in both languages."""

from __future__ import annotations

import json

import pytest
from django.conf import settings
from django.test import Client

from conftest import PASSWORD, make_admin
from stores.models import Store, StoreFeatureFlags

pytestmark = pytest.mark.django_db


def _client(user, language: str = "id") -> Client:
    client = Client()
    client.login(email=user.email, password=PASSWORD)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


@pytest.mark.parametrize("path", ["/dashboard/", "/dashboard/produk/", "/dashboard/pesanan/", "/dashboard/toko/"])
def test_panel_on_every_seller_dashboard_page(seller, path):
    html = _client(seller).get(path).content.decode()
    assert 'data-testid="ai-panel"' in html and "js/assistant.js" in html
    assert "Asisten AI" in html and "Pesan untuk asisten" in html


def test_panel_in_english(seller):
    html = _client(seller, "en").get("/dashboard/").content.decode()
    assert "AI assistant" in html and "Message for the assistant" in html and "Asisten AI" not in html
    start = html.index('id="ai-texts"')
    texts = json.loads(html[html.index(">", start) + 1 : html.index("</script>", start)])
    assert texts["tools"]["create_product"] == "Product created"


def test_no_panel_when_the_switch_is_off(seller):
    StoreFeatureFlags.objects.create(store=Store.objects.get(owner=seller), ai_assistant=False)
    html = _client(seller).get("/dashboard/").content.decode()
    assert "ai-panel" not in html


def test_no_panel_when_the_provider_is_off(seller, settings):
    settings.DEBUG = False
    settings.ALLOW_SIMULATORS = False
    settings.AI_PROVIDER = ""
    html = _client(seller).get("/dashboard/").content.decode()
    assert "ai-panel" not in html


def test_admin_gets_the_panel_in_the_admin_panel():
    admin = make_admin()
    html = _client(admin).get("/admin-panel/").content.decode()
    assert 'data-testid="ai-panel"' in html


def test_django_admin_lists_conversations_read_only(seller):
    from django.urls import reverse

    from .conftest import chat

    session_id = chat(seller, "halo").events[0]["session_id"]
    admin = make_admin()
    client = _client(admin)
    assert client.get(reverse("admin:assistant_conversation_changelist")).status_code == 200
    page = client.get(reverse("admin:assistant_conversation_change", args=[session_id]))
    assert page.status_code == 200 and "halo" in page.content.decode()
    assert client.get(reverse("admin:assistant_usageday_changelist")).status_code == 200
