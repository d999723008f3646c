"""Local media (`MEDIA_URL`) when no bucket is configured: the single-machine setup has no
separate file server, so Django serves the files, with the caching a file server would give."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control
from django.views.static import serve


def media_serve(request: HttpRequest, path: str) -> HttpResponse:
    """One stored file. Every stored name is unique (a uuid in it) and never rewritten with
    other bytes, and renditions are drawn from them deterministically, so browsers keep each
    file MEDIA_CACHE_SECONDS without asking again (before: re-downloaded on every visit)."""
    response = serve(request, path, document_root=settings.MEDIA_ROOT)
    if response.status_code == 200:
        patch_cache_control(response, public=True, max_age=settings.MEDIA_CACHE_SECONDS, immutable=True)
    return response
