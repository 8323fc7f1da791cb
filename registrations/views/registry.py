"""Staff pages of the registry: artisans (search, profile, create, edit) and cooperatives."""

from django.contrib import messages
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import NoReverseMatch, path, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.generic import DetailView, FormView, ListView

from core.errors import DomainError
from core.permissions import StaffRequiredMixin
from core.services import audit_trail
from core.validators import format_phone
from registrations import cooperatives as cooperative_services
from registrations import selectors, services
from registrations.forms.registry import (
    ArtisanFilterForm,
    ArtisanForm,
    CooperativeFilterForm,
    CooperativeForm,
)
from registrations.models import LANGUAGE_CHOICES, Application, Artisan, Cooperative

S = Application.Status
# Bootstrap colours of the application statuses on the artisan page.
STATUS_CLASSES = {
    S.DRAFT: "text-bg-light border",
    S.SUBMITTED: "text-bg-info",
    S.ACCEPTED: "text-bg-primary",
    S.WAITLISTED: "text-bg-warning",
    S.REJECTED: "text-bg-secondary",
    S.CONFIRMED: "text-bg-success",
    S.DECLINED: "text-bg-secondary",
    S.EXPIRED: "text-bg-secondary",
    S.WITHDRAWN: "text-bg-dark",
}


def _query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _application_url_builder():
    """``pk → URL`` of the staff application page, or ``None`` while that page does not exist
    (it belongs to the review pages); checked once, not once per row."""
    try:
        reverse("registrations:application_detail", kwargs={"pk": 0})
    except NoReverseMatch:
        return lambda pk: None
    return lambda pk: reverse("registrations:application_detail", kwargs={"pk": pk})


def _field_label(model, name: str) -> str:
    try:
        return str(model._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return name


class ServiceFormMixin:
    """Hands a valid form to a service; a refusal becomes a form error on its field."""

    def form_valid(self, form):
        try:
            obj = self.call_service(form)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc)
            return self.form_invalid(form)
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
            return self.form_invalid(form)
        messages.success(self.request, self.success_message % {"name": obj})
        return redirect(self.success_url_for(obj))


# --- Artisans -------------------------------------------------------------------------------


class ArtisanListView(StaffRequiredMixin, ListView):
    template_name = "registrations/registry/artisan_list.html"
    context_object_name = "artisans"
    paginate_by = 25

    def get_queryset(self):
        self.filter_form = ArtisanFilterForm(self.request.GET or None)
        if self.filter_form.is_bound and not self.filter_form.is_valid():
            return Artisan.objects.none()
        filters = self.filter_form.filters() if self.filter_form.is_bound else {}
        return selectors.artisan_list(**filters)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        for artisan in context["artisans"]:
            artisan.phone_display = format_phone(artisan.phone)
        context["filter_form"] = self.filter_form
        context["query"] = _query_without_page(self.request)
        # Open the "more filters" panel when one of them is in use.
        context["filtered"] = any(
            value for name, value in self.request.GET.items() if name not in ("q", "page")
        )
        return context


class ArtisanDetailView(StaffRequiredMixin, DetailView):
    template_name = "registrations/registry/artisan_detail.html"
    context_object_name = "artisan"

    def get_queryset(self):
        return selectors.artisan_detail_queryset()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        artisan = self.object
        application_url = _application_url_builder()
        applications = list(selectors.artisan_applications(artisan))
        for application in applications:
            application.url = application_url(application.pk)
            application.status_class = STATUS_CLASSES.get(application.status, "text-bg-light")
        languages = dict(LANGUAGE_CHOICES)
        context.update(
            phone_display=format_phone(artisan.phone),
            other_crafts=list(artisan.other_crafts.all()),
            spoken_languages=[languages.get(code, code) for code in artisan.languages or []],
            product_photos=list(artisan.product_photos.all()),
            applications=applications,
            participations=[a for a in applications if selectors.is_participation(a)],
            audit=self.audit_entries(artisan),
        )
        return context

    @staticmethod
    def audit_entries(artisan):
        """The recent audit trail, with the changed fields' names in the reader's language."""
        entries = list(audit_trail(artisan)[:20])
        for entry in entries:
            changed = entry.changes.get("fields") if isinstance(entry.changes, dict) else None
            entry.field_labels = [_field_label(Artisan, name) for name in changed or []]
        return entries


