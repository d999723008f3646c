"""Photo enhancers: the interface (`base`), live Replicate (`replicate`), the offline Pillow
simulator (`simulator`); picked by the kernel's provider registry (kind "photo_enhance")."""

from __future__ import annotations

from photos.enhance.base import PhotoEnhancer
from tokoblitar.providers import get_provider, provider_mode

KIND = "photo_enhance"


def get_photo_enhancer() -> PhotoEnhancer:
    """The configured enhancer (ImproperlyConfigured when a forced live mode lacks its token)."""
    return get_provider(KIND)


def enhancer_mode() -> str:
    """ "live" or "simulator"."""
    return provider_mode(KIND)
