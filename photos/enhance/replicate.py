"""Live photo enhancement on Replicate, through the official `replicate` SDK.

- create: the photo is uploaded with the SDK's files API and a prediction is created for
  REPLICATE_ENHANCE_MODEL (`owner/name` → /v1/models/{owner}/{name}/predictions, or
  `owner/name:version` → /v1/predictions), with our webhook for "start" and "completed";
- completion arrives by Replicate's signed webhook (verified with the SDK's validator: HMAC-SHA256
  over "{webhook-id}.{webhook-timestamp}.{body}", key = base64 of the part after `whsec_`,
  constant-time compare) or by polling `GET /v1/predictions/{id}`;
- the output is downloaded only from the URL in the prediction we read back from Replicate's
  API (never from a URL a client sent us), with a size cap, before its 1 h retention ends.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

import httpx
import replicate
from django.core.cache import cache
from replicate.exceptions import ReplicateError
from replicate.prediction import Prediction
from replicate.webhook import Webhooks, WebhookSigningSecret, WebhookValidationError

from photos.enhance.base import FAILED, RUNNING, SUCCEEDED, EnhanceOutcome, EnhanceProviderError, ProgressCallback

NAME = "Replicate"
SECRET_CACHE_KEY = "photos:replicate:webhook-secret"  # noqa: S105 - a cache key name
PROGRESS_FOR_STATUS = {"starting": 15, "processing": 50}


class ReplicatePhotoEnhancer:
    name = "replicate"

    def __init__(
        self,
        *,
        api_token: str,
        model: str,
        input_key: str = "image",
        extra_input: Mapping[str, Any] | None = None,
        base_url: str | None = None,
        webhook_url: str = "",
        webhook_secret: str = "",
        webhook_tolerance: int | None = 300,
        timeout: float = 30.0,
        max_output_bytes: int = 10 * 1024 * 1024,
    ) -> None:
        self.model = model
        self.input_key = input_key
        self.extra_input = dict(extra_input or {})
        self.webhook_url = webhook_url
        self.webhook_secret = webhook_secret
        self.webhook_tolerance = webhook_tolerance or None
        self.timeout = timeout
        # Upscaled PNGs are bigger than our uploads; still bounded.
        self.max_output_bytes = max_output_bytes * 4
        self.client = replicate.Client(
            api_token=api_token,
            base_url=base_url,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
        )

    # --- predictions -------------------------------------------------------------------

    def enhance(self, *, image: bytes, job_id: str, progress: ProgressCallback) -> EnhanceOutcome:
        photo = io.BytesIO(image)
        photo.name = f"{job_id}.jpg"  # the SDK names the upload (and its content type) from this
        params: dict[str, Any] = {
            "input": {**self.extra_input, self.input_key: photo},
            "file_encoding_strategy": "url",
        }
        if self.webhook_url:
            params["webhook"] = self.webhook_url
            params["webhook_events_filter"] = ["start", "completed"]
        try:
            if ":" in self.model:
                _, version = self.model.split(":", 1)
                prediction = self.client.predictions.create(version=version, **params)
            else:
                prediction = self.client.models.predictions.create(model=self.model, **params)
        except (ReplicateError, httpx.HTTPError, ValueError) as exc:
            raise EnhanceProviderError(NAME, _describe(exc)) from exc
        return self._outcome(prediction)

    def fetch(self, *, prediction_id: str) -> EnhanceOutcome:
        try:
            prediction = self.client.predictions.get(prediction_id)
        except (ReplicateError, httpx.HTTPError, ValueError) as exc:
            raise EnhanceProviderError(NAME, _describe(exc)) from exc
        return self._outcome(prediction)

    def cancel(self, *, prediction_id: str) -> None:
        try:
            self.client.predictions.cancel(prediction_id)
        except (ReplicateError, httpx.HTTPError, ValueError):
            return None  # best effort: an unfinished prediction we stopped waiting for

    def _outcome(self, prediction: Prediction) -> EnhanceOutcome:
        status = prediction.status
        if status == "succeeded":
            url = _first_url(prediction.output)
            if not url:
                return EnhanceOutcome(status=FAILED, prediction_id=prediction.id, reason="prediction has no output")
            return EnhanceOutcome(
                status=SUCCEEDED, prediction_id=prediction.id, output=self._download(url), progress=100
            )
        if status in ("failed", "canceled"):
            reason = str(prediction.error or status)[:300]
            return EnhanceOutcome(status=FAILED, prediction_id=prediction.id, reason=reason)
        return EnhanceOutcome(status=RUNNING, prediction_id=prediction.id, progress=PROGRESS_FOR_STATUS.get(status, 10))

    def _download(self, url: str) -> bytes:
        """The prediction's output file; refused past max_output_bytes or when not http(s)."""
        if not url.startswith(("https://", "http://")):
            raise EnhanceProviderError(NAME, "output is not an http(s) URL")
        chunks: list[bytes] = []
        size = 0
        try:
            # Output URLs (replicate.delivery) are public, signed by their path: no token sent.
            with httpx.stream("GET", url, timeout=self.timeout, follow_redirects=False) as response:
                if response.status_code != 200:
                    raise EnhanceProviderError(NAME, f"output download answered {response.status_code}")
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > self.max_output_bytes:
                        raise EnhanceProviderError(NAME, "output is too large")
                    chunks.append(chunk)
        except httpx.HTTPError as exc:
            raise EnhanceProviderError(NAME, f"output download failed: {exc}") from exc
        return b"".join(chunks)

    # --- webhooks ----------------------------------------------------------------------

    def signing_secret(self) -> str:
        """REPLICATE_WEBHOOK_SECRET, or the account's default secret read once and cached."""
        if self.webhook_secret:
            return self.webhook_secret
        secret = cache.get(SECRET_CACHE_KEY)
        if not secret:
            try:
                secret = self.client.webhooks.default.secret().key
            except (ReplicateError, httpx.HTTPError, ValueError) as exc:
                raise EnhanceProviderError(NAME, _describe(exc)) from exc
            cache.set(SECRET_CACHE_KEY, secret, 3600)
        return secret

    def verify_webhook(self, *, headers: Mapping[str, str], body: str) -> bool:
        try:
            secret = WebhookSigningSecret(key=self.signing_secret())
            Webhooks.validate(headers=dict(headers), body=body, secret=secret, tolerance=self.webhook_tolerance)
        except (WebhookValidationError, ValueError, EnhanceProviderError):
            # binascii.Error (malformed base64) is a ValueError too.
            return False
        return True


def _first_url(output: Any) -> str:
    if isinstance(output, str):
        return output
    if isinstance(output, list | tuple) and output and isinstance(output[0], str):
        return output[0]
    return ""


def _describe(exc: Exception) -> str:
    if isinstance(exc, ReplicateError):
        return f"{exc.status or ''} {exc.title or ''} {exc.detail or ''}".strip()[:300]
    return str(exc)[:300] or type(exc).__name__
