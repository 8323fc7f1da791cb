from django import forms
from django.contrib.auth.forms import AuthenticationForm, UsernameField
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    """Artisans log in with their CIN, phone or email (registrations.auth.ArtisanBackend)."""

    username = UsernameField(
        label=_("CIN, phone, email or username"),
        widget=forms.TextInput(
            attrs={"autofocus": True, "autocapitalize": "none", "autocomplete": "username", "dir": "auto"}
        ),
    )
