from django.urls import include, path
from django.views.decorators.gzip import gzip_page
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import DefaultRouter

from badges.api import (
    BadgeViewSet,
    CheckInViewSet,
    ScannerBundleView,
    ScannerCountersView,
    ScannerDeviceViewSet,
    ScannerFairListView,
)
from booths.api import AllocationViewSet, BoothViewSet, ZoneViewSet
from fairs.api import FairViewSet
from registrations.api import ApplicationViewSet, ArtisanViewSet, MeView, MyApplicationsView

router = DefaultRouter()
# Check-ins first: a gate's scan resolves its URL before any other API call's.
router.register("check-ins", CheckInViewSet, basename="check-in")
router.register("fairs", FairViewSet, basename="fair")
router.register("artisans", ArtisanViewSet, basename="artisan")
router.register("applications", ApplicationViewSet, basename="application")
router.register("zones", ZoneViewSet, basename="zone")
router.register("booths", BoothViewSet, basename="booth")
router.register("allocations", AllocationViewSet, basename="allocation")
router.register("badges", BadgeViewSet, basename="badge")
router.register("scanner-devices", ScannerDeviceViewSet, basename="scanner-device")

urlpatterns = [
    *router.urls,
    path("auth/token/", obtain_auth_token, name="api-token"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("me/", MeView.as_view(), name="api-me"),
    path("me/applications/", MyApplicationsView.as_view(), name="api-me-applications"),
    # Scanner endpoints: the only ones a scanner device's token opens (besides check-ins).
    path("scanner/fairs/", ScannerFairListView.as_view(), name="api-scanner-fairs"),
    # The bundle is the whole roster (hundreds of kB of JSON for a big fair): gzipped when
    # the client accepts it, which every browser does.
    path("scanner/fairs/<int:pk>/bundle/", gzip_page(ScannerBundleView.as_view()), name="api-scanner-bundle"),
    path("scanner/fairs/<int:pk>/counters/", ScannerCountersView.as_view(), name="api-scanner-counters"),
    path("reports/", include("reports.api.urls")),
]
