from django.db import models


class ProviderNotification(models.Model):
    """Inbound provider notifications (audit). Authenticated ones are stored raw before they
    are applied; rejected ones (bad signature, malformed) leave a bounded record only: source,
    size and reason, no body or headers. `outcome` says what we did."""

    provider = models.CharField(max_length=20, db_index=True)
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)
    remote_addr = models.GenericIPAddressField(null=True, blank=True)
    headers = models.JSONField(default=dict)
    body = models.TextField(blank=True)
    size = models.PositiveIntegerField(default=0)  # bytes received
    signature_valid = models.BooleanField(null=True)
    reference = models.CharField(max_length=100, blank=True, db_index=True)  # e.g. Midtrans order_id
    event = models.CharField(max_length=40, blank=True)  # e.g. transaction_status
    outcome = models.CharField(max_length=40, blank=True)
    http_status = models.PositiveSmallIntegerField(null=True)

    class Meta:
        ordering = ["-received_at"]
        indexes = [models.Index(fields=["provider", "-received_at"], name="webhooks_provider_recent")]

    def __str__(self) -> str:
        return f"{self.provider} {self.reference} {self.event} -> {self.outcome}"
