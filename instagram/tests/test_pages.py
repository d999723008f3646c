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
        PAGE + f"posting/{post.pk}/",
        {"action": "schedule", "caption": "x", "schedule_at": "2020-01-01T09:00"},
        follow=True,
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


# --- Junk in, an honest answer out ---------------------------------------------------------------


def test_unknown_post_is_404_and_unknown_action_is_400(web, seller, product):
    made_up = "0b5a3c1e-1111-4222-8333-944445555666"
    response = web.post(PAGE + f"posting/{made_up}/", {"action": "save"})
    assert response.status_code == 404
    post = InstagramPost.objects.create(store=seller.store, product=product, caption="asli")
    response = web.post(PAGE + f"posting/{post.pk}/", {"action": "hapus-semua", "caption": "baru"})
    body = response.content.decode()
    assert response.status_code == 400 and "Tindakan tidak dikenal" in body and "Keterangan disimpan" not in body
    post.refresh_from_db()
    assert post.caption == "asli"


def test_save_without_a_caption_is_the_form_error(web, seller, product):
    post = InstagramPost.objects.create(store=seller.store, product=product, caption="asli")
    for data in ({"action": "save"}, {"action": "save", "caption": "  \r\n "}):
        response = web.post(PAGE + f"posting/{post.pk}/", data)
        body = response.content.decode()
        assert response.status_code == 400 and "Keterangan disimpan" not in body
        assert 'data-testid="instagram-caption-errors"' in body and "Tulis keterangan" in body
    post.refresh_from_db()
    assert post.caption == "asli"


def test_a_refused_edit_keeps_the_sellers_text_in_her_form(web, seller, product):
    post = InstagramPost.objects.create(store=seller.store, product=product, caption="asli")
    mine = "Sambal pecel paling enak se-Blitar\r\n" + " ".join(f"#tag{i}" for i in range(31))
    response = web.post(PAGE + f"posting/{post.pk}/", {"action": "save", "caption": mine})
    body = response.content.decode()
    assert response.status_code == 400 and "30" in body and 'data-testid="instagram-caption-errors"' in body
    assert "Sambal pecel paling enak se-Blitar" in body and "#tag30" in body and "autofocus" in body
    post.refresh_from_db()
    assert post.caption == "asli"


def test_crlf_caption_of_2200_characters_is_saved_as_typed(web, seller, product):
    # What the textarea (maxlength 2200, line breaks counted once) lets through: 2,199 characters,
    # sent by the browser with CRLF line breaks (2,418 bytes of text).
    post = InstagramPost.objects.create(store=seller.store, product=product, caption="asli")
    typed = "\r\n".join(["aaaaaaaaa"] * 220)
    response = web.post(PAGE + f"posting/{post.pk}/", {"action": "save", "caption": typed})
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.caption == typed.replace("\r\n", "\n") and "\r" not in post.caption


def test_new_draft_of_an_unknown_product_is_404_and_no_product_is_400(web, product):
    assert web.post(PAGE + "draf/", {"product_id": "0b5a3c1e-1111-4222-8333-944445555666"}).status_code == 404
    response = web.post(PAGE + "draf/", {"product_id": "bukan"})
    assert response.status_code == 400 and "Pilih produk." in response.content.decode()
    assert not InstagramPost.objects.exists()


def test_disconnect_when_nothing_is_connected_says_so(web, product):
    page = web.post(PAGE + "putuskan/", follow=True).content.decode()
    assert "Instagram diputuskan" not in page and "Instagram belum terhubung" in page


def test_consent_page_refuses_an_unknown_decision(web, product):
    response = web.post(PAGE + "hubungkan/")
    query = {k: v[0] for k, v in parse_qs(urlsplit(response["Location"]).query).items()}
    answered = web.post("/dashboard/instagram/simulator/authorize", {**query, "decision": "mungkin"})
    assert answered.status_code == 400


# --- Disconnect: hold, confirm, and reasons in the page's language ----------------------------------


def test_disconnect_asks_first_when_posts_are_scheduled_and_holds_them(web, seller, product):
    connect(seller)
    assert "data-confirm" not in web.get(PAGE).content.decode()
    web.post(
        PAGE + f"posting/{InstagramPost.objects.create(store=seller.store, product=product, caption='x').pk}/",
        {"action": "schedule", "caption": "Sambal", "schedule_at": "2099-01-01T09:00"},
    )
    assert InstagramPost.objects.get().status == "scheduled"
    page = web.get(PAGE).content.decode()
    assert 'data-confirm="1 posting terjadwal akan ditahan' in page
    done = web.post(PAGE + "putuskan/", follow=True).content.decode()
    assert "1 posting terjadwal ditahan" in done and 'data-status="on_hold"' in done
    assert "Alasan dari Instagram" not in done and "Instagram diputuskan; posting ini ditahan" in done

    web.cookies["django_language"] = "en"
    english = web.get(PAGE, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "On hold" in english and "Instagram is disconnected; the post waits" in english
    assert "Instagram diputuskan" not in english and "Instagram's reason" not in english


def test_our_own_failure_reason_is_in_the_pages_language(web, seller, product):
    InstagramPost.objects.create(
        store=seller.store, product=product, caption="x", status="failed", error_code="no_photo"
    )
    InstagramPost.objects.create(
        store=seller.store,
        product=product,
        caption="y",
        status="failed",
        error_code="9004/2207052",
        error_message="Media download has failed.",
    )
    web.cookies["django_language"] = "en"
    english = web.get(PAGE, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Not published: The product has no photo" in english and "Produk belum punya foto" not in english
    assert "Publishing failed. Instagram's reason: Media download has failed." in english
    del web.cookies["django_language"]
    indonesian = web.get(PAGE).content.decode()
    assert "Gagal diterbitkan: Produk belum punya foto" in indonesian


def test_a_refusal_without_a_field_is_said_on_the_page(web, seller, product):
    post = InstagramPost.objects.create(store=seller.store, product=product, caption="asli")
    response = web.post(PAGE + f"posting/{post.pk}/", {"action": "publish", "caption": "Sambal baru"})
    body = response.content.decode()
    assert response.status_code == 400 and "Hubungkan akun Instagram terlebih dulu" in body
    assert "Sambal baru" in body  # her edit is in the form
    InstagramPost.objects.filter(pk=post.pk).update(status="published")
    response = web.post(PAGE + f"posting/{post.pk}/", {"action": "save", "caption": "lagi"})
    assert response.status_code == 400 and "tidak bisa diubah lagi" in response.content.decode()
