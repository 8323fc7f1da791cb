from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    # The API first: its prefix settles in one comparison, where the pages' patterns would all
    # be tried before it (a scan at the gate is an API call).
    path("api/v1/", include("config.api_urls")),
    path("", include("core.urls")),
    path("", include("fairs.urls")),
    path("", include("registrations.urls")),
    path("", include("booths.urls")),
    path("", include("badges.urls")),
    path("", include("reports.urls")),
    path("admin/", admin.site.urls),
    # Uploaded files in development; production serves MEDIA_ROOT from the web server.
    *static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT),
]
