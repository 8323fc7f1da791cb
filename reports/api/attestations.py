"""Attestations in the API (under /api/v1/reports/).

- ``GET attestations/`` (an artisan): their fairs that are over and that they attended, each
  with the URL of its PDF and, once it was first downloaded, its verification code and page.
- ``GET attestations/verify/{code}/`` (public, no authentication): what the verification page
  shows for a genuine code; 404 ``{"code": "not_found"}`` for any other.
"""

from django.urls import path, reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import permissions, serializers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from fairs.api import ERROR
from reports import selectors
from reports.models import Attestation, normalize_code
from reports.views.attestations import artisan_of

FairBrief = inline_serializer(
    "AttestationFair",
    {
        "id": serializers.IntegerField(),
        "name": serializers.CharField(),
        "name_ar": serializers.CharField(),
        "place": serializers.CharField(),
        "starts_on": serializers.DateField(),
        "ends_on": serializers.DateField(),
    },
)


def _fair(fair) -> dict:
    return {
        "id": fair.pk,
        "name": fair.name,
        "name_ar": fair.name_ar,
        "place": fair.place,
        "starts_on": fair.starts_on.isoformat(),
        "ends_on": fair.ends_on.isoformat(),
    }


def _attestation(request, attestation: Attestation) -> dict:
    return {
        "code": attestation.code_display,
        "issued_at": serializers.DateTimeField().to_representation(attestation.issued_at),
        "days_present": attestation.days_present,
        "verify_url": request.build_absolute_uri(attestation.get_verify_url()),
    }


class MyAttestationsView(APIView):
    """The signed-in artisan's attestations (none for an account without a profile)."""

    @extend_schema(
        responses={
            200: inline_serializer(
                "MyAttestation",
                {
                    "application": serializers.IntegerField(),
                    "fair": FairBrief,
                    "pdf": serializers.URLField(),
                    "attestation": serializers.DictField(allow_null=True),
                },
                many=True,
            )
        }
    )
    def get(self, request, *args, **kwargs):
        artisan = artisan_of(request.user)
        if artisan is None:
            return Response([])
        rows = []
        for application in selectors.attended_applications(artisan).select_related(
            "fair__venue", "attestation"
        ):
            attestation = getattr(application, "attestation", None)
            rows.append(
                {
                    "application": application.pk,
                    "fair": _fair(application.fair),
                    "pdf": request.build_absolute_uri(
                        reverse("reports:my_attestation_pdf", args=[application.pk])
                    ),
                    "attestation": _attestation(request, attestation) if attestation else None,
                }
            )
        return Response(rows)


class VerifyAttestationView(APIView):
    """Public: is this the code of an attestation the delegation issued?"""

    authentication_classes = []
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        auth=[],
        responses={
            200: inline_serializer(
                "AttestationVerified",
                {
                    "genuine": serializers.BooleanField(),
                    "name": serializers.CharField(),
                    "name_ar": serializers.CharField(),
                    "craft": serializers.CharField(),
                    "fair": FairBrief,
                    "code": serializers.CharField(),
                    "issued_at": serializers.DateTimeField(),
                    "days_present": serializers.IntegerField(allow_null=True),
                    "verify_url": serializers.URLField(),
                },
            ),
            404: OpenApiResponse(ERROR, description="no attestation with this code was issued"),
        },
    )
    def get(self, request, *args, **kwargs):
        code = normalize_code(kwargs["code"])
        attestation = (
            Attestation.objects.select_related("application__artisan__main_craft", "application__fair__venue")
            .filter(code=code)
            .first()
            if code
            else None
        )
        if attestation is None:
            raise NotFound(_("No attestation with this code was issued by the delegation."), code="not_found")
        artisan = attestation.application.artisan
        return Response(
            {
                "genuine": True,
                "name": artisan.full_name,
                "name_ar": artisan.full_name_ar,
                "craft": artisan.main_craft.name if artisan.main_craft_id else "",
                "fair": _fair(attestation.application.fair),
                **_attestation(request, attestation),
            }
        )


urlpatterns = [
    path("attestations/", MyAttestationsView.as_view(), name="api_my_attestations"),
    path("attestations/verify/<str:code>/", VerifyAttestationView.as_view(), name="api_attestation_verify"),
]
