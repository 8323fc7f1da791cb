"""API of reports (under /api/v1/reports/); each area keeps its own module and its paths."""

from reports.api import attendance, attestations, dashboard, outcomes, summary

urlpatterns = [
    *attendance.urlpatterns,
    *summary.urlpatterns,
    *attestations.urlpatterns,
    *outcomes.urlpatterns,
    *dashboard.urlpatterns,
]
