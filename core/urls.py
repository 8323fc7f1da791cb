from django.contrib.auth.views import LoginView
from django.urls import include, path

from core import views
from core.forms import LoginForm

urlpatterns = [
    path("home/", views.home, name="home"),
    path("language/", views.set_language, name="set_language"),
    path("accounts/login/", LoginView.as_view(authentication_form=LoginForm), name="login"),
    path("accounts/", include("django.contrib.auth.urls")),
]
