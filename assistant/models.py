"""Conversations with the assistant (per `session_id`, owner-only) and token usage per day."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Conversation(models.Model):
    """One chat thread; its id is the API's `session_id`. Only its owner reads or extends it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ai_conversations")
    title = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = _("percakapan asisten")
        verbose_name_plural = _("percakapan asisten")
        indexes = [models.Index(fields=["owner", "-updated_at"], name="assistant_conv_owner_recent")]

    def __str__(self) -> str:
        return self.title or str(self.pk)


class ChatMessage(models.Model):
    """One Messages API message as sent or received: `content` is the list of content blocks
    (text, tool_use, tool_result), so history reloads exactly as the model saw it. `turn`
    numbers the user's requests; history is reloaded by whole turns so a tool_use is never
    separated from its tool_result."""

    class Role(models.TextChoices):
        USER = "user", pgettext_lazy("assistant", "Pengguna")
        ASSISTANT = "assistant", pgettext_lazy("assistant", "Asisten")

    id = models.BigAutoField(primary_key=True)
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    turn = models.PositiveIntegerField()
    role = models.CharField(max_length=10, choices=Role.choices)
    content = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["conversation", "turn"], name="assistant_msg_conv_turn")]


class UsageDay(models.Model):
    """Tokens the model reported (its `usage` fields) for one store, or one admin, on one
    Asia/Jakarta day; the daily budget is checked against it before each model call."""

    id = models.BigAutoField(primary_key=True)
    # "store:<uuid>" or "user:<id>" (admins have no store).
    subject = models.CharField(max_length=60)
    day = models.DateField()
    input_tokens = models.PositiveBigIntegerField(default=0)
    output_tokens = models.PositiveBigIntegerField(default=0)
    cache_read_tokens = models.PositiveBigIntegerField(default=0)
    cache_creation_tokens = models.PositiveBigIntegerField(default=0)
    requests = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["subject", "day"], name="assistant_usage_subject_day")]

    @property
    def total(self) -> int:
        return self.input_tokens + self.output_tokens + self.cache_creation_tokens
