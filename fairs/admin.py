from django.contrib import admin

from fairs.models import Fair, Venue


@admin.register(Venue)
class VenueAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "province", "capacity")
    list_select_related = ("province",)


@admin.register(Fair)
class FairAdmin(admin.ModelAdmin):
    """Browsing only for status: lifecycle moves go through the staff pages or the API."""

    list_display = ("name", "scope", "role", "starts_on", "status")
    list_filter = ("scope", "role", "status")
    list_select_related = ("venue",)
    search_fields = ("name", "name_ar")
    readonly_fields = ("status",)
    filter_horizontal = ("craft_categories",)
