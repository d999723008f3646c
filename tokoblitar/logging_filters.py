"""Logging filters (settings.LOGGING)."""

from __future__ import annotations

import logging


class ClientErrorWithoutTraceback(logging.Filter):
    """Keep one line, without the traceback, for requests refused on purpose (4xx).

    Django's request logger attaches the exception to every 403 (PermissionDenied) and 400
    (SuspiciousOperation, BadRequest) it answers; those are the site working as designed (a buyer
    opening the seller dashboard, a replayed OAuth callback), and a traceback each time buries the
    real errors. 5xx keep their traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if status is not None and status < 500 and record.exc_info:
            record.exc_info = None
            record.exc_text = None
        return True
