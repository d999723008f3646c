"""The offline enhancer: a real local enhancement with Pillow, so "Perbaiki foto" works
without a Replicate account and the result is visibly better.

Steps, each a few milliseconds on a 1600 px photo: upright (EXIF orientation), gray-world white
balance, auto-contrast, a gentle brightness lift for dark kitchen-table photos, gentle
sharpening, then the picture centred on a square white canvas (marketplace thumbnails are
square). Output is a metadata-free JPEG.
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping

from PIL import Image, ImageFilter, ImageOps, ImageStat, UnidentifiedImageError

from photos.enhance.base import FAILED, SUCCEEDED, EnhanceOutcome, ProgressCallback

MAX_SIDE = 1600
# White balance gains are bounded: a photo of a red batik must stay red.
MIN_GAIN, MAX_GAIN = 0.75, 1.45
# Dark photos are lifted towards this mean luminance (0-255), never darkened.
TARGET_LUMA = 135.0
# Auto-contrast stretches the 1st-99th luminance percentiles towards 0-255, at most this much:
# a flat photo stretched without a bound turns sensor noise and JPEG blocks into stripes.
MAX_STRETCH = 2.2
MARGIN = 0.04  # of the square's side, white space around the product


def enhance_image(raw: bytes, progress: ProgressCallback | None = None) -> bytes:
    """`raw` (JPEG/PNG/WebP bytes) enhanced; JPEG bytes out, square, on white.

    Raises ValueError when `raw` is not a readable image."""
    step = progress or (lambda _p: None)
    try:
        with Image.open(io.BytesIO(raw), formats=["JPEG", "PNG", "WEBP"]) as opened:
            opened.draft("RGB", (MAX_SIDE, MAX_SIDE))
            img = ImageOps.exif_transpose(opened)
            img.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise ValueError(f"not an image: {exc}") from exc
    if img.mode in ("RGBA", "LA", "P", "PA"):
        rgba = img.convert("RGBA")
        img = Image.new("RGB", rgba.size, (255, 255, 255))
        img.paste(rgba, mask=rgba.getchannel("A"))
    else:
        img = img.convert("RGB")
    img.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    step(20)
    img = _white_balance(img)
    step(40)
    img = _stretch_contrast(img)
    img = _lift_shadows(img)
    step(60)
    img = img.filter(ImageFilter.UnsharpMask(radius=2, percent=60, threshold=3))
    step(80)
    img = _square_on_white(img)
    out = io.BytesIO()
    img.save(out, format="JPEG", quality=88, optimize=True, progressive=True)
    step(95)
    return out.getvalue()


def _white_balance(img: Image.Image) -> Image.Image:
    """Gray world: scale each channel so their means meet (a yellow kitchen bulb turns neutral)."""
    means = ImageStat.Stat(img).mean
    gray = sum(means) / 3
    if gray < 1:
        return img
    gains = [min(MAX_GAIN, max(MIN_GAIN, gray / max(m, 1.0))) for m in means]
    channels = [
        band.point(lambda v, g=g: min(255, int(v * g + 0.5))) for band, g in zip(img.split(), gains, strict=True)
    ]
    return Image.merge("RGB", channels)


def _stretch_contrast(img: Image.Image) -> Image.Image:
    """Auto-contrast on luminance, one curve for all channels (colours keep their hue)."""
    hist = img.convert("L").histogram()
    total = sum(hist)
    low, high, seen = 0, 255, 0
    for value, count in enumerate(hist):
        seen += count
        if seen <= total * 0.01:
            low = value
        if seen >= total * 0.99:
            high = value
            break
    span = max(high - low, 1)
    scale = min(255 / span, MAX_STRETCH)
    # Centre what the bounded stretch cannot fill, so neither end is clipped more than the other.
    offset = (255 - span * scale) / 2 - low * scale
    table = [max(0, min(255, int(v * scale + offset + 0.5))) for v in range(256)]
    return img.point(table * 3)


def _lift_shadows(img: Image.Image) -> Image.Image:
    """Gamma below 1 for dark photos (mean luminance under TARGET_LUMA); bright ones untouched."""
    mean = ImageStat.Stat(img.convert("L")).mean[0]
    if mean >= TARGET_LUMA or mean < 1:
        return img
    gamma = max(0.55, math.log(TARGET_LUMA / 255) / math.log(mean / 255))
    table = [min(255, int(255 * (v / 255) ** gamma + 0.5)) for v in range(256)]
    return img.point(table * 3)


def _square_on_white(img: Image.Image) -> Image.Image:
    side = max(img.size)
    side = int(side / (1 - 2 * MARGIN))
    canvas = Image.new("RGB", (side, side), (255, 255, 255))
    canvas.paste(img, ((side - img.width) // 2, (side - img.height) // 2))
    if side > MAX_SIDE:
        canvas = canvas.resize((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    return canvas


class SimulatorPhotoEnhancer:
    """Same interface as the live client; finishes inside `enhance` (no prediction, no webhook)."""

    name = "simulator"

    def __init__(self, **_options: object) -> None:
        # The registry passes every simulator this installation's secret and a webhook URL;
        # the Pillow enhancer needs neither.
        pass

    def enhance(self, *, image: bytes, job_id: str, progress: ProgressCallback) -> EnhanceOutcome:
        try:
            output = enhance_image(image, progress)
        except ValueError as exc:
            return EnhanceOutcome(status=FAILED, reason=str(exc)[:300])
        return EnhanceOutcome(status=SUCCEEDED, output=output, progress=100)

    def fetch(self, *, prediction_id: str) -> EnhanceOutcome:
        return EnhanceOutcome(status=FAILED, prediction_id=prediction_id, reason="the simulator keeps no predictions")

    def cancel(self, *, prediction_id: str) -> None:
        return None

    def verify_webhook(self, *, headers: Mapping[str, str], body: str) -> bool:
        # The simulator never sends webhooks: nothing that arrives can be its.
        return False
