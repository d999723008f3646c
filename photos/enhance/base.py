"""The photo-enhancer seam: what the services need from any enhancer (live or simulator).

An enhancer either finishes at once (the Pillow simulator: `status == "succeeded"` with the
JPEG bytes) or starts remote work and answers `status == "running"` with a prediction id; the
job is then completed by the provider's webhook or by polling `fetch`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

SUCCEEDED = "succeeded"
RUNNING = "running"
FAILED = "failed"


class EnhanceProviderError(Exception):
    """The provider failed or refused (network, HTTP error, bad output). `reason` is technical."""

    def __init__(self, provider: str, reason: str):
        self.provider = provider
        self.reason = reason
        super().__init__(f"{provider}: {reason}")


@dataclass(frozen=True)
class EnhanceOutcome:
    """What the provider says about one enhancement.

    status: "succeeded" (then `output` holds the image bytes), "running" (remote work under
    `prediction_id`, `progress` 0-100), or "failed" (`reason` says why)."""

    status: str
    prediction_id: str = ""
    output: bytes | None = None
    progress: int = 0
    reason: str = ""


ProgressCallback = Callable[[int], None]


class PhotoEnhancer(Protocol):
    name: str

    def enhance(self, *, image: bytes, job_id: str, progress: ProgressCallback) -> EnhanceOutcome:
        """Start (or do) the enhancement of `image` (JPEG/PNG/WebP bytes)."""
        ...

    def fetch(self, *, prediction_id: str) -> EnhanceOutcome:
        """The current state of remote work; downloads the output when it succeeded."""
        ...

    def cancel(self, *, prediction_id: str) -> None:
        """Best effort: stop remote work we no longer wait for."""
        ...

    def verify_webhook(self, *, headers: Mapping[str, str], body: str) -> bool:
        """True when a webhook delivery carries the provider's valid signature."""
        ...
