"""Benchmark-only URLconf: the production routes plus a bare Django JSON view.

bench/throughput.py starts daphne with ROOT_URLCONF=bench.bare_urls so the bare view runs
through exactly the same server, settings and middleware stack as `/api/buyer/products`.
Never referenced by the production URLconf.
"""

from django.http import JsonResponse
from django.urls import path

from tokoblitar.urls import handler400, handler403, handler404, handler500
from tokoblitar.urls import urlpatterns as app_urlpatterns

urlpatterns = [
    path("bench/bare", lambda request: JsonResponse({"data": [], "error": None, "meta": {}})),
    *app_urlpatterns,
]

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
