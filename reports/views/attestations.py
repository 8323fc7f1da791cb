"""Attestations of participation: the artisan's list and PDFs, staff downloads, and the public
verification page.

- ``/me/attestations/``: the signed-in artisan's fairs that are over, those they attended with
  "Download (PDF)" (and the same in the other languages), those with no recorded entry with
  the reason there is no attestation.
- ``/me/attestations/<application>.pdf``: their own participation only (404 for anyone
  else's); a fair not over or not attended is refused with a message (``not_attended``).
- ``/staff/applications/<application>/attestation.pdf``: staff, any participant.
- ``/verify/`` and ``/verify/<code>/``: public, no login. A genuine code shows what the
  certificate itself shows (names, craft, fair, place, dates, days present, date of issue) and
  nothing else — no CIN, no phone; an unknown or altered code answers 404 with a clear
  sentence. There is no rate limit: a code is 80 random bits, so trying codes finds nothing.

The PDF is written in the active language, or in ``?lang=`` (ar, fr, en) when given.
"""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView, View

from core.errors import DomainError
from core.pdf import pdf_response
from core.permissions import StaffRequiredMixin
from fairs.models import Fair
from registrations.models import Application, Artisan
from reports import selectors, services
from reports.models import CODE_LENGTH, Attestation, normalize_code

PRINTED = ("artisan__main_craft", "fair__venue", "assignment__booth")
LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]


def artisan_of(user) -> Artisan | None:
    if not user.is_authenticated:
        return None
    try:
        return user.artisan
    except Artisan.DoesNotExist:
        return None


def other_languages() -> list[tuple[str, str]]:
    """(code, name in that language) of the languages other than the active one."""
    current = translation.get_language()
    return [
        (code, translation.get_language_info(code)["name_local"])
        for code in LANGUAGE_CODES
        if code != current
    ]


def attestation_response(request, application: Application, *, actor) -> HttpResponse:
    """The PDF of ``application``'s attestation (made on first demand); raises ``ReportError``
    (``not_attended``) for a fair not over or not attended."""
    from reports.pdf.attestation import attestation_pdf

    attestation = services.attestation_for(application=application, actor=actor)
    attestation.application = application  # already loaded with what the page prints
    language = request.GET.get("lang")
    language = language if language in LANGUAGE_CODES else translation.get_language()
    with translation.override(language):
        data = attestation_pdf(
            attestation,
            verify_url=request.build_absolute_uri(attestation.get_verify_url()),
            verify_home=request.build_absolute_uri(reverse("reports:attestation_verify_form")),
        )
    response = pdf_response(data, f"attestation-{application.fair.slug or application.fair.pk}.pdf")
    response["Cache-Control"] = "private, no-store"
    return response


# --- The artisan ----------------------------------------------------------------------------


class MyAttestationsView(LoginRequiredMixin, TemplateView):
    template_name = "reports/attestations/my_attestations.html"

    def get_context_data(self, **kwargs):
        artisan = artisan_of(self.request.user)
        attended, missed = [], []
        if artisan is not None:
            attended = list(
                selectors.attended_applications(artisan).select_related(
                    "fair__venue", "attestation", "outcome"
                )
            )
            taken = {application.pk for application in attended}
            missed = [
                application
                for application in Application.objects.filter(
                    artisan=artisan, status__in=selectors.PARTICIPATING, fair__status=Fair.Status.CLOSED
                )
                .select_related("fair__venue")
                .order_by("-fair__starts_on")
                if application.pk not in taken
            ]
        return super().get_context_data(
            artisan=artisan, attended=attended, missed=missed, other_languages=other_languages(), **kwargs
        )


class MyAttestationPdfView(LoginRequiredMixin, View):
    """The signed-in artisan's own attestation; 404 for another's participation."""

    def get(self, request, *args, **kwargs):
        application = get_object_or_404(
            Application.objects.select_related(*PRINTED), pk=kwargs["pk"], artisan__user=request.user
        )
        try:
            return attestation_response(request, application, actor=request.user)
        except DomainError as refusal:
            messages.error(request, str(refusal.message))
            return redirect("reports:my_attestations")


class StaffAttestationPdfView(StaffRequiredMixin, View):
    """Any participant's attestation, for delegation staff (from the artisan's page)."""

    def get(self, request, *args, **kwargs):
        application = get_object_or_404(Application.objects.select_related(*PRINTED), pk=kwargs["pk"])
        try:
            return attestation_response(request, application, actor=request.user)
        except DomainError as refusal:
            if refusal.code == "not_attended":
                message = _(
                    "No attestation for %(name)s at %(fair)s: the fair is not over, the application is not a "
                    "confirmed participation, or no entry of theirs was recorded."
                ) % {"name": application.artisan.full_name, "fair": application.fair.name}
            else:
                message = str(refusal.message)
            messages.error(request, message)
            return redirect(application.artisan.get_absolute_url())


# --- Public verification --------------------------------------------------------------------


class VerifyForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Verification code"),
        max_length=4 * CODE_LENGTH,
        help_text=gettext_lazy(
            "The 16 letters and digits printed under the QR code, e.g. 7KQ4-M2XR-9HTP-W3ND."
        ),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "dir": "ltr",
                "class": "font-monospace",
            }
        ),
    )

    def clean_code(self):
        code = normalize_code(self.cleaned_data["code"])
        if not code:
            raise forms.ValidationError(
                _("A verification code has 16 letters and digits (dashes and spaces do not matter).")
            )
        return code


def _private(response: HttpResponse) -> HttpResponse:
    """Verification pages name people: keep them out of search engines and referrers."""
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


class VerifyFormView(View):
    """``/verify/``: type a code (``?code=``) and go to its page."""

    template_name = "reports/attestations/verify_form.html"

    def get(self, request, *args, **kwargs):
        form = VerifyForm(request.GET or None)
        if form.is_bound and form.is_valid():
            return redirect("reports:attestation_verify", code=form.cleaned_data["code"])
        return _private(render(request, self.template_name, {"form": form}))


class VerifyView(View):
    """``/verify/<code>/``: whether the delegation issued this attestation (404 when not)."""

    def get(self, request, *args, **kwargs):
        code = normalize_code(kwargs["code"])
        attestation = None
        if code:
            attestation = (
                Attestation.objects.select_related(
                    "application__artisan__main_craft", "application__fair__venue"
                )
                .filter(code=code)
                .first()
            )
        if attestation is None:
            response = render(
                request,
                "reports/attestations/verify_unknown.html",
                {"form": VerifyForm(initial={"code": kwargs["code"][: 4 * CODE_LENGTH]})},
                status=404,
            )
            return _private(response)
        if code != kwargs["code"]:
            return redirect("reports:attestation_verify", code=code)
        application = attestation.application
        fair = application.fair
        context = {
            "attestation": attestation,
            "artisan": application.artisan,
            "fair": fair,
            "days": (fair.ends_on - fair.starts_on).days + 1,
        }
        return _private(render(request, "reports/attestations/verify_genuine.html", context))


urlpatterns = [
    path("me/attestations/", MyAttestationsView.as_view(), name="my_attestations"),
    path("me/attestations/<int:pk>.pdf", MyAttestationPdfView.as_view(), name="my_attestation_pdf"),
    path(
        "staff/applications/<int:pk>/attestation.pdf",
        StaffAttestationPdfView.as_view(),
        name="staff_attestation_pdf",
    ),
    path("verify/", VerifyFormView.as_view(), name="attestation_verify_form"),
    path("verify/<str:code>/", VerifyView.as_view(), name="attestation_verify"),
]
