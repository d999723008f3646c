"""The seller's Instagram page through the Django test client: connect via the simulated
consent page (state bound to the session), draft, edit, publish now, failures with reasons."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from conftest import PASSWORD
from instagram.models import InstagramAccount, InstagramPost
from instagram.tests.helpers import configure, connect, enable, run
from storefront.tests.factories import add_product

pytestmark = pytest.mark.django_db
PAGE = "/dashboard/instagram/"


@pytest.fixture
def product(seller):
    enable(seller.store)
    return add_product(seller.store, name="Sambal Pecel Bu Sri", price=15_000)


@pytest.fixture
def web(client, seller):
    assert client.login(email=seller.email, password=PASSWORD)
    return client


def _consent(web, response, decision="allow", username="tokosri"):
    """Follow the connect redirect to the simulated consent page and answer it."""
    consent_url = response["Location"]
    assert consent_url.startswith("/dashboard/instagram/simulator/authorize?")
    page = web.get(consent_url)
    assert page.status_code == 200 and "Izinkan" in page.content.decode()
    query = {k: v[0] for k, v in parse_qs(urlsplit(consent_url).query).items()}
    answered = web.post(
        "/dashboard/instagram/simulator/authorize",
        {**query, "decision": decision, "username": username},
    )
    assert answered.status_code == 302
    return answered["Location"]


def test_connect_through_the_simulated_instagram_login(web, seller, product):
    assert "Hubungkan Instagram" in web.get(PAGE).content.decode()
    back = _consent(web, web.post(PAGE + "hubungkan/"))
    assert back.startswith("http://testserver/dashboard/instagram/kembali/?code=")
    done = web.get(back, follow=True)
    assert "@tokosri" in done.content.decode()
    assert InstagramAccount.objects.get(store=seller.store).username == "tokosri"


def test_callback_with_another_state_connects_nothing(web, seller, product):
    back = _consent(web, web.post(PAGE + "hubungkan/"))
    query = parse_qs(urlsplit(back).query)
    forged = web.get(PAGE + "kembali/", {"code": query["code"][0], "state": "dari-situs-lain"}, follow=True)
    assert "Instagram tidak terhubung" in forged.content.decode()
    assert not InstagramAccount.objects.exists()
    # The state was used up by the refused attempt: the real callback no longer works either.
    web.get(back.split("#")[0])
    assert not InstagramAccount.objects.exists()


def test_refusing_consent_connects_nothing(web, product):
    back = _consent(web, web.post(PAGE + "hubungkan/"), decision="deny")
    page = web.get(back.split("#")[0], follow=True)
    assert "izin tidak diberikan" in page.content.decode() and not InstagramAccount.objects.exists()


def test_consent_page_redirects_only_to_our_callback(web, product):
    url = "/dashboard/instagram/simulator/authorize"
    evil = web.post(url, {"redirect_uri": "https://evil.test/dashboard/instagram/kembali/", "decision": "allow"})
    assert evil.status_code == 403


def test_draft_edit_publish_and_see_it_published(web, seller, product):
    connect(seller)
    configure(ready_after_seconds=0)
    response = web.post(PAGE + "draf/", {"product_id": str(product.pk)})
    post = InstagramPost.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"#post-{post.pk}")
    page = web.get(PAGE).content.decode()
    assert "Rp15.000" in page and 'data-status="draft"' in page

    web.post(PAGE + f"posting/{post.pk}/", {"action": "publish", "caption": "Sambal pecel Bu Sri! #UMKMBlitar"})
    post.refresh_from_db()
    assert post.status == "scheduled" and post.caption == "Sambal pecel Bu Sri! #UMKMBlitar"
    run(post)
    page = web.get(PAGE).content.decode()
    assert 'data-status="published"' in page and "Lihat di Instagram" in page


def test_failure_shows_instagrams_reason(web, seller, product):
    connect(seller)
    configure(ready_after_seconds=0)
    from django.core.files.storage import default_storage

    default_storage.delete(product.images.get().image.name)
    post = InstagramPost.objects.create(store=seller.store, product=product, caption="x")
    web.post(PAGE + f"posting/{post.pk}/", {"action": "publish", "caption": "Sambal"})
    run(post)
    page = web.get(PAGE).content.decode()
    assert 'data-status="failed"' in page and "Media download has failed" in page and "ERROR/2207003" in page


def test_schedule_needs_a_time_in_the_future(web, seller, product):
    connect(seller)
    post = InstagramPost.objects.create(store=seller.store, product=product, caption="x")
    page = web.post(
        PAGE + f"posting/{post.pk}/", {"action": "schedule", "schedule_at": "2020-01-01T09:00"}, follow=True
    )
    post.refresh_from_db()
    assert post.status == "draft" and "masa depan" in page.content.decode()


def test_another_sellers_post_is_404(client, other_seller, seller, product):
    post = InstagramPost.objects.create(store=seller.store, product=product, caption="x")
    assert client.login(email=other_seller.email, password=PASSWORD)
    enable(other_seller.store)
    response = client.post(PAGE + f"posting/{post.pk}/", {"action": "save", "caption": "diambil"})
    assert response.status_code == 404
    post.refresh_from_db()
    assert post.caption == "x"


def test_page_in_english(web, product):
    web.cookies["django_language"] = "en"
    body = web.get(PAGE, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Connect Instagram" in body and "New draft from a product" in body
    assert "Hubungkan Instagram" not in body


def test_page_says_when_instagram_is_not_set_up(settings, web, product):
    settings.INSTAGRAM_PROVIDER = ""
    settings.INSTAGRAM_APP_SECRET = ""
    settings.DEBUG = False
    settings.ALLOW_SIMULATORS = False
    body = web.get(PAGE).content.decode()
    assert 'data-testid="instagram-off"' in body and 'data-testid="instagram-connect"' not in body
    assert web.post(PAGE + "hubungkan/").status_code == 302 and not InstagramAccount.objects.exists()