class ArtisanFormMixin(ServiceFormMixin):
    form_class = ArtisanForm
    template_name = "registrations/registry/artisan_form.html"

    def success_url_for(self, artisan):
        return artisan.get_absolute_url()


class ArtisanCreateView(StaffRequiredMixin, ArtisanFormMixin, FormView):
    success_message = _("The artisan “%(name)s” was registered.")

    def call_service(self, form):
        return services.artisan_create(
            actor=self.request.user,
            other_crafts=form.cleaned_data["other_crafts"],
            **form.service_fields(),
        )


class ArtisanUpdateView(StaffRequiredMixin, ArtisanFormMixin, FormView):
    success_message = _("The profile of “%(name)s” was saved.")

    def dispatch(self, request, *args, **kwargs):
        self.artisan = get_object_or_404(Artisan, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        # The form validates a copy: the artisan itself changes only inside the service.
        kwargs["instance"] = Artisan.objects.get(pk=self.artisan.pk)
        return kwargs

    def get_context_data(self, **kwargs):
        return super().get_context_data(artisan=self.artisan, **kwargs)

    def call_service(self, form):
        return services.artisan_update(
            artisan=self.artisan,
            actor=self.request.user,
            other_crafts=list(form.cleaned_data["other_crafts"]),
            **form.service_fields(),
        )


# --- Cooperatives ---------------------------------------------------------------------------


class CooperativeListView(StaffRequiredMixin, ListView):
    template_name = "registrations/registry/cooperative_list.html"
    context_object_name = "cooperatives"
    paginate_by = 25

    def get_queryset(self):
        self.filter_form = CooperativeFilterForm(self.request.GET or None)
        if self.filter_form.is_bound and not self.filter_form.is_valid():
            return Cooperative.objects.none()
        data = self.filter_form.cleaned_data if self.filter_form.is_bound else {}
        return selectors.cooperative_list(q=data.get("q") or "", province=data.get("province"))

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            filter_form=self.filter_form, query=_query_without_page(self.request), **kwargs
        )


class CooperativeFormMixin(ServiceFormMixin):
    form_class = CooperativeForm
    template_name = "registrations/registry/cooperative_form.html"

    def success_url_for(self, cooperative):
        query = urlencode({"q": cooperative.registration_number})
        return f"{reverse('registrations:cooperative_list')}?{query}"


class CooperativeCreateView(StaffRequiredMixin, CooperativeFormMixin, FormView):
    success_message = _("The cooperative “%(name)s” was registered.")

    def call_service(self, form):
        return cooperative_services.cooperative_create(actor=self.request.user, **form.cleaned_data)


class CooperativeUpdateView(StaffRequiredMixin, CooperativeFormMixin, FormView):
    success_message = _("The cooperative “%(name)s” was saved.")

    def dispatch(self, request, *args, **kwargs):
        self.cooperative = get_object_or_404(Cooperative, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = Cooperative.objects.get(pk=self.cooperative.pk)
        return kwargs

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            cooperative=self.cooperative, member_count=self.cooperative.members.count(), **kwargs
        )

    def call_service(self, form):
        return cooperative_services.cooperative_update(
            cooperative=self.cooperative, actor=self.request.user, **form.cleaned_data
        )


urlpatterns = [
    path("staff/artisans/", ArtisanListView.as_view(), name="artisan_list"),
    path("staff/artisans/new/", ArtisanCreateView.as_view(), name="artisan_create"),
    path("staff/artisans/<int:pk>/", ArtisanDetailView.as_view(), name="artisan_detail"),
    path("staff/artisans/<int:pk>/edit/", ArtisanUpdateView.as_view(), name="artisan_update"),
    path("staff/cooperatives/", CooperativeListView.as_view(), name="cooperative_list"),
    path("staff/cooperatives/new/", CooperativeCreateView.as_view(), name="cooperative_create"),
    path("staff/cooperatives/<int:pk>/edit/", CooperativeUpdateView.as_view(), name="cooperative_update"),
]
