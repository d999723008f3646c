"""The ASGI request handler: Django's, with the middleware stack run synchronously in one thread.

Under Django's own `ASGIHandler` the middleware chain is built for async. Every middleware
that is not natively async then costs thread hops: `MiddlewareMixin` runs each
`process_request`/`process_response`/`process_view` through `sync_to_async`, and a sync-only
middleware (WhiteNoise, ours) between async ones is adapted both ways. With our 15
middleware a page took about 30 hops between the event loop and the request's thread,
each queued behind every other request on the loop (bench/RESULTS.md, "Checkout against
its floor"). Our views are synchronous, so the whole stack runs in the request's thread
instead: one hop in, one hop out. An async view (the assistant's SSE stream) still runs on
the event loop (Django wraps it in `async_to_sync` from the sync stack) and its streamed
body is sent by the loop as before.
"""

from __future__ import annotations

import django
from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIHandler


class SyncStackASGIHandler(ASGIHandler):
    """`ASGIHandler` whose middleware chain is the WSGI (sync) chain, entered once per request."""

    def load_middleware(self, is_async: bool = False) -> None:
        super().load_middleware(is_async=False)
        # thread_sensitive: the request keeps one thread (Django's ThreadSensitiveContext per
        # request), so the view's database connection is the middleware's.
        self._middleware_chain = sync_to_async(self._middleware_chain, thread_sensitive=True)


def get_asgi_application() -> SyncStackASGIHandler:
    """Like `django.core.asgi.get_asgi_application`, with the sync middleware stack."""
    django.setup(set_prefix=False)
    return SyncStackASGIHandler()
