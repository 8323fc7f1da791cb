"""Web pages of booths; each area keeps its own views module and its paths."""

from booths.views import allocation, plan

app_name = "booths"

urlpatterns = [*plan.urlpatterns, *allocation.urlpatterns]
