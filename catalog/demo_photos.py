"""Demo product photos drawn locally with Pillow: a small still-life of the product's packaging
(a jar, a standing pouch, a bottle, a box, folded cloth, a clay pot, a woven basket, fruit, a
bar of soap) on a table against a wall, with a label carrying the product's name. No network.

Deterministic per name (same picture on every run). Only for `manage.py seed_demo`.
"""

from __future__ import annotations

import colorsys
import hashlib
import io
import textwrap
from collections.abc import Callable

from PIL import Image, ImageDraw, ImageFilter, ImageFont

RGB = tuple[int, int, int]

# Keyword (in the lower-cased name) -> kind of package. First match wins.
KINDS: list[tuple[tuple[str, ...], str]] = [
    (("batik", "kemeja", "selendang"), "cloth"),
    (("sabun",), "soap"),
    (("sirup", "liter", "propolis"), "bottle"),
    (("madu", "sambal", "lulur", "jenang", "selai"), "jar"),
    (("vas", "pot", "kendi", "celengan", "lampu hias", "gerabah"), "pot"),
    (("anyaman", "keranjang", "tudung", "tas ", "lampu gantung", "kipas"), "basket"),
    (("belimbing segar", "bibit"), "fruit"),
    (("paket", "wingko", "drip", "isi 10", "isi 20"), "box"),
]


def _kind(name: str) -> str:
    lower = name.lower() + " "
    for words, kind in KINDS:
        if any(word in lower for word in words):
            return kind
    return "pouch"  # keripik, kopi, rempeyek, dodol, wedang…


def _hsl(h: float, lightness: float, s: float) -> RGB:
    r, g, b = colorsys.hls_to_rgb(h % 1, lightness, s)
    return int(r * 255), int(g * 255), int(b * 255)


def _font(size: int, bold: bool = True) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for path in (
        "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
        if bold
        else "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf",
    ):
        try:
            return ImageFont.truetype(path, size)
        except OSError:
            continue
    return ImageFont.load_default(size=size)


