"""The artisan's own pages, made for a phone: sign up, "my space", profile, applying, offers.

Staff may open any application page and act on it, and apply on an artisan's behalf.
An artisan sees only their own applications: anything else is a 404, as is any application
page for a reviewer (the jury has its own pages). Every change goes through a service;
a refusal is shown on the page and changes nothing.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView, View

from core.errors import DomainError
from core.permissions import StaffRequiredMixin, is_staff_member
from core.services import audit_trail
from fairs.models import Fair
from registrations import photos, services
from registrations.forms.self_service import (
    ApplicationForm,
    ProductPhotoForm,
    ProfileForm,
    SignUpForm,
    WithdrawForm,
)
from registrations.models import LANGUAGE_CHOICES, Application, Artisan, ProductPhoto
from registrations.selectors import participations_filter

S = Application.Status
BACKEND = "registrations.auth.ArtisanBackend"

# What an artisan reads in their application's history; other entries (reviews) are staff's.
HISTORY_LABELS = {
    "application.create": gettext_lazy("Application started"),
    "application.update": gettext_lazy("Application edited"),
    "application.photos": gettext_lazy("Photos changed"),
    "application.submitted": gettext_lazy("Sent to the jury"),
    "application.accepted": gettext_lazy("Selected: a place is offered"),
    "application.waitlisted": gettext_lazy("Put on the waiting list"),
    "application.rejected": gettext_lazy("Not selected"),
    "application.confirmed": gettext_lazy("Place confirmed"),
    "application.declined": gettext_lazy("Place declined"),
    "application.expired": gettext_lazy("Offer expired"),
    "application.withdrawn": gettext_lazy("Withdrawn"),
}


def artisan_of(user) -> Artisan | None:
    """The artisan profile of a logged-in user, or None (staff, reviewers, new accounts)."""
    if not user.is_authenticated:
        return None
    try:
        return user.artisan
    except Artisan.DoesNotExist:
        return None


def login_backend() -> str:
    """Sign-up logs the new artisan in with the CIN/phone/email backend when it is installed."""
    backends = settings.AUTHENTICATION_BACKENDS
    return BACKEND if BACKEND in backends else backends[0]


def add_service_error(form, exc, rename: dict | None = None) -> None:
    """Show a service's refusal on the form: under the field it names, else at the top."""
    rename = rename or {}

    def target(field):
        field = rename.get(field, field)
        return field if field in form.fields else None

    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            for field, errors in exc.message_dict.items():
                form.add_error(target(field), errors)
        else:
            form.add_error(None, exc.messages)
    else:
        form.add_error(target(exc.field), str(exc.message))


def error_text(exc) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc.message)


def visible_applications(user):
    """Staff see every application; an artisan their own; anyone else none."""
    applications = Application.objects.select_related(
        "fair", "fair__venue", "artisan", "artisan__cooperative", "preferred_sector"
    )
    if is_staff_member(user):
        return applications
    if not user.is_authenticated:
        return applications.none()
    return applications.filter(artisan__user=user)


