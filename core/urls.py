from django.urls import include, path

from core import views

urlpatterns = [
    path("home/", views.home, name="home"),
    path("language/", views.set_language, name="set_language"),
    path("accounts/", include("django.contrib.auth.urls")),
]
