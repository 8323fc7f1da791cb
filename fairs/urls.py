from django.urls import path, re_path

from fairs import services, views

app_name = "fairs"

urlpatterns = [
    path("", views.PublicHomeView.as_view(), name="public_home"),
    path("past/", views.PastFairsView.as_view(), name="public_past"),
    path("f/<slug:slug>/", views.PublicFairDetailView.as_view(), name="public_detail"),
    path("staff/fairs/", views.FairListView.as_view(), name="list"),
    path("staff/fairs/timeline/", views.FairTimelineView.as_view(), name="timeline"),
    path("staff/fairs/programme.pdf", views.FairProgrammePdfView.as_view(), name="programme_pdf"),
    path("staff/fairs/new/", views.FairCreateView.as_view(), name="create"),
    path("staff/fairs/<int:pk>/", views.FairDetailView.as_view(), name="detail"),
    path("staff/fairs/<int:pk>/edit/", views.FairUpdateView.as_view(), name="update"),
    re_path(
        rf"^staff/fairs/(?P<pk>[0-9]+)/(?P<action>{'|'.join(services.ACTIONS)})/$",
        views.FairTransitionView.as_view(),
        name="transition",
    ),
]