class ArtisanRequiredMixin(LoginRequiredMixin):
    """Pages of an artisan's own profile; a user without one is sent to "my space"."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.artisan = artisan_of(request.user)
        if self.artisan is None:
            return redirect("registrations:my_space")
        return super().dispatch(request, *args, **kwargs)


# --- Sign-up ------------------------------------------------------------------------------


class SignUpView(FormView):
    template_name = "registrations/self_service/signup.html"
    form_class = SignUpForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            return redirect("registrations:my_space")
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            artisan = services.artisan_sign_up(
                password=form.cleaned_data["password1"],
                language=translation.get_language() or settings.LANGUAGE_CODE,
                **form.artisan_fields(),
            )
        except (ValidationError, DomainError) as exc:
            add_service_error(form, exc, rename=SignUpForm.service_fields)
            return self.form_invalid(form)
        login(self.request, artisan.user, backend=login_backend())
        messages.success(
            self.request,
            _("Welcome, %(name)s. Your account is ready: you log in with your CIN, phone or email.")
            % {"name": artisan.display_name},
        )
        return redirect("registrations:my_space")


# --- My space -----------------------------------------------------------------------------


class MySpaceView(LoginRequiredMixin, TemplateView):
    """Open calls, my applications and what to do next, my past fairs."""

    template_name = "registrations/self_service/my_space.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        artisan = artisan_of(self.request.user)
        context["artisan"] = artisan
        if artisan is None:
            self.template_name = "registrations/self_service/no_profile.html"
            return context
        mine = list(
            Application.objects.filter(artisan=artisan)
            .exclude(fair__status=Fair.Status.CLOSED)
            .select_related("fair", "fair__venue")
            .order_by("fair__starts_on", "pk")
        )
        by_fair = {application.fair_id: application for application in mine}
        my_crafts = {artisan.main_craft_id, *(c.pk for c in artisan.other_crafts.all())}
        calls = []
        for fair in (
            Fair.objects.calls_open()
            .select_related("venue")
            .prefetch_related("craft_categories")
            .order_by("applications_close_at", "pk")
        ):
            accepted = {c.pk for c in fair.craft_categories.all()}
            calls.append(
                {
                    "fair": fair,
                    "application": by_fair.get(fair.pk),
                    "for_my_craft": not accepted or bool(accepted & my_crafts),
                }
            )
        context.update(
            calls=calls,
            applications=mine,
            offers=[a for a in mine if a.status == S.ACCEPTED and not a.offer_expired],
            past=Application.objects.filter(participations_filter(), artisan=artisan)
            .select_related("fair", "fair__venue")
            .order_by("-fair__starts_on"),
            missing=artisan.missing_for_application(),
            now=timezone.now(),
        )
        return context


# --- Profile and product photos -------------------------------------------------------------


class ProfileView(ArtisanRequiredMixin, FormView):
    template_name = "registrations/self_service/profile.html"
    form_class = ProfileForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "artisan": self.artisan}

    def get_context_data(self, **kwargs):
        kwargs.setdefault("photo_form", ProductPhotoForm())
        return super().get_context_data(
            artisan=self.artisan,
            product_photos=list(self.artisan.product_photos.all()),
            max_product_photos=photos.MAX_PRODUCT_PHOTOS,
            missing=self.artisan.missing_for_application(),
            **kwargs,
        )

    def form_valid(self, form):
        try:
            services.artisan_update(artisan=self.artisan, actor=self.request.user, **form.service_kwargs())
        except (ValidationError, DomainError) as exc:
            add_service_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Your profile was saved."))
        return redirect("registrations:my_profile")


class ProductPhotoAddView(ProfileView):
    """POST only: the product photo form of the profile page."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        photo_form = ProductPhotoForm(request.POST, request.FILES)
        if photo_form.is_valid():
            try:
                photos.product_photo_add(
                    artisan=self.artisan,
                    image=photo_form.cleaned_data["image"],
                    caption=photo_form.cleaned_data["caption"],
                    actor=request.user,
                )
            except DomainError as exc:
                add_service_error(photo_form, exc)
            else:
                messages.success(request, _("The photo was added."))
                return redirect(reverse("registrations:my_profile") + "#products")
        # The profile form above stays as saved: this POST was only the photo's.
        profile_form = ProfileForm(artisan=self.artisan)
        return self.render_to_response(self.get_context_data(form=profile_form, photo_form=photo_form))


