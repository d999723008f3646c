import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from tokoblitar.renditions import BANNER_RENDITIONS, LOGO_RENDITIONS, StoredPictureField
from tokoblitar.validators import validate_web_url


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
    # Uploaded through the validated image path (stores.services.store_image_set); when set they
    # win over the older *_url links, which stay for existing data and API clients.
    # Web-sized renditions are drawn in the background (tokoblitar/renditions.py); pages use
    # them once *_renditions_ready, the original before.
    logo = StoredPictureField(
        upload_to="stores/logos/%Y/%m/",
        max_length=300,
        blank=True,
        width_field="logo_width",
        height_field="logo_height",
        file_types=["WEBP", "JPEG"],
        **LOGO_RENDITIONS,
    )
    banner = StoredPictureField(
        upload_to="stores/banners/%Y/%m/",
        max_length=300,
        blank=True,
        width_field="banner_width",
        height_field="banner_height",
        file_types=["WEBP", "JPEG"],
        **BANNER_RENDITIONS,
    )
    logo_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    logo_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    logo_renditions_ready = models.BooleanField(default=False, editable=False)
    banner_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    banner_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    banner_renditions_ready = models.BooleanField(default=False, editable=False)
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
    # Last time the seller changed her store address (slug): changes are rate-limited.
    slug_changed_at = models.DateTimeField(null=True, blank=True)
    # When she first shared her store link from the dashboard (set-up checklist).
    link_shared_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = StoreQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("toko")
        verbose_name_plural = _("toko")

    def __str__(self) -> str:
        return self.name

    @property
    def logo_src(self) -> str:
        """The logo to show: the uploaded file, else the older link, else ""."""
        return self.logo.url if self.logo else self.logo_url

    @property
    def banner_src(self) -> str:
        """The banner to show: the uploaded file, else the older link, else ""."""
        return self.banner.url if self.banner else self.banner_url

    def clean(self) -> None:
        """Seller-typed URLs land in `href`/`src` attributes: one strict rule for all of them."""
        errors = {}
        for name in ("logo_url", "banner_url", "google_maps_url"):
            try:
                validate_web_url(getattr(self, name))
            except ValidationError as exc:
                errors[name] = exc.messages
        if errors:
            raise ValidationError(errors)


class StoreSlugHistory(models.Model):
    """An address a store used to have: `<old>.tokoblitar.com` and `/store/<old>/` answer a 301
    to the current one (links live on in WhatsApp chats and Instagram bios).

    One row per old slug: when a store takes a slug back, or another store claims it after
    STORE_SLUG_REDIRECT_DAYS, the row goes (stores.services)."""

    slug = models.SlugField(max_length=63, unique=True)
    store = models.ForeignKey("stores.Store", on_delete=models.CASCADE, related_name="slug_history")
    # When the store stopped using this slug: the redirect lifetime counts from here.
    retired_at = models.DateTimeField()

    class Meta:
        verbose_name = _("alamat lama toko")
        verbose_name_plural = _("alamat lama toko")

    def __str__(self) -> str:
        return f"{self.slug} -> {self.store_id}"


class StoreFeatureFlags(models.Model):
    """Per-store switches. A store without a row gets the field defaults (see stores.flags)."""

    store = models.OneToOneField(
        "stores.Store", on_delete=models.CASCADE, related_name="feature_flags", primary_key=True
    )
    # Everyday selling tools are on; the ones that talk to third parties on the seller's
    # behalf (marketplaces, Instagram, WhatsApp) start off until an admin enables them.
    ai_assistant = models.BooleanField(_("asisten AI"), default=True)
    marketplace_sync = models.BooleanField(_("sinkron marketplace"), default=False)
    instagram = models.BooleanField(_("Instagram"), default=False)
    photo_enhance = models.BooleanField(_("perbaiki foto"), default=True)
    whatsapp_inbox = models.BooleanField(_("kotak masuk WhatsApp"), default=False)
    promos = models.BooleanField(_("promo"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("fitur toko")
        verbose_name_plural = _("fitur toko")

    def __str__(self) -> str:
        return f"flags:{self.store_id}"
