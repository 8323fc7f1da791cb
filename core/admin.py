from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from core.models import AuditEntry, CraftCategory, Province, Region, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (*BaseUserAdmin.fieldsets, (_("Souk"), {"fields": ("language",)}))
    list_display = ("username", "email", "first_name", "last_name", "language", "is_active")
    list_filter = ("groups", "is_active", "language")


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("name_fr", "name_ar", "code")


@admin.register(Province)
class ProvinceAdmin(admin.ModelAdmin):
    list_display = ("name_fr", "name_ar", "kind", "region")
    list_filter = ("region", "kind")
    list_select_related = ("region",)


@admin.register(CraftCategory)
class CraftCategoryAdmin(admin.ModelAdmin):
    list_display = ("name_fr", "name_ar", "parent", "code")
    list_filter = ("parent",)
    list_select_related = ("parent",)


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """The audit log is read-only, here as everywhere."""

    list_display = ("created_at", "actor", "action", "object_repr")
    list_filter = ("action",)
    list_select_related = ("actor",)
    search_fields = ("object_repr", "action")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