class ProductPhotoDeleteView(ArtisanRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        photo = get_object_or_404(ProductPhoto, pk=pk, artisan=self.artisan)
        photos.product_photo_delete(photo=photo, actor=request.user)
        messages.success(request, _("The photo was deleted."))
        return redirect(reverse("registrations:my_profile") + "#products")


# --- Applying -------------------------------------------------------------------------------


class ApplyMixin:
    """The application form for ``self.artisan`` at ``self.fair``; the service has the last word."""

    template_name = "registrations/self_service/application_form.html"
    form_class = ApplicationForm

    def setup_apply(self, request, artisan, fair):
        self.artisan, self.fair = artisan, fair
        existing = Application.objects.filter(artisan=artisan, fair=fair).first()
        if existing is not None:
            messages.info(request, _("An application to this fair already exists: here it is."))
            return redirect(existing.get_absolute_url())
        return None

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "fair": self.fair, "artisan": self.artisan}

    def refusal(self):
        """Why the service would refuse right now (before the artisan fills the form)."""
        try:
            # The same guard the service runs (services.check_can_apply), checked up front.
            services.check_can_apply(self.artisan, self.fair, timezone.now())
        except DomainError as exc:
            return exc
        return None

    def get_context_data(self, **kwargs):
        refusal = kwargs.pop("refusal", None) or (self.refusal() if self.request.method == "GET" else None)
        return super().get_context_data(
            fair=self.fair,
            artisan=self.artisan,
            refusal=refusal,
            on_behalf=self.artisan.user_id != self.request.user.pk,
            crafts=self.fair.craft_categories.all(),
            **kwargs,
        )

    def form_valid(self, form):
        submit = self.request.POST.get("action") != "draft"
        try:
            with transaction.atomic():
                application = services.application_create(
                    artisan=self.artisan,
                    fair=self.fair,
                    actor=self.request.user,
                    submit=submit,
                    **form.service_kwargs(),
                )
                photos.application_photos_change(
                    application=application,
                    add=form.cleaned_data.get("photos") or [],
                    actor=self.request.user,
                )
        except ValidationError as exc:
            add_service_error(form, exc)
            return self.form_invalid(form)
        except DomainError as exc:
            if exc.field in form.fields:
                add_service_error(form, exc)
                return self.form_invalid(form)
            return self.render_to_response(self.get_context_data(form=form, refusal=exc))
        if submit:
            messages.success(
                self.request,
                _("Your application was sent. You can still change it until %(deadline)s.")
                % {"deadline": _date(self.fair.applications_close_at)},
            )
        else:
            messages.success(
                self.request,
                _("Your draft was saved. Send it before %(deadline)s.")
                % {"deadline": _date(self.fair.applications_close_at)},
            )
        return redirect(application.get_absolute_url())


def _date(value) -> str:
    return date_format(timezone.localtime(value), "DATETIME_FORMAT") if value else ""


class ApplicationCreateView(LoginRequiredMixin, ApplyMixin, FormView):
    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        artisan = artisan_of(request.user)
        if artisan is None:
            return redirect("registrations:my_space")
        fair = get_object_or_404(
            Fair.objects.visible_to_public().select_related("venue"), pk=kwargs["fair_pk"]
        )
        return self.setup_apply(request, artisan, fair) or super().dispatch(request, *args, **kwargs)


class ApplicationCreateForView(StaffRequiredMixin, ApplyMixin, FormView):
    """Staff apply for an artisan (a walk-in, a cooperative member without a phone)."""

    def dispatch(self, request, *args, **kwargs):
        if not is_staff_member(request.user):
            return super().dispatch(request, *args, **kwargs)  # login or 403
        artisan = get_object_or_404(Artisan.objects.select_related("cooperative"), pk=kwargs["artisan_pk"])
        fair = get_object_or_404(Fair.objects.select_related("venue"), pk=kwargs["fair_pk"])
        return self.setup_apply(request, artisan, fair) or super().dispatch(request, *args, **kwargs)


# --- One application ------------------------------------------------------------------------


