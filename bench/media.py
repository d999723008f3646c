# ruff: noqa: E501 - the report template is markdown tables, one row a line
"""Media benchmark (issue 12): `python bench/media.py` (or `make bench-media`).

1. Accept and render one 10 MB phone photo (12 MP JPEG): the time and peak memory (VmHWM of
   this process, reset between phases through /proc/self/clear_refs) of
   - accept: `image_reencode` (header checks, reduced-scale decode, EXIF orientation, metadata
     stripped, 1600 px JPEG) and the write to storage, as the upload request does;
   - render: the task worker's `renditions_make` (12 files: 6 widths x WebP + JPEG).
2. Bytes a phone downloads: a catalogue of 12 products whose photos went through the real
   upload path (1600 px re-encoded originals), served by the real ASGI app (daphne, DEBUG off)
   on 127.0.0.1; headless Chromium at 360x780 CSS px, device pixel ratio 2 (a common cheap
   Android), opens the home page and a product page; every response body is counted (images
   apart), first on the initial screen, then after scrolling to the bottom (lazy pictures load).
   "Before" is the same pages with no renditions ready (the originals, as before issue 12),
   "after" with every rendition drawn.
3. Writes the figures to the "Media" section of bench/RESULTS.md.

Own database (EMBEDDED_DB_NAME, default `tokoblitar_bench_media`) and media folder (var/bench-media).
"""

from __future__ import annotations

import io
import os
import secrets
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
MEDIA = ROOT / "var" / "bench-media"
os.environ.setdefault("EMBEDDED_DB_NAME", "tokoblitar_bench_media")
os.environ["RATELIMIT_ENABLE"] = "false"
os.environ["MEDIA_ROOT"] = str(MEDIA)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tokoblitar.settings")
os.environ.setdefault("PAYMENT_PROVIDER", "simulator")
os.environ.setdefault("SHIPPING_PROVIDER", "simulator")
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(48))

from bench.common import bench_server, machine_info, now_utc, write_section  # noqa: E402

PRODUCTS = 12
LIMIT = 10 * 1024 * 1024


def phone_photo(size: tuple[int, int] = (4032, 3024), under: int = LIMIT) -> bytes:
    """A camera-like JPEG: gradients plus sensor noise (so it compresses like a real photo),
    with EXIF orientation and a GPS position, as large as fits under `under` bytes."""
    from PIL import Image

    w, h = size
    base = Image.linear_gradient("L").resize((w, h))
    noise = Image.effect_noise((w, h), 60)
    img = Image.merge("RGB", (base, noise, Image.blend(base, noise, 0.5)))
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x8825] = {1: "S", 2: (8.0, 5.0, 42.0), 3: "E", 4: (112.0, 10.0, 21.0)}
    for quality in (95, 93, 91, 89, 87, 85, 80, 75):
        out = io.BytesIO()
        img.save(out, format="JPEG", quality=quality, exif=exif)
        if len(out.getvalue()) <= under:
            return out.getvalue()
    raise SystemExit("could not make a photo under the limit")


def catalogue_photo(name: str) -> bytes:
    """A product photo as a phone takes it: the demo still-life at 1600 px with mild sensor
    noise (so it weighs what a real re-encoded photo weighs, ~300-500 KB, not a flat drawing)."""
    from PIL import Image, ImageChops

    from catalog.demo_photos import product_photo

    img = Image.open(io.BytesIO(product_photo(name, size=1600))).convert("RGB")
    noisy = ImageChops.add(img, Image.effect_noise(img.size, 6).convert("RGB"), scale=1.0, offset=-128)
    out = io.BytesIO()
    noisy.save(out, format="JPEG", quality=92)
    return out.getvalue()


