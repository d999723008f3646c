"""Sales-channel models. `SimulatorRecord` is the platforms' side of the simulators (what
Shopee, Lazada or TikTok Shop would keep on their servers), shared by every process."""

from __future__ import annotations

from django.db import models


class SimulatorRecord(models.Model):
    """One object on a simulated platform: an authorization code, a token, an item, an order,
    a pending push. `platform`: "shopee" | "lazada" | "tokopedia"; `kind`: the object type
    ("code", "token", "item", "order", "push", "rate", …); `key`: its id on that platform;
    `data`: its fields as the platform keeps them."""

    platform = models.CharField(max_length=20)
    kind = models.CharField(max_length=30)
    key = models.CharField(max_length=200)
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["platform", "kind", "key"], name="marketplace_simrecord_unique"),
        ]
        indexes = [models.Index(fields=["platform", "kind", "created_at"], name="marketplace_simrecord_recent")]

    def __str__(self) -> str:
        return f"{self.platform} {self.kind} {self.key}"
