"""Web pages of registrations; each area keeps its own views module and its paths."""

from registrations.views import imports, registry, review, self_service

app_name = "registrations"

urlpatterns = [
    *registry.urlpatterns,
    *imports.urlpatterns,
    *self_service.urlpatterns,
    *review.urlpatterns,
]
