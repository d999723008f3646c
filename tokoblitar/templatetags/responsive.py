"""`{% picture %}`: one way to put a stored picture on a page (product photos, store logos and
banners), sized for the phone that asks.

    {% load responsive %}
    {% picture image.image ready=image.renditions_ready sizes="card" alt=product.name %}
    {% picture store.logo ready=store.logo_renditions_ready fallback=store.logo_url sizes="logo" %}

- With renditions ready: `<picture>` with a WebP `srcset`, a JPEG `srcset` fallback and the
  `sizes` of the slot, so the browser fetches the smallest file that fills it (a 64 px cart
  thumbnail takes the 160 px rendition, never the 1280).
- Before (the task worker has not drawn them yet): the original, so nothing ever 404s.
- Always the original's width/height (the browser reserves the box: no layout shift).
- `loading="lazy"` by default; `eager=True` for pictures in the first screen; `priority=True`
  for the page's largest picture above the fold (`fetchpriority="high"`, never lazy).
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from tokoblitar.renditions import srcset

register = template.Library()

# `sizes` of each slot a picture is shown in (static/css/app.css): the width it takes, so the
# browser can choose before layout. Phone first: two cards a row, the gallery full width.
SIZES = {
    # .grid: 2 columns in a 1rem-padded container with a .6rem gap; 4 (.9rem gap) from 700 px.
    "card": "(min-width: 1040px) 241px, (min-width: 700px) calc(25vw - 19px), calc(50vw - 21px)",
    # .product-layout: the gallery is the container's width; half of it (1.5rem gap) from 700 px.
    "gallery": "(min-width: 1040px) 492px, (min-width: 700px) calc(50vw - 28px), calc(100vw - 32px)",
    "thumb": "64px",
    "thumb-80": "80px",
    "logo": "64px",
    "banner": "(min-width: 1040px) 1008px, 100vw",
}
# The `src` of browsers that ignore srcset: the first JPEG rendition at least this wide.
FALLBACK_WIDTH = 640


def _size(field_file: Any) -> tuple[int | None, int | None]:
    field = field_file.field
    instance = field_file.instance
    width = getattr(instance, field.width_field, None) if field.width_field else None
    height = getattr(instance, field.height_field, None) if field.height_field else None
    return width, height


def _loading(*, priority: bool, eager: bool) -> SafeString:
    if priority:
        return mark_safe(' fetchpriority="high"')
    if eager:
        return mark_safe("")
    return mark_safe(' loading="lazy" decoding="async"')


@register.simple_tag
def picture(
    field_file: Any,
    *,
    ready: bool = False,
    sizes: str = "card",
    alt: str = "",
    priority: bool = False,
    eager: bool = False,
    fallback: str = "",
    css_class: str = "",
    testid: str = "",
    width: int | None = None,
    height: int | None = None,
) -> SafeString:
    """The HTML of one stored picture (see the module docstring); "" when there is none.

    `field_file`: a PictureField file (may be empty); `fallback`: a plain URL shown when it is
    empty (stores' older logo/banner links); `sizes`: a key of SIZES or a literal sizes value;
    `width`/`height`: the box to reserve when the picture's own size is unknown."""
    extra = format_html(
        "{}{}{}",
        _loading(priority=priority, eager=eager),
        format_html(' class="{}"', css_class) if css_class else "",
        format_html(' data-testid="{}"', testid) if testid else "",
    )
    if not field_file:
        if not fallback:
            return mark_safe("")
        return _img(src=fallback, alt=alt, width=width, height=height, extra=extra)
    own_width, own_height = _size(field_file)
    width, height = own_width or width, own_height or height
    if not (ready and own_width and own_height):
        return _img(src=field_file.url, alt=alt, width=width, height=height, extra=extra)
    webp = srcset(field_file, "WEBP")
    jpeg = srcset(field_file, "JPEG")
    if not (webp and jpeg):  # an original narrower than every rendition: it is small already
        return _img(src=field_file.url, alt=alt, width=width, height=height, extra=extra)
    src = next((url for w, url in jpeg if w >= FALLBACK_WIDTH), jpeg[-1][1])
    slot = SIZES.get(sizes, sizes)
    return format_html(
        '<picture><source type="image/webp" srcset="{}" sizes="{}">'
        '<img src="{}" srcset="{}" sizes="{}" alt="{}" width="{}" height="{}"{}></picture>',
        _srcset(webp),
        slot,
        src,
        _srcset(jpeg),
        slot,
        alt,
        width,
        height,
        extra,
    )


def _srcset(candidates: list[tuple[int, str]]) -> SafeString:
    return format_html_join(", ", "{} {}w", ((url, w) for w, url in candidates))


def _img(*, src: str, alt: str, width: int | None, height: int | None, extra: SafeString) -> SafeString:
    size = format_html(' width="{}" height="{}"', width, height) if width and height else ""
    return format_html('<img src="{}" alt="{}"{}{}>', src, alt, size, extra)