def _status(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    return 0


def _reset_peak() -> None:
    try:
        Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM to the current RSS
    except OSError:
        pass


def measure(fn):  # noqa: ANN001, ANN201
    """(result, seconds, peak RSS growth in bytes over the RSS before the call)."""
    import gc

    gc.collect()
    _reset_peak()
    before = _status("VmRSS")
    started = time.perf_counter()
    result = fn()
    elapsed = time.perf_counter() - started
    return result, elapsed, max(0, _status("VmHWM") - before)


def accept_and_render() -> dict:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from catalog.models import ProductImage
    from tokoblitar.images import image_reencode, image_size, image_store
    from tokoblitar.renditions import renditions_make_now

    raw = phone_photo()
    field = ProductImage._meta.get_field("image")

    def accept() -> tuple[str, int, int]:
        upload = SimpleUploadedFile("IMG_0001.jpg", raw, content_type="image/jpeg")
        data = image_reencode(upload)
        width, height = image_size(data)
        name = image_store(storage=field.storage, name=field.generate_filename(None, "bench-phone.jpg"), data=data)
        return name, width, height

    (name, width, height), accept_s, accept_mem = measure(accept)
    image = ProductImage(image=name, width=width, height=height)
    written, render_s, render_mem = measure(lambda: renditions_make_now(image.image))
    stored = field.storage.size(name)
    rendition_bytes = sum(field.storage.size(p.name) for p in image.image.get_picture_files_list())
    return {
        "raw": len(raw),
        "stored": stored,
        "size": (width, height),
        "accept_s": accept_s,
        "accept_mem": accept_mem,
        "render_s": render_s,
        "render_mem": render_mem,
        "written": written,
        "rendition_bytes": rendition_bytes,
    }


def ensure_catalogue() -> tuple[str, str]:
    """A store with PRODUCTS products, each with a phone photo uploaded through the service."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from accounts.models import User
    from catalog.models import Product
    from catalog.services import product_create, product_image_add
    from stores.services import account_register

    email = "bench-media@bench.tokoblitar.id"
    seller = User.objects.filter(email=email).first() or account_register(
        email=email, password=secrets.token_urlsafe(16), full_name="Penjual Bench Media", role="seller"
    )
    store = seller.store
    have = Product.objects.filter(store=store).count()
    for n in range(have, PRODUCTS):
        product = product_create(
            store=store, name=f"Keripik Tempe Bench {n}", price=15000 + n, weight_gram=250, stock=50, status="active"
        )
        for k in range(3 if n == 0 else 1):
            photo = catalogue_photo(f"{product.name} {k}")
            product_image_add(product=product, upload=SimpleUploadedFile(f"p{n}-{k}.jpg", photo, "image/jpeg"))
    first = Product.objects.filter(store=store, name="Keripik Tempe Bench 0").get()
    return "/", f"/p/{store.slug}/{first.slug}/"


def set_ready(ready: bool) -> None:
    from catalog.listing_cache import listing_changed
    from catalog.models import ProductImage
    from tokoblitar.renditions import renditions_make_now

    if ready:
        for image in ProductImage.objects.filter(renditions_ready=False):
            renditions_make_now(image.image)
    else:
        ProductImage.objects.update(renditions_ready=False)
    listing_changed()


def page_bytes(port: int, path: str) -> dict:
    """Bytes Chromium at 360x780 (DPR 2) downloads: initial screen, then scrolled to the end."""
    from playwright.sync_api import sync_playwright

    counted: dict[str, dict[str, int]] = {"initial": {}, "scrolled": {}}
    phase = ["initial"]

    def on_response(response) -> None:  # noqa: ANN001
        try:
            size = len(response.body())
        except Exception:  # noqa: BLE001 - redirects and aborted requests have no body
            return
        kind = "image" if response.request.resource_type == "image" else "other"
        bucket = counted[phase[0]]
        bucket[kind] = bucket.get(kind, 0) + size
        bucket["n_" + kind] = bucket.get("n_" + kind, 0) + 1

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        context = browser.new_context(viewport={"width": 360, "height": 780}, device_scale_factor=2, is_mobile=True)
        page = context.new_page()
        page.on("response", on_response)
        page.goto(f"http://127.0.0.1:{port}{path}", wait_until="networkidle")
        phase[0] = "scrolled"
        for _ in range(20):
            page.mouse.wheel(0, 700)
            page.wait_for_timeout(150)
        page.wait_for_load_state("networkidle")
        browser.close()
    return counted


def cache_headers(port: int, path: str) -> dict[str, str]:
    """Cache-Control of the first /static/ and /media/ files the page links, as served."""
    import re
    import urllib.request

    html = urllib.request.urlopen(f"http://127.0.0.1:{port}{path}").read().decode()  # noqa: S310 - our local server
    found = {}
    for kind in ("static", "media"):
        match = re.search(rf'(?:src|href)="(/{kind}/[^"]+)"', html)
        if match:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{match.group(1)}") as response:  # noqa: S310
                found[kind] = f"`{match.group(1)}`: `{response.headers.get('Cache-Control')}`"
    return found


def main() -> int:
    import django

    shutil.rmtree(MEDIA, ignore_errors=True)
    MEDIA.mkdir(parents=True)
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, check=True)
    # DEBUG off serves hashed static files from the manifest: build it like a deployment does.
    static_env = {**os.environ, "DEBUG": "false", "SECURE_SSL_REDIRECT": "false", "ALLOW_SIMULATORS": "true"}
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT, env=static_env, check=True
    )
    django.setup()
    from catalog.models import Product

    Product.objects.filter(store__owner__email="bench-media@bench.tokoblitar.id").delete()

    one = accept_and_render()
    print(
        f"accept {one['accept_s']:.2f}s / {one['accept_mem'] / 2**20:.0f} MB; render {one['render_s']:.2f}s", flush=True
    )
    home, product = ensure_catalogue()

    from catalog.models import ProductImage

    originals = [image.image.size for image in ProductImage.objects.filter(product__store__slug__isnull=False)]
    average_original = sum(originals) / max(1, len(originals))
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECURE_SSL_REDIRECT": "false",  # plain http on 127.0.0.1
        "ALLOW_SIMULATORS": "true",
        "LOG_LEVEL": "WARNING",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
    }
    results: dict[str, dict] = {}
    with bench_server(env, ("/static/css/app.css",)) as (port, _server):
        headers = cache_headers(port, home)
        for state in ("before", "after"):
            set_ready(state == "after")
            for label, path in (("home", home), ("product", product)):
                results[(state, label)] = page_bytes(port, path)
                print(state, label, results[(state, label)], flush=True)

    def kb(n: int) -> str:
        return f"{n / 1024:,.0f} KB"

    rows = []
    for label, title in (("home", "home `/`"), ("product", "product page")):
        cells = []
        for state in ("before", "after"):
            r = results[(state, label)]
            first = r["initial"].get("image", 0)
            total_img = first + r["scrolled"].get("image", 0)
            everything = total_img + r["initial"].get("other", 0) + r["scrolled"].get("other", 0)
            cells.append((first, r["initial"].get("n_image", 0), total_img, everything))
        (b1, bn, b2, b3), (a1, an, a2, a3) = cells
        rows.append(
            f"| {title} | {kb(b1)} ({bn}) | **{kb(a1)}** ({an}) | {kb(b2)} | **{kb(a2)}** | {kb(b3)} | **{kb(a3)}** "
            f"| {100 * (1 - a2 / b2):.0f}% |"
            if b2
            else f"| {title} | – | – | – | – | – | – | – |"
        )
    body = f"""Run {now_utc()} on {machine_info()}; `make bench-media` (bench/media.py).

One 10 MB phone photo ({one["raw"] / 2**20:.1f} MB JPEG, 4032x3024, EXIF orientation 6 + GPS) through
the upload path, then its renditions as the task worker draws them:

| phase | time | peak memory (RSS growth) | output |
|---|---|---|---|
| accept: checks, reduced-scale decode, rotate, strip, 1600 px JPEG, store | {one["accept_s"]:.2f} s | {one["accept_mem"] / 2**20:.0f} MB | {one["size"][0]}x{one["size"][1]}, {kb(one["stored"])} |
| render (task worker): {one["written"]} renditions, WebP + JPEG | {one["render_s"]:.2f} s | {one["render_mem"] / 2**20:.0f} MB | {kb(one["rendition_bytes"])} in all |

Measured 2026-12-01 before this issue's decode fix: accept took 1.9-2.8 s and 117 MB (the JPEG
draft box was square, so a 4:3 photo could not shrink at decode and 12 MP were decoded in full;
now the box keeps the photo's aspect and libjpeg decodes 2016x1512).

Bytes a phone downloads (Chromium 360x780 CSS px, DPR 2; daphne, DEBUG off; {PRODUCTS} products,
photos uploaded through the service as 1600 px originals, {average_original / 1024:.0f} KB on average). "Before": no renditions (the originals,
as every page sent them before issue 12); "after": renditions drawn (srcset/sizes, WebP). First
screen = on load (images, in brackets how many); whole page = after scrolling to the end (lazy
pictures loaded); everything = images + HTML, CSS, JS.

| page | first screen before | first screen after | images before | images after | everything before | everything after | images saved |
|---|---|---|---|---|---|---|---|
{chr(10).join(rows)}

Served headers (measured): {"; ".join(headers.values())}.

Caching: `/media/` answers `Cache-Control: public, max-age=31536000, immutable` (names are unique and
never rewritten), so a second visit downloads no picture again (before: no Cache-Control, every
visit revalidated or re-downloaded); on R2 every object is written with the same header.
Hashed static files (`make serve`, WhiteNoise manifest) were already `immutable` for 10 years.
"""
    write_section("Media", body)
    print(body)
    return 0


if __name__ == "__main__":
    sys.exit(main())
