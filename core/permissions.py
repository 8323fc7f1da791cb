"""One permission module: roles are groups, and every check in Souk goes through here."""

from django.contrib.auth.mixins import AccessMixin
from rest_framework import permissions


class Role:
    STAFF = "staff"
    REVIEWER = "reviewer"
    SCANNER = "scanner"
    ALL = (STAFF, REVIEWER, SCANNER)


def _group_names(user) -> frozenset[str]:
    if not user or not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_souk_roles", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        user._souk_roles = cached
    return cached


def has_role(user, role: str) -> bool:
    if not user or not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or role in _group_names(user)


def is_staff_member(user) -> bool:
    """Delegation staff (or a superuser): plans fairs, decides, allocates, reports."""
    return has_role(user, Role.STAFF)


def is_reviewer(user) -> bool:
    return has_role(user, Role.REVIEWER)


def is_scanner(user) -> bool:
    return has_role(user, Role.SCANNER)


def roles_of(user) -> list[str]:
    return [role for role in Role.ALL if has_role(user, role)]


class StaffRequiredMixin(AccessMixin):
    """Web views for delegation staff: anonymous users go to login, others get 403."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not is_staff_member(request.user):
            self.raise_exception = True
            return self.handle_no_permission()
        return super().dispatch(request, *args, **kwargs)


class IsStaffMember(permissions.BasePermission):
    def has_permission(self, request, view):
        return is_staff_member(request.user)


class ReadOnlyOrStaff(permissions.BasePermission):
    """Anyone may read; only staff may write."""

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return True
        return is_staff_member(request.user)