class ApplicationMixin(LoginRequiredMixin):
    """Loads the application if the user may see it (owner or staff), else 404."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.application = get_object_or_404(visible_applications(request.user), pk=kwargs["pk"])
        self.fair = self.application.fair
        self.is_owner = self.application.artisan.user_id == request.user.pk
        return super().dispatch(request, *args, **kwargs)

    def can_edit(self) -> bool:
        return self.application.status in (S.DRAFT, S.SUBMITTED) and self.fair.is_call_open()

    def can_withdraw(self) -> bool:
        return S.WITHDRAWN in services.TRANSITIONS[self.application.status]

    def has_offer(self) -> bool:
        return self.application.status == S.ACCEPTED and not self.application.offer_expired

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            application=self.application,
            fair=self.fair,
            artisan=self.application.artisan,
            is_owner=self.is_owner,
            can_edit=self.can_edit(),
            can_submit=self.application.status == S.DRAFT and self.fair.is_call_open(),
            can_withdraw=self.can_withdraw(),
            has_offer=self.has_offer(),
            **kwargs,
        )


def application_answers(application: Application) -> list[tuple[str, str, bool]]:
    """What the application says, as (label, value, free text?) rows for the page."""
    fair = application.fair

    def label(name):
        return capfirst(Application._meta.get_field(name).verbose_name)

    rows = [
        (label("booth_kind"), application.get_booth_kind_display(), False),
        (label("booth_size"), application.get_booth_size_display(), False),
        (
            label("preferred_sector"),
            application.preferred_sector.name if application.preferred_sector else _("No preference"),
            False,
        ),
    ]
    if application.artisan.cooperative_id:
        rows.append((label("near_cooperative"), _("yes") if application.near_cooperative else _("no"), False))
    rows.append((label("products"), application.products, True))
    needs = [
        *([_("electricity")] if application.needs_electricity else []),
        *([_("step-free access")] if application.needs_accessibility else []),
        *([application.needs_notes] if application.needs_notes else []),
    ]
    rows.append((_("Needs"), "\n".join(needs) or "—", bool(application.needs_notes)))
    if fair.asks_passport:
        until = application.passport_valid_until
        rows.append(
            (label("passport_valid_until"), date_format(until, "DATE_FORMAT") if until else "—", False)
        )
    if fair.asks_languages:
        names = dict(LANGUAGE_CHOICES)
        spoken = ", ".join(str(names.get(code, code)) for code in application.languages)
        rows.append((label("languages"), spoken or "—", False))
    if fair.asks_export:
        rows.append((label("export_experience"), application.export_experience or "—", True))
    if application.submitted_at:
        rows.append((label("submitted_at"), _date(application.submitted_at), False))
    return rows


class ApplicationDetailView(ApplicationMixin, TemplateView):
    template_name = "registrations/self_service/application_detail.html"

    def get_context_data(self, **kwargs):
        staff = is_staff_member(self.request.user)
        history = []
        for entry in audit_trail(self.application):
            label = HISTORY_LABELS.get(entry.action)
            if label is None and not staff:
                continue  # jury scores and the like are not for the artisan
            history.append({"entry": entry, "label": label or entry.action})
        return super().get_context_data(
            photos=list(self.application.photos.all()),
            answers=application_answers(self.application),
            history=history,
            notifications=list(self.application.notifications.all()),
            is_staff=staff,
            **kwargs,
        )


class ApplicationUpdateView(ApplicationMixin, FormView):
    template_name = "registrations/self_service/application_form.html"
    form_class = ApplicationForm

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "fair": self.fair,
            "artisan": self.application.artisan,
            "application": self.application,
        }

    def get_context_data(self, **kwargs):
        refusal = None
        if not self.can_edit():
            refusal = services.RegistrationError(
                code="not_editable",
                message=_(
                    "This application can no longer be changed: the call has closed or it was decided."
                ),
            )
        kwargs.setdefault("refusal", refusal)
        return super().get_context_data(
            editing=True,
            on_behalf=not self.is_owner,
            crafts=self.fair.craft_categories.all(),
            **kwargs,
        )

    def form_valid(self, form):
        user = self.request.user
        submit = self.request.POST.get("action") == "submit"
        try:
            with transaction.atomic():
                application = services.application_update(
                    application=self.application, actor=user, **form.service_kwargs()
                )
                photos.application_photos_change(
                    application=application,
                    add=form.cleaned_data.get("photos") or [],
                    remove=list(form.cleaned_data.get("remove_photos") or []),
                    actor=user,
                )
                if submit and application.status == S.DRAFT:
                    services.application_submit(application=application, actor=user)
        except ValidationError as exc:
            add_service_error(form, exc)
            return self.form_invalid(form)
        except DomainError as exc:
            if exc.field in form.fields:
                add_service_error(form, exc)
                return self.form_invalid(form)
            return self.render_to_response(self.get_context_data(form=form, refusal=exc))
        messages.success(
            self.request, _("Your application was sent.") if submit else _("Your changes were saved.")
        )
        return redirect(self.application.get_absolute_url())


class ApplicationSubmitView(ApplicationMixin, View):
    """POST: send a draft to the jury."""

    http_method_names = ["post"]

    def post(self, request, pk):
        try:
            services.application_submit(application=self.application, actor=request.user)
        except (ValidationError, DomainError) as exc:
            messages.error(request, error_text(exc))
            return redirect("registrations:application_update", pk=pk)
        messages.success(request, _("Your application was sent."))
        return redirect(self.application.get_absolute_url())


class ApplicationWithdrawView(ApplicationMixin, FormView):
    """GET asks for confirmation and a reason; POST withdraws."""

    template_name = "registrations/self_service/application_withdraw.html"
    form_class = WithdrawForm

    def form_valid(self, form):
        try:
            services.application_withdraw(
                application=self.application,
                actor=self.request.user,
                reason=form.cleaned_data["reason"].strip(),
            )
        except (ValidationError, DomainError) as exc:
            messages.error(self.request, error_text(exc))
        else:
            messages.success(self.request, _("The application was withdrawn."))
        return redirect(self.application.get_absolute_url())


class ApplicationOfferView(ApplicationMixin, TemplateView):
    """GET shows the offer and both answers; POST ``accept=1`` confirms, ``accept=0`` declines."""

    template_name = "registrations/self_service/application_offer.html"

    def post(self, request, pk):
        answer = request.POST.get("accept")
        if answer not in ("0", "1"):
            messages.error(request, _("Choose whether you confirm or decline the place."))
            return redirect("registrations:application_offer", pk=pk)
        try:
            services.offer_respond(application=self.application, actor=request.user, accept=answer == "1")
        except (ValidationError, DomainError) as exc:
            messages.error(request, error_text(exc))
        else:
            if answer == "1":
                messages.success(request, _("Your place is confirmed. See you at the fair!"))
            else:
                messages.info(
                    request, _("You declined the place. It goes to the next artisan on the waiting list.")
                )
        return redirect(self.application.get_absolute_url())


urlpatterns = [
    path("signup/", SignUpView.as_view(), name="signup"),
    path("me/", MySpaceView.as_view(), name="my_space"),
    path("me/profile/", ProfileView.as_view(), name="my_profile"),
    path("me/profile/photos/", ProductPhotoAddView.as_view(), name="product_photo_add"),
    path("me/profile/photos/<int:pk>/delete/", ProductPhotoDeleteView.as_view(), name="product_photo_delete"),
    path("fairs/<int:fair_pk>/apply/", ApplicationCreateView.as_view(), name="application_create"),
    path("applications/<int:pk>/", ApplicationDetailView.as_view(), name="application_detail"),
    path("applications/<int:pk>/edit/", ApplicationUpdateView.as_view(), name="application_update"),
    path("applications/<int:pk>/submit/", ApplicationSubmitView.as_view(), name="application_submit"),
    path("applications/<int:pk>/withdraw/", ApplicationWithdrawView.as_view(), name="application_withdraw"),
    path("applications/<int:pk>/offer/", ApplicationOfferView.as_view(), name="application_offer"),
    path(
        "staff/artisans/<int:artisan_pk>/apply/<int:fair_pk>/",
        ApplicationCreateForView.as_view(),
        name="application_create_for",
    ),
]
