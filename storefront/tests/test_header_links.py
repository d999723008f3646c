"""Role links in the site header: admins reach the admin panel, sellers their dashboard."""

from __future__ import annotations

import pytest

from conftest import PASSWORD

pytestmark = pytest.mark.django_db

ADMIN_LINK = 'href="/admin-panel/" data-testid="nav-admin"'
DASHBOARD_LINK = 'href="/dashboard/" data-testid="nav-dashboard"'


def _home(client, user=None) -> str:
    if user is not None:
        assert client.login(email=user.email, password=PASSWORD)
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def test_admin_sees_admin_panel_link(client, admin_user):
    body = _home(client, admin_user)
    assert ADMIN_LINK in body
    assert "Panel Admin" in body
    assert DASHBOARD_LINK not in body
    assert client.get("/admin-panel/").status_code == 200  # and the link leads somewhere they may go


def test_seller_sees_dashboard_link_not_admin(client, seller):
    body = _home(client, seller)
    assert DASHBOARD_LINK in body
    assert ADMIN_LINK not in body


@pytest.mark.parametrize("who", ["buyer", None])
def test_buyer_and_visitor_see_neither(client, request, who):
    body = _home(client, request.getfixturevalue(who) if who else None)
    assert ADMIN_LINK not in body
    assert DASHBOARD_LINK not in body


def test_admin_link_on_dashboard_layout_pages_too(client, admin_user):
    assert client.login(email=admin_user.email, password=PASSWORD)
    body = client.get("/admin-panel/").content.decode()
    assert ADMIN_LINK in body
