"""Souk's URLs plus two floor endpoints (bench only; see bench/floor/__init__.py).

- ``POST /bench/floor/``: a plain Django view — read the badge by serial (unique index), insert
  a ``CheckIn`` row, answer ``{"result", "check_in"}``. The floor the target is measured against.
- ``POST /bench/floor-drf/``: the same two queries in a DRF ``APIView`` (JSON parser and
  renderer, no authentication or permission): how much DRF itself adds.

Both are listed right after Souk's API include, so resolving them costs what reaching the API
costs (the check-in then walks the API's own patterns).
"""

import json

from django.http import JsonResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from rest_framework import permissions
from rest_framework.response import Response
from rest_framework.views import APIView

from badges.models import Badge, CheckIn, CheckInResult
from config.urls import urlpatterns as souk_urlpatterns

ORIGIN = "bench:floor"


def _read_and_insert(data: dict) -> CheckIn:
    badge = Badge.objects.get(serial=data["serial"])  # one indexed read
    return CheckIn.objects.create(  # one insert
        fair_id=badge.fair_id, badge=badge, raw_code=data["serial"], gate=data["gate"],
        direction=data["direction"], result=CheckInResult.OK, origin=ORIGIN, nonce=data["nonce"],
        scanned_at=timezone.now(),
    )  # fmt: skip


@csrf_exempt
@require_POST
def floor(request):
    row = _read_and_insert(json.loads(request.body))
    return JsonResponse({"result": row.result, "check_in": row.pk}, status=201)


class FloorDRF(APIView):
    authentication_classes = []
    permission_classes = [permissions.AllowAny]

    def post(self, request):
        row = _read_and_insert(request.data)
        return Response({"result": row.result, "check_in": row.pk}, status=201)


# Right after Souk's API include (its first pattern): resolving a floor request costs what
# reaching the API costs, and no page pattern is tried before it.
urlpatterns = [
    souk_urlpatterns[0],
    path("bench/floor/", floor, name="bench-floor"),
    path("bench/floor-drf/", FloorDRF.as_view(), name="bench-floor-drf"),
    *souk_urlpatterns[1:],
]
