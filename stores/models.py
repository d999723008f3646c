import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class StoreQuerySet(models.QuerySet["Store"]):
    def visible(self) -> "StoreQuerySet":
        """Stores buyers can see: open and not suspended."""
        return self.filter(is_active=True)


class Store(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="store")
    name = models.CharField(_("nama toko"), max_length=120)
    slug = models.SlugField(max_length=63, unique=True)
    description = models.TextField(_("deskripsi"), blank=True)
    logo_url = models.URLField(max_length=500, blank=True)
    banner_url = models.URLField(max_length=500, blank=True)
    address = models.CharField(_("alamat"), max_length=300, blank=True)
    lat = models.DecimalField(
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    lng = models.DecimalField(
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    google_maps_url = models.URLField(max_length=500, blank=True)
    instagram_handle = models.CharField(max_length=30, blank=True)
    # is_active False = suspended by an admin: hidden from pages and search.
    is_active = models.BooleanField(default=True, db_index=True)
    suspended_at = models.DateTimeField(null=True, blank=True)
    suspension_reason = models.CharField(max_length=300, blank=True)
    featured = models.BooleanField(default=False, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = StoreQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("toko")
        verbose_name_plural = _("toko")

    def __str__(self) -> str:
        return self.name
