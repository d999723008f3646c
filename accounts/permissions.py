"""Role checks for API views. Anonymous -> 401 (DRF NotAuthenticated), wrong role -> 403."""

from rest_framework.permissions import BasePermission

from accounts.models import User


class _RolePermission(BasePermission):
    roles: tuple[str, ...] = ()
    message = "This route is not available for your role"

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.role in self.roles)


class IsBuyer(_RolePermission):
    """Shopping routes: buyers, and sellers shopping in other stores (checkout refuses her own
    store); admins are refused."""

    roles = (User.Role.BUYER, User.Role.SELLER)
    message = "Only buyers can do this"


class IsSeller(_RolePermission):
    roles = (User.Role.SELLER,)
    message = "Only sellers can do this"


class IsPlatformAdmin(_RolePermission):
    roles = (User.Role.ADMIN,)
    message = "Only admins can do this"


class IsSellerOrAdmin(_RolePermission):
    roles = (User.Role.SELLER, User.Role.ADMIN)
    message = "Only sellers and admins can do this"
