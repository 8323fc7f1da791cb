"""Web pages of badges; each area keeps its own views module and its paths."""

from badges.views import live, scanner, staff

app_name = "badges"

urlpatterns = [*staff.urlpatterns, *scanner.urlpatterns, *live.urlpatterns]
