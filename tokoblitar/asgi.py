"""ASGI entry point: HTTP through Django, WebSockets through Channels routing."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tokoblitar.settings")

from tokoblitar.asgi_handler import get_asgi_application  # noqa: E402

# Django's handler with the middleware run in the request's thread (tokoblitar/asgi_handler.py).
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402  (needs settings loaded)
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.conf import settings  # noqa: E402

from tokoblitar.edge import BodySizeLimitMiddleware, install_daphne_body_cap  # noqa: E402
from tokoblitar.routing import websocket_urlpatterns  # noqa: E402

# Daphne would otherwise receive and queue a whole body in memory before the app can refuse it.
install_daphne_body_cap(settings.MAX_UPLOAD_REQUEST_BYTES)

application = ProtocolTypeRouter(
    {
        # Body size is capped before Django reads (and spools) the body.
        "http": BodySizeLimitMiddleware(django_asgi_app),
        "websocket": AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)
