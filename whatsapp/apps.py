from django.apps import AppConfig


class WhatsAppConfig(AppConfig):
    name = "whatsapp"
    verbose_name = "WhatsApp inbox"
    default_auto_field = "django.db.models.BigAutoField"
