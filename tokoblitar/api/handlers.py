"""Django-level error handlers: JSON envelope under /api/, styled pages elsewhere."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tokoblitar.api.errors import error_json


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def handler400(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return error_json("Bad request", 400)
    return render(request, "errors/400.html", status=400)


def handler403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return error_json("You do not have permission to do this", 403)
    return render(request, "errors/403.html", status=403)


def handler404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return error_json("Not found", 404)
    return render(request, "errors/404.html", status=404)


def handler500(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        return error_json("Internal server error", 500)
    # No context processors: the 500 page must render even when the database is down.
    from django.template import loader

    return HttpResponse(loader.get_template("errors/500.html").render(), status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    if _is_api(request):
        return error_json(f"CSRF check failed: {reason}", 403)
    return render(request, "errors/403.html", {"reason": reason}, status=403)
