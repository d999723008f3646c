"""Every QR code we show or send: one look, whole, with its quiet zone (segno).

The SVG has a viewBox and no fixed size, so CSS scales it to its box instead of clipping it,
and a white background (quiet zone included) so it scans on any page colour.
"""

from __future__ import annotations

import io

import segno

# The QR standard asks for a 4-module light margin; scanners fail on less.
QUIET_ZONE = 4
# Medium error correction: survives a smudged screen or a slightly blurred photo.
ERROR_LEVEL = "m"
# PNG download: 10 px per module gives a ~500-700 px image, sharp in any gallery viewer.
PNG_SCALE = 10


def qr_svg(data: str) -> str:
    """`data` as an inline `<svg viewBox=…>` string (no width/height; size it with CSS).

    Raises segno's `DataOverflowError` if `data` does not fit in a QR code."""
    code = segno.make(data, error=ERROR_LEVEL, micro=False)
    return code.svg_inline(
        scale=1, border=QUIET_ZONE, omitsize=True, dark="#000", light="#fff", svgclass="qr-code", lineclass=None
    )


def qr_png(data: str) -> bytes:
    """`data` as PNG bytes (black on white, quiet zone included, PNG_SCALE px per module)."""
    out = io.BytesIO()
    segno.make(data, error=ERROR_LEVEL, micro=False).save(
        out, kind="png", scale=PNG_SCALE, border=QUIET_ZONE, dark="#000", light="#fff"
    )
    return out.getvalue()