def _label(draw: ImageDraw.ImageDraw, box: tuple[int, int, int, int], name: str, ink: RGB, paper: RGB) -> None:
    """A paper label with the product name wrapped to fit, and a thin border."""
    x0, y0, x1, y1 = box
    draw.rounded_rectangle(box, radius=max(4, (x1 - x0) // 16), fill=paper, outline=ink, width=3)
    width = x1 - x0 - 16
    for size in range(max(14, (y1 - y0) // 4), 9, -2):
        font = _font(size)
        chars = max(6, int(width / (size * 0.58)))
        lines = textwrap.wrap(name, chars, break_long_words=False)[:4]
        line_h = size + 4
        if len(lines) * line_h <= (y1 - y0) - 12 and all(draw.textlength(line, font=font) <= width for line in lines):
            break
    top = (y0 + y1) / 2 - len(lines) * line_h / 2 + line_h / 2
    for i, line in enumerate(lines):
        draw.text(((x0 + x1) / 2, top + i * line_h), line, font=font, fill=ink, anchor="mm")


def _jar(img: Image.Image, d: ImageDraw.ImageDraw, s: int, c: dict, name: str) -> None:
    body = (int(s * 0.30), int(s * 0.34), int(s * 0.70), int(s * 0.84))
    d.rounded_rectangle(body, radius=s // 14, fill=c["content"], outline=c["dark"], width=3)
    d.rectangle((body[0] + s // 30, body[1] + s // 40, body[0] + s // 16, body[3] - s // 20), fill=c["shine"])
    d.rounded_rectangle((int(s * 0.33), int(s * 0.25), int(s * 0.67), int(s * 0.35)), radius=8, fill=c["lid"])
    for y in range(int(s * 0.27), int(s * 0.34), 6):
        d.line((int(s * 0.34), y, int(s * 0.66), y), fill=c["dark"], width=1)
    _label(d, (int(s * 0.33), int(s * 0.47), int(s * 0.67), int(s * 0.72)), name, c["ink"], c["paper"])


def _pouch(img: Image.Image, d: ImageDraw.ImageDraw, s: int, c: dict, name: str) -> None:
    d.polygon(
        [(s * 0.30, s * 0.22), (s * 0.70, s * 0.22), (s * 0.74, s * 0.84), (s * 0.26, s * 0.84)],
        fill=c["pack"],
        outline=c["dark"],
    )
    d.rectangle((int(s * 0.30), int(s * 0.22), int(s * 0.70), int(s * 0.27)), fill=c["dark"])
    d.ellipse((int(s * 0.47), int(s * 0.235), int(s * 0.53), int(s * 0.26)), fill=c["wall"])
    window = (int(s * 0.38), int(s * 0.64), int(s * 0.62), int(s * 0.78))
    d.rounded_rectangle(window, radius=10, fill=c["content"], outline=c["paper"], width=3)
    for i in range(7):  # what is inside, seen through the window
        x = window[0] + 8 + (i * 37) % (window[2] - window[0] - 20)
        y = window[1] + 6 + (i * 23) % (window[3] - window[1] - 16)
        d.ellipse((x, y, x + 14, y + 10), fill=c["dark"])
    _label(d, (int(s * 0.32), int(s * 0.33), int(s * 0.68), int(s * 0.60)), name, c["ink"], c["paper"])


def _bottle(img: Image.Image, d: ImageDraw.ImageDraw, s: int, c: dict, name: str) -> None:
    d.rounded_rectangle((int(s * 0.36), int(s * 0.36), int(s * 0.64), int(s * 0.86)), radius=s // 16, fill=c["content"])
    d.polygon(
        [(s * 0.38, s * 0.38), (s * 0.45, s * 0.24), (s * 0.55, s * 0.24), (s * 0.62, s * 0.38)], fill=c["content"]
    )
    d.rectangle((int(s * 0.445), int(s * 0.15), int(s * 0.555), int(s * 0.25)), fill=c["lid"])
    d.rectangle((int(s * 0.39), int(s * 0.42), int(s * 0.41), int(s * 0.80)), fill=c["shine"])
    _label(d, (int(s * 0.37), int(s * 0.50), int(s * 0.63), int(s * 0.74)), name, c["ink"], c["paper"])


def _box(img: Image.Image, d: ImageDraw.ImageDraw, s: int, c: dict, name: str) -> None:
    front = (int(s * 0.18), int(s * 0.40), int(s * 0.70), int(s * 0.84))
    d.polygon([(s * 0.18, s * 0.40), (s * 0.30, s * 0.30), (s * 0.82, s * 0.30), (s * 0.70, s * 0.40)], fill=c["lid"])
    d.polygon([(s * 0.70, s * 0.40), (s * 0.82, s * 0.30), (s * 0.82, s * 0.74), (s * 0.70, s * 0.84)], fill=c["dark"])
    d.rectangle(front, fill=c["pack"], outline=c["dark"], width=2)
    d.rectangle((front[0], int(s * 0.47), front[2], int(s * 0.50)), fill=c["paper"])  # ribbon
    _label(d, (int(s * 0.23), int(s * 0.54), int(s * 0.65), int(s * 0.80)), name, c["ink"], c["paper"])


def _cloth(img: Image.Image, d: ImageDraw.ImageDraw, s: int, c: dict, name: str) -> None:
    for i, dy in enumerate((0.0, 0.12, 0.24)):  # three folded layers
        top = int(s * (0.30 + dy))
        d.rounded_rectangle((int(s * 0.16), top, int(s * 0.84), top + int(s * 0.16)), radius=10, fill=c["pack"])
        for x in range(int(s * 0.18), int(s * 0.84), s // 14):  # batik dots and curls
            y = top + s // 20 + (x // 7 + i * 5) % (s // 16)
            d.ellipse((x, y, x + s // 28, y + s // 28), outline=c["paper"], width=3)
            d.arc((x - 6, y - 8, x + s // 20, y + s // 22), 0, 200, fill=c["dark"], width=2)
    _label(d, (int(s * 0.28), int(s * 0.70), int(s * 0.72), int(s * 0.86)), name, c["ink"], c["paper"])


def _pot(img: Image.Image, d: ImageDraw.ImageDraw, s: int, c: dict, name: str) -> None:
    clay, dark = (176, 92, 52), (120, 58, 30)
    d.ellipse((int(s * 0.26), int(s * 0.34), int(s * 0.74), int(s * 0.80)), fill=clay, outline=dark, width=3)
    d.rectangle((int(s * 0.40), int(s * 0.22), int(s * 0.60), int(s * 0.40)), fill=clay)
    d.ellipse((int(s * 0.37), int(s * 0.19), int(s * 0.63), int(s * 0.25)), fill=dark)
    for y in (0.46, 0.52):
        d.arc((int(s * 0.28), int(s * y), int(s * 0.72), int(s * (y + 0.1))), 20, 160, fill=c["paper"], width=4)
    _label(d, (int(s * 0.30), int(s * 0.82), int(s * 0.70), int(s * 0.93)), name, c["ink"], c["paper"])


def _basket(img: Image.Image, d: ImageDraw.ImageDraw, s: int, c: dict, name: str) -> None:
    straw, dark = (214, 176, 110), (150, 112, 58)
    d.polygon([(s * 0.20, s * 0.40), (s * 0.80, s * 0.40), (s * 0.70, s * 0.80), (s * 0.30, s * 0.80)], fill=straw)
    for y in range(int(s * 0.42), int(s * 0.80), 16):  # weave
        d.line((s * 0.22, y, s * 0.78, y), fill=dark, width=3)
    for x in range(int(s * 0.24), int(s * 0.78), 22):
        d.line((x, s * 0.40, x + (s * 0.5 - x) * 0.2, s * 0.80), fill=dark, width=2)
    d.arc((int(s * 0.30), int(s * 0.16), int(s * 0.70), int(s * 0.62)), 180, 360, fill=dark, width=8)
    _label(d, (int(s * 0.30), int(s * 0.82), int(s * 0.70), int(s * 0.93)), name, c["ink"], c["paper"])


def _fruit(img: Image.Image, d: ImageDraw.ImageDraw, s: int, c: dict, name: str) -> None:
    for i, (x, y) in enumerate(((0.30, 0.50), (0.50, 0.44), (0.66, 0.54), (0.42, 0.62))):
        cx, cy, r = int(s * x), int(s * y), int(s * 0.12)
        d.polygon(  # a star fruit seen from the side: ribbed oval
            [
                (cx - r, cy),
                (cx - r // 2, cy - r // 2),
                (cx, cy - r // 2 - 6),
                (cx + r // 2, cy - r // 2),
                (cx + r, cy),
                (cx + r // 2, cy + r // 2),
                (cx, cy + r // 2 + 6),
                (cx - r // 2, cy + r // 2),
            ],
            fill=_hsl(0.14 - i * 0.015, 0.55, 0.85),
            outline=(150, 120, 20),
        )
        d.line((cx - r + 8, cy, cx + r - 8, cy), fill=(200, 170, 30), width=3)
        d.polygon([(cx + r - 4, cy - 4), (cx + r + 16, cy - 18), (cx + r + 6, cy + 2)], fill=(60, 130, 60))
    _label(d, (int(s * 0.28), int(s * 0.76), int(s * 0.72), int(s * 0.90)), name, c["ink"], c["paper"])


def _soap(img: Image.Image, d: ImageDraw.ImageDraw, s: int, c: dict, name: str) -> None:
    d.rounded_rectangle((int(s * 0.22), int(s * 0.50), int(s * 0.78), int(s * 0.78)), radius=s // 12, fill=c["content"])
    d.rounded_rectangle((int(s * 0.26), int(s * 0.30), int(s * 0.74), int(s * 0.56)), radius=s // 14, fill=c["pack"])
    for i in range(4):  # lemongrass leaves
        d.line((s * (0.62 + i * 0.03), s * 0.30, s * (0.70 + i * 0.04), s * 0.14), fill=(70, 140, 60), width=6)
    _label(d, (int(s * 0.30), int(s * 0.33), int(s * 0.70), int(s * 0.53)), name, c["ink"], c["paper"])


DRAW: dict[str, Callable[..., None]] = {
    "jar": _jar,
    "pouch": _pouch,
    "bottle": _bottle,
    "box": _box,
    "cloth": _cloth,
    "pot": _pot,
    "basket": _basket,
    "fruit": _fruit,
    "soap": _soap,
}


def _palette(name: str) -> dict[str, RGB]:
    digest = hashlib.sha256(name.encode()).digest()
    hue = digest[0] / 255
    lower = name.lower()
    # Colours that say what is inside where the name tells us.
    content_hue = (
        0.10
        if ("madu" in lower or "propolis" in lower)
        else 0.02
        if ("sambal" in lower or "balado" in lower or "pedas" in lower)
        else 0.07
        if ("kopi" in lower or "jenang" in lower or "cokelat" in lower)
        else 0.13
        if ("kunyit" in lower or "belimbing" in lower or "keripik" in lower)
        else hue
    )
    return {
        "wall": _hsl(hue + 0.5, 0.90, 0.35),
        "table": _hsl(0.08, 0.55, 0.45),
        "pack": _hsl(hue, 0.45, 0.60),
        "dark": _hsl(hue, 0.25, 0.55),
        "lid": _hsl(hue + 0.05, 0.35, 0.50),
        "content": _hsl(content_hue, 0.45, 0.80),
        "shine": (255, 255, 255),
        "paper": (250, 246, 236),
        "ink": _hsl(hue, 0.20, 0.60),
    }


def product_photo(name: str, size: int = 640) -> bytes:
    """A JPEG still-life (size × size px) of the product's package with its name on the label."""
    s = size
    c = _palette(name)
    img = Image.new("RGB", (s, s), c["wall"])
    d = ImageDraw.Draw(img)
    # Wall with soft light from the top left, a wooden table with grain.
    for y in range(int(s * 0.70)):
        shade = 1 - 0.18 * y / (s * 0.70)
        d.line((0, y, s, y), fill=tuple(int(v * shade) for v in c["wall"]))
    table_top = int(s * 0.70)
    d.rectangle((0, table_top, s, s), fill=c["table"])
    for i, y in enumerate(range(table_top + 8, s, 14)):
        d.line((0, y, s, y + (i % 3) - 1), fill=tuple(max(0, v - 22) for v in c["table"]), width=2)
    # Soft shadow under the product.
    shadow = Image.new("L", (s, s), 0)
    ImageDraw.Draw(shadow).ellipse((int(s * 0.20), int(s * 0.78), int(s * 0.82), int(s * 0.92)), fill=120)
    shadow = shadow.filter(ImageFilter.GaussianBlur(s // 40))
    img.paste((40, 30, 20), mask=shadow)
    d = ImageDraw.Draw(img)
    DRAW[_kind(name)](img, d, s, c, name)
    out = io.BytesIO()
    img.save(out, format="JPEG", quality=84, optimize=True)
    return out.getvalue()


def store_logo(name: str, size: int = 256) -> bytes:
    """A round badge with the store's initials (demo logos): deterministic per name."""
    c = _palette(name)
    img = Image.new("RGB", (size, size), (255, 255, 255))
    d = ImageDraw.Draw(img)
    d.ellipse((4, 4, size - 4, size - 4), fill=c["pack"], outline=c["dark"], width=6)
    d.ellipse((20, 20, size - 20, size - 20), outline=c["paper"], width=3)
    words = [w for w in name.split() if w[:1].isalpha()]
    initials = "".join(w[0] for w in words[:2]).upper() or "TB"
    d.text((size / 2, size / 2), initials, font=_font(size // 3), fill=c["paper"], anchor="mm")
    out = io.BytesIO()
    img.save(out, format="JPEG", quality=88)
    return out.getvalue()
