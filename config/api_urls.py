from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import DefaultRouter

from booths.api import AllocationViewSet, BoothViewSet, ZoneViewSet
from fairs.api import FairViewSet
from registrations.api import ApplicationViewSet, ArtisanViewSet, MeView, MyApplicationsView

router = DefaultRouter()
router.register("fairs", FairViewSet, basename="fair")
router.register("artisans", ArtisanViewSet, basename="artisan")
router.register("applications", ApplicationViewSet, basename="application")
router.register("zones", ZoneViewSet, basename="zone")
router.register("booths", BoothViewSet, basename="booth")
router.register("allocations", AllocationViewSet, basename="allocation")

urlpatterns = [
    path("auth/token/", obtain_auth_token, name="api-token"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("me/", MeView.as_view(), name="api-me"),
    path("me/applications/", MyApplicationsView.as_view(), name="api-me-applications"),
    *router.urls,
]
