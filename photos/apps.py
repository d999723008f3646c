from django.apps import AppConfig


class PhotosConfig(AppConfig):
    name = "photos"
    verbose_name = "Photo enhancement"
    default_auto_field = "django.db.models.BigAutoField"
