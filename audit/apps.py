from django.apps import AppConfig


class AuditConfig(AppConfig):
    """The audit trail at the bottom layer: any app may record who did what."""

    name = "audit"
    verbose_name = "Audit"
