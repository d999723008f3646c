import uuid

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: object) -> "User":
        if not email:
            raise ValueError("Email is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: object) -> "User":
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> "User":
        # `createsuperuser` makes a platform admin.
        extra.update(is_staff=True, is_superuser=True, role=User.Role.ADMIN)
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username: str) -> "User":
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    class Role(models.TextChoices):
        BUYER = "buyer", _("Pembeli")
        SELLER = "seller", _("Penjual")
        ADMIN = "admin", _("Admin")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.EmailField(_("email"), max_length=254, unique=True)
    full_name = models.CharField(_("nama lengkap"), max_length=150)
    role = models.CharField(_("peran"), max_length=10, choices=Role.choices, default=Role.BUYER, db_index=True)
    phone = models.CharField(_("telepon"), max_length=20, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now, db_index=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        constraints = [models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique")]
        verbose_name = _("pengguna")
        verbose_name_plural = _("pengguna")

    def __str__(self) -> str:
        return self.email

    def save(self, *args: object, **kwargs: object) -> None:
        # set_password() leaves the new raw password in _password until the next save. Every
        # way a password changes (own form, Django admin, `changepassword`) ends here, so this
        # is where the user's API tokens are revoked and their open sockets closed. Sessions
        # already end through Django's session auth hash. A hash upgrade at login is not a change
        # (check_password clears _password before saving).
        password_changed = self._password is not None and not self._state.adding
        super().save(*args, **kwargs)
        if password_changed:
            from accounts.realtime import auth_sockets_close
            from accounts.services import user_revoke_all_tokens

            user_revoke_all_tokens(user=self)
            user_id = self.pk
            transaction.on_commit(lambda: auth_sockets_close(user_id=user_id))

    @property
    def is_buyer(self) -> bool:
        return self.role == self.Role.BUYER

    @property
    def is_seller(self) -> bool:
        return self.role == self.Role.SELLER

    @property
    def can_shop(self) -> bool:
        """Buyers and sellers shop (a seller in other stores than her own); admins do not."""
        return self.role in (self.Role.BUYER, self.Role.SELLER)

    @property
    def is_platform_admin(self) -> bool:
        return self.role == self.Role.ADMIN


class SavedAddress(models.Model):
    """A shipping address the user keeps for checkout. `district_id` is the shipping district
    (shipping.Area's id, kept as a number: accounts sits below shipping); `district`, `city`
    are its names as they were when saved."""

    MAX_PER_USER = 10

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="saved_addresses")
    label = models.CharField(_("nama alamat"), max_length=40, blank=True)
    name = models.CharField(_("nama penerima"), max_length=100)
    phone = models.CharField(_("nomor HP"), max_length=16)
    address = models.CharField(_("alamat"), max_length=300)
    district_id = models.PositiveIntegerField(_("kecamatan"))
    district = models.CharField(max_length=80)
    city = models.CharField(max_length=80)
    postal_code = models.CharField(max_length=5, blank=True)
    is_default = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-is_default", "-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=models.Q(is_default=True), name="accounts_one_default_address"
            )
        ]

    def __str__(self) -> str:
        return f"{self.label or self.name}: {self.district}, {self.city}"

    def as_shipping_address(self) -> dict:
        """The dict an order stores: {name, phone, address, district_id, district, city, postal_code}."""
        return {
            "name": self.name,
            "phone": self.phone,
            "address": self.address,
            "district_id": self.district_id,
            "district": self.district,
            "city": self.city,
            "postal_code": self.postal_code,
        }
