"""Connect, drafts, and the background publishing flow against the simulated Graph API: outcomes
on our rows and on the simulated platform, with the app's clock moved instead of sleeping."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.utils import translation

from catalog.models import ProductImage
from catalog.services import product_create
from instagram import clock
from instagram.models import InstagramAccount, InstagramPost, SimulatedGraphObject
from instagram.services import (
    create_post,
    draft_caption,
    instagram_connect_finish,
    instagram_connect_start,
    instagram_disconnect,
    instagram_post_edit,
    instagram_post_schedule,
    instagram_token_refresh,
    poll_backoff,
)
from instagram.tests.helpers import (
    REDIRECT,
    REFRESH_TASK,
    configure,
    connect,
    enable,
    published_media,
    queued,
    run,
    simulator,
)
from storefront.tests.factories import add_product
from tokoblitar.errors import Conflict, FeatureDisabled, NotFound, PermissionDenied, ValidationFailed

pytestmark = pytest.mark.django_db


@pytest.fixture
def store(seller):
    enable(seller.store)
    return seller.store


@pytest.fixture
def product(store):
    return add_product(
        store,
        name="Sambal Pecel Bu Sri",
        price=15_000,
        description="Sambal pecel khas Blitar dari kacang tanah sangrai. Isi 250 gram.",
    )


# --- Connect -------------------------------------------------------------------------------


def test_connect_stores_the_long_lived_token_encrypted_and_schedules_its_refresh(seller, store):
    account = connect(seller, "tokosri")
    assert account.username == "tokosri" and account.ig_user_id
    assert account.token_expires_at - account.token_issued_at == timedelta(days=60)
    with connection.cursor() as cursor:
        cursor.execute("SELECT access_token FROM instagram_instagramaccount WHERE id = %s", [account.pk])
        raw = cursor.fetchone()[0]
    assert raw != account.access_token and account.access_token not in raw and ":" in raw
    # The token works on the platform: it is the 60-day one.
    assert simulator().me(InstagramAccount.objects.get().access_token)[1] == "tokosri"
    refresh = queued(REFRESH_TASK)
    assert len(refresh) == 1 and refresh[0].run_after == account.refresh_due_at
    assert account.refresh_due_at == account.token_expires_at - timedelta(days=10)


def test_callback_with_a_state_not_from_this_session_connects_nothing(seller, store):
    session: dict = {}
    url = instagram_connect_start(actor=seller, session=session, redirect_uri=REDIRECT)
    query = parse_qs(urlsplit(url).query)
    code = simulator().platform.consent(username="tokosri", client_id=query["client_id"][0], redirect_uri=REDIRECT)
    # Another site plants its own code with a made-up state; or a callback arrives in another session.
    with pytest.raises(PermissionDenied) as wrong:
        instagram_connect_finish(actor=seller, session=session, code=code, state="forged")
    assert wrong.value.code == "oauth_state_mismatch"
    with pytest.raises(PermissionDenied):
        instagram_connect_finish(actor=seller, session={}, code=code, state=query["state"][0])
    assert not InstagramAccount.objects.exists()


def test_state_is_single_use_and_expires(seller, store):
    session: dict = {}
    url = instagram_connect_start(actor=seller, session=session, redirect_uri=REDIRECT)
    state = parse_qs(urlsplit(url).query)["state"][0]
    clock.advance(minutes=16)
    code = simulator().platform.consent(username="tokosri", client_id="x", redirect_uri=REDIRECT)
    with pytest.raises(PermissionDenied):
        instagram_connect_finish(actor=seller, session=session, code=code, state=state)
    assert "instagram_oauth" not in session and not InstagramAccount.objects.exists()


def test_refused_code_is_a_provider_error_with_instagrams_words(seller, store):
    session: dict = {}
    url = instagram_connect_start(actor=seller, session=session, redirect_uri=REDIRECT)
    state = parse_qs(urlsplit(url).query)["state"][0]
    with pytest.raises(Exception) as refused:
        instagram_connect_finish(actor=seller, session=session, code="not-a-code", state=state)
    assert refused.value.code == "instagram_connect_failed" and "authorization code" in refused.value.message
    assert not InstagramAccount.objects.exists()


def test_instagram_switch_off_refuses(seller):
    with pytest.raises(FeatureDisabled):
        instagram_connect_start(actor=seller, session={}, redirect_uri=REDIRECT)
    product = add_product(seller.store)
    with pytest.raises(FeatureDisabled):
        create_post(actor=seller, product_id=product.pk)
    assert not InstagramPost.objects.exists()


# --- Drafts ----------------------------------------------------------------------------------


def test_draft_caption_is_made_from_the_products_own_facts(store, product):
    caption = draft_caption(product)
    assert caption.startswith("Sambal Pecel Bu Sri\n")
    assert "Sambal pecel khas Blitar dari kacang tanah sangrai. Isi 250 gram." in caption
    assert "Harga: Rp15.000" in caption
    assert f"Pesan di {store.name} di TokoBLITAR." in caption
    assert "#UMKMBlitar" in caption.splitlines()[-1]
    bare = product_create(store=store, name="Kerupuk", price=1_250_000, weight_gram=100, stock=1)
    text = draft_caption(bare)
    assert "Harga: Rp1.250.000" in text and "\n\n\n" not in text


def test_long_description_is_shortened_on_a_sentence(store):
    long = " ".join(["Keripik tempe tipis dan renyah."] * 20)
    product = product_create(store=store, name="Keripik", price=10_000, weight_gram=100, stock=1, description=long)
    line = draft_caption(product).splitlines()[2]
    assert len(line) <= 220 and line.endswith(".")


def test_create_post_draft_with_generated_caption_queues_nothing(seller, product):
    post = create_post(actor=seller, product_id=product.pk)
    assert post.status == InstagramPost.Status.DRAFT and post.caption == draft_caption(product)
    assert post.store == product.store and post.created_by == seller
    assert queued() == []
    # Drafts need no connected account; the caption stays editable.
    post = instagram_post_edit(actor=seller, post_id=post.pk, caption="Sambal baru! #UMKMBlitar")
    assert InstagramPost.objects.get().caption == "Sambal baru! #UMKMBlitar"


def test_bad_inputs_change_nothing(seller, product, other_seller):
    enable(other_seller.store)
    foreign = add_product(other_seller.store)
    with pytest.raises(NotFound):
        create_post(actor=seller, product_id=foreign.pk)
    with pytest.raises(ValidationFailed):
        create_post(actor=seller, product_id=product.pk, schedule_at=clock.now() - timedelta(minutes=1))
    with pytest.raises(ValidationFailed):
        create_post(actor=seller, product_id=product.pk, caption="   ")
    with pytest.raises(ValidationFailed):
        create_post(actor=seller, product_id=product.pk, caption=" ".join(f"#t{i}" for i in range(31)))
    with pytest.raises(Conflict) as not_connected:
        create_post(actor=seller, product_id=product.pk, publish_now=True)
    assert not_connected.value.code == "instagram_not_connected"
    connect(seller)
    with pytest.raises(ValidationFailed):
        create_post(actor=seller, product_id=product.pk, publish_now=True, schedule_at=clock.now() + timedelta(hours=1))
    no_photo = add_product(seller.store, with_photo=False)
    with pytest.raises(ValidationFailed) as photo:
        create_post(actor=seller, product_id=no_photo.pk, publish_now=True)
    assert photo.value.code == "product_has_no_photo"
    assert not InstagramPost.objects.exists() and queued() == []


def test_another_stores_post_is_not_found(seller, other_seller, product):
    enable(other_seller.store)
    post = create_post(actor=seller, product_id=product.pk)
    with pytest.raises(NotFound):
        instagram_post_edit(actor=other_seller, post_id=post.pk, caption="hijacked")
    with pytest.raises(NotFound):
        instagram_post_schedule(actor=other_seller, post_id=post.pk, publish_now=True)
    assert InstagramPost.objects.get().caption == draft_caption(product)


# --- Publishing --------------------------------------------------------------------------------


def test_publish_now_polls_until_finished_then_publishes(seller, product):
    connect(seller)
    configure(ready_after_seconds=30)
    post = create_post(actor=seller, product_id=product.pk, publish_now=True)
    assert post.status == InstagramPost.Status.SCHEDULED and len(queued()) == 1

    post = run(post)
    assert post.status == InstagramPost.Status.PUBLISHING and post.container_id
    assert post.image_url.startswith("http://testserver/media/products/")
    assert post.next_attempt_at == post.container_created_at + poll_backoff(1)
    assert len(queued()) == 2 and queued()[-1].run_after == post.next_attempt_at

    # A duplicate delivery before the poll is due does nothing.
    again = run(post)
    assert (again.attempts, again.status, len(queued())) == (1, "publishing", 2)

    clock.advance(seconds=5)
    post = run(post)
    assert post.status == InstagramPost.Status.PUBLISHING and post.attempts == 2
    assert abs(post.next_attempt_at - clock.now() - timedelta(seconds=10)) < timedelta(seconds=2)

    clock.advance(seconds=30)
    post = run(post)
    assert post.status == InstagramPost.Status.PUBLISHED and post.media_id
    assert post.permalink.startswith("https://www.instagram.com/p/") and post.published_at is not None
    media = SimulatedGraphObject.objects.get(kind="media")
    assert media.key == post.media_id and media.data["caption"] == post.caption


def test_publish_task_run_twice_publishes_once(seller, product):
    connect(seller)
    configure(ready_after_seconds=0)
    post = run(create_post(actor=seller, product_id=product.pk, publish_now=True))
    assert post.status == "published" and published_media() == 1
    assert run(post).status == "published" and published_media() == 1
    # The run that published lost its write (worker killed after Instagram answered): the
    # retry finds the container PUBLISHED and records it instead of publishing again.
    InstagramPost.objects.filter(pk=post.pk).update(status="publishing", media_id="", published_at=None)
    post = run(post)
    assert post.status == "published" and published_media() == 1


def test_scheduled_post_waits_for_its_time(seller, product):
    connect(seller)
    configure(ready_after_seconds=0)
    when = clock.now() + timedelta(hours=2)
    post = create_post(actor=seller, product_id=product.pk, caption="Besok pagi! #UMKMBlitar", schedule_at=when)
    assert post.status == "scheduled" and queued()[0].run_after == when
    post = run(post)  # early: nothing happens
    assert post.status == "scheduled" and not post.container_id and post.attempts == 0
    clock.advance(hours=2)
    post = run(post)
    assert post.status == "published"
    assert SimulatedGraphObject.objects.get(kind="media").data["caption"] == "Besok pagi! #UMKMBlitar"


def test_quota_exhausted_waits_then_publishes_when_the_window_frees(seller, product):
    connect(seller)
    configure(ready_after_seconds=0, quota_total=1)
    first = run(create_post(actor=seller, product_id=product.pk, publish_now=True))
    assert first.status == "published"

    clock.advance(hours=1)
    second = run(create_post(actor=seller, product_id=product.pk, publish_now=True))
    assert second.status == InstagramPost.Status.WAITING_QUOTA
    # Our own reason (from the numbers the API reported), worded in the reader's language.
    assert second.error_code == "quota_used" and second.error_params == {"usage": 1, "total": 1}
    with translation.override("en"):
        assert second.reason == "Publishing quota used: 1 of 1 posts in 24 hours"
    with translation.override("id"):
        assert second.reason == "Kuota terpakai: 1 dari 1 posting dalam 24 jam"
    assert not second.container_id  # no container left to expire while waiting
    assert second.next_attempt_at == first.published_at + timedelta(days=1, seconds=1)
    assert queued()[-1].run_after == second.next_attempt_at

    clock.advance(hours=22)
    assert run(second).status == "waiting_quota"  # early duplicate: still waiting
    clock.advance(hours=1, seconds=1)
    second = run(second)
    assert second.status == "published" and published_media() == 2


def test_quota_taken_between_check_and_publish_waits(seller, product):
    """Another app used the last slot after our container was made: media_publish answers
    9/2207042 and the post waits for the quota instead of failing."""
    account = connect(seller)
    configure(ready_after_seconds=10, quota_total=1)
    post = run(create_post(actor=seller, product_id=product.pk, publish_now=True))
    assert post.status == "publishing"
    client = simulator()
    other = client.create_container(
        account.access_token, account.ig_user_id, image_url=post.image_url, caption="dari aplikasi lain"
    )
    clock.advance(seconds=10)
    client.publish(account.access_token, account.ig_user_id, creation_id=other)
    post = run(post)
    assert post.status == "waiting_quota" and post.container_id


def test_expired_container_fails_with_the_platforms_reason(seller, product):
    connect(seller)
    configure(ready_after_seconds=2 * 86400)  # Instagram never finishes processing it
    post = run(create_post(actor=seller, product_id=product.pk, publish_now=True))
    assert post.status == "publishing"
    clock.advance(hours=24)
    post = run(post)
    assert post.status == InstagramPost.Status.FAILED and post.error_code == "EXPIRED"
    assert "24 hours" in post.error_message and published_media() == 0


def test_image_over_8_mib_fails_with_the_platforms_reason(seller, product):
    connect(seller)
    name = default_storage.save("products/poster-besar.jpg", ContentFile(b"\xff" * (8 * 1024 * 1024 + 1)))
    ProductImage.objects.filter(product=product).update(image=name)
    post = run(create_post(actor=seller, product_id=product.pk, publish_now=True))
    assert post.status == "failed" and post.error_code == "36000/2207004"
    assert post.error_message == "The image is larger than the maximum size of 8 MiB."
    assert not SimulatedGraphObject.objects.filter(kind="container").exists()


def test_unreachable_image_fails_with_the_platforms_reason(seller, product):
    connect(seller)
    configure(ready_after_seconds=0)
    default_storage.delete(product.images.get().image.name)
    post = run(create_post(actor=seller, product_id=product.pk, publish_now=True))
    assert post.status == "failed" and post.error_code == "ERROR/2207003"
    assert "download" in post.error_message


def test_failed_post_can_be_scheduled_again_with_a_new_container(seller, product):
    connect(seller)
    configure(ready_after_seconds=0)
    image = product.images.get()
    data = default_storage.open(image.image.name).read()
    default_storage.delete(image.image.name)
    post = run(create_post(actor=seller, product_id=product.pk, publish_now=True))
    assert post.status == "failed"
    old_container = post.container_id
    default_storage.save(image.image.name, ContentFile(data))
    post = instagram_post_schedule(actor=seller, post_id=post.pk, publish_now=True)
    assert post.status == "scheduled" and not post.error_code and not post.container_id
    post = run(post)
    assert post.status == "published" and post.container_id != old_container


def test_disconnect_holds_waiting_posts_keeps_drafts_and_reconnect_resumes_them(seller, product):
    connect(seller)
    configure(ready_after_seconds=0)
    draft = create_post(actor=seller, product_id=product.pk)
    later = create_post(actor=seller, product_id=product.pk, schedule_at=clock.now() + timedelta(days=21))
    soon = create_post(actor=seller, product_id=product.pk, schedule_at=clock.now() + timedelta(hours=1))
    assert instagram_disconnect(actor=seller) == 2
    assert not InstagramAccount.objects.exists()
    statuses = dict(InstagramPost.objects.values_list("pk", "status"))
    assert statuses == {draft.pk: "draft", later.pk: "on_hold", soon.pk: "on_hold"}
    held = InstagramPost.objects.get(pk=later.pk)
    # Our own reason, not Instagram's: a code, worded when read, in the reader's language.
    assert held.error_code == "disconnected" and held.error_message == "" and held.reason_is_ours
    with translation.override("en"):
        assert held.reason.startswith("Instagram is disconnected")
    with translation.override("id"):
        assert held.reason.startswith("Instagram diputuskan")
    # The queued runs publish nothing while held.
    clock.advance(hours=2)
    assert run(soon).status == "on_hold" and published_media() == 0
    with pytest.raises(Conflict):
        instagram_disconnect(actor=seller)  # nothing connected: not a silent "done"

    connect(seller)
    later.refresh_from_db()
    soon.refresh_from_db()
    draft.refresh_from_db()
    assert draft.status == "draft"
    # Its own time when still ahead; now when its time passed while held.
    assert later.status == "scheduled" and later.error_code == "" and later.schedule_at > clock.now()
    assert soon.status == "scheduled" and soon.schedule_at <= clock.now()
    assert run(soon).status == "published"
    clock.advance(days=21)
    assert run(later).status == "published" and published_media() == 2


# --- Token refresh ----------------------------------------------------------------------------


def test_token_refresh_respects_the_24_hour_precondition_and_renews_before_expiry(seller, store):
    account = connect(seller)
    first_token = account.access_token
    # Even when due by our schedule, a token younger than 24 h is never sent for refresh.
    InstagramAccount.objects.filter(pk=account.pk).update(refresh_due_at=clock.now())
    assert instagram_token_refresh(account_id=str(account.pk)) == "not_due"
    account.refresh_from_db()
    assert account.access_token == first_token and account.last_error == ""

    clock.advance(days=49)
    InstagramAccount.objects.filter(pk=account.pk).update(refresh_due_at=clock.now() + timedelta(days=1))
    assert instagram_token_refresh(account_id=str(account.pk)) == "not_due"
    clock.advance(days=1)
    assert instagram_token_refresh(account_id=str(account.pk)) == "refreshed"
    account.refresh_from_db()
    assert account.access_token != first_token
    assert account.token_expires_at == account.token_issued_at + timedelta(days=60)
    assert account.token_issued_at == clock.now() or account.token_issued_at <= clock.now()
    assert len(queued(REFRESH_TASK)) == 2 and queued(REFRESH_TASK)[-1].run_after == account.refresh_due_at
    # The new token works; the old one still does until it expires (as on Instagram).
    assert simulator().me(account.access_token)[1] == "tokosri"


def test_expired_token_holds_posts_until_reconnect(seller, product):
    connect(seller)
    configure(ready_after_seconds=0)
    post = create_post(actor=seller, product_id=product.pk, schedule_at=clock.now() + timedelta(days=61))
    clock.advance(days=61)
    post = run(post)
    assert post.status == "on_hold" and post.error_code == "token_expired" and post.reason_is_ours
    assert instagram_token_refresh(account_id=str(InstagramAccount.objects.get().pk)) == "expired"
    assert InstagramAccount.objects.get().last_error == ""  # only Instagram's own words go there
    connect(seller)
    post.refresh_from_db()
    assert post.status == "scheduled"
    assert run(post).status == "published"


def test_server_without_instagram_fails_the_post_with_a_reason(settings, seller, product):
    connect(seller)
    post = create_post(actor=seller, product_id=product.pk, schedule_at=clock.now() + timedelta(hours=1))
    # Later the server runs without keys and without simulators: Instagram is "off".
    settings.INSTAGRAM_PROVIDER = ""
    settings.INSTAGRAM_APP_SECRET = ""
    settings.DEBUG = False
    settings.ALLOW_SIMULATORS = False
    clock.advance(hours=1)
    post = run(post)
    assert post.status == "failed" and post.error_code == "provider_not_configured"


def test_simulator_fetches_only_our_own_media(product):
    from instagram.graph import our_media_size

    url = "http://testserver" + product.images.get().url
    assert our_media_size(url) == default_storage.size(product.images.get().image.name)
    assert our_media_size(url.replace("testserver", "elsewhere.test")) is None
    assert our_media_size("http://testserver/media/../secret.txt") is None
    assert our_media_size("http://testserver/static/css/app.css") is None


# --- Line breaks ------------------------------------------------------------------------------

# 220 lines of 9 characters: 2,199 characters with LF line breaks (Instagram's count), 2,418
# when a browser sends each line break as CRLF.
CRLF_CAPTION = "\r\n".join(["aaaaaaaaa"] * 220)


def test_caption_line_breaks_count_once_and_no_carriage_return_is_stored(seller, product):
    post = create_post(actor=seller, product_id=product.pk, caption=CRLF_CAPTION)
    assert "\r" not in post.caption and len(post.caption) == 2199
    post = instagram_post_edit(actor=seller, post_id=post.pk, caption="Baris satu\rBaris dua\r\n\r\n#UMKMBlitar")
    assert InstagramPost.objects.get().caption == "Baris satu\nBaris dua\n\n#UMKMBlitar"
    with pytest.raises(ValidationFailed):  # the limit itself still holds after normalizing
        instagram_post_edit(actor=seller, post_id=post.pk, caption="\r\n".join(["aaaaaaaaa"] * 221))
