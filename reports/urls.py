"""Web pages of reports; each area keeps its own views module and its paths."""

from reports.views import attendance, attestations, dashboard, outcomes, summary

app_name = "reports"

urlpatterns = [
    *attendance.urlpatterns,
    *summary.urlpatterns,
    *attestations.urlpatterns,
    *outcomes.urlpatterns,
    *dashboard.urlpatterns,
]
