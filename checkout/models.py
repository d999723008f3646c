"""Checkout's own state: idempotency keys of placed orders."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class CheckoutAttempt(models.Model):
    """One `Idempotency-Key` (API header or checkout form token) per buyer and the order it
    placed; the same key answers the same order."""

    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=100)
    # sha256 of the request body: the same key with another body is refused, not answered.
    fingerprint = models.CharField(max_length=64)
    order = models.OneToOneField("orders.Order", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["buyer", "key"], name="checkout_attempt_buyer_key")]

    def __str__(self) -> str:
        return f"{self.buyer_id}:{self.key}"
