from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.generic import DetailView, FormView, ListView, TemplateView

from core.errors import DomainError
from core.pdf import pdf_response
from core.permissions import StaffRequiredMixin
from core.services import audit_trail
from fairs import selectors, services
from fairs.forms import FairFilterForm, FairForm
from fairs.models import Fair


class FairFilterMixin:
    """Reads the list filters from the query string; bad values show as form errors."""

    def filtered_fairs(self):
        self.filter_form = FairFilterForm(self.request.GET or None, years=selectors.fair_years())
        if self.filter_form.is_bound and not self.filter_form.is_valid():
            return Fair.objects.none()
        data = self.filter_form.cleaned_data if self.filter_form.is_bound else {}
        return selectors.fair_list(
            q=data.get("q", ""),
            year=data.get("year"),
            scope=data.get("scope", ""),
            status=data.get("status", ""),
            province=data.get("province"),
        )


class FairListView(StaffRequiredMixin, FairFilterMixin, ListView):
    template_name = "fairs/fair_list.html"
    context_object_name = "fairs"
    paginate_by = 25

    def get_queryset(self):
        return self.filtered_fairs()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filter_form"] = self.filter_form
        query = self.request.GET.copy()
        query.pop("page", None)
        context["query"] = query.urlencode()
        return context


class FairTimelineView(StaffRequiredMixin, FairFilterMixin, TemplateView):
    template_name = "fairs/fair_timeline.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["timeline"] = selectors.fair_timeline(self.filtered_fairs())
        context["filter_form"] = self.filter_form
        return context


class FairProgrammePdfView(StaffRequiredMixin, FairFilterMixin, TemplateView):
    """The filtered fair list as a printable PDF, in the user's language."""

    def get(self, request, *args, **kwargs):
        from fairs.pdf import render_fair_programme

        fairs = list(self.filtered_fairs().order_by("starts_on"))
        pdf = render_fair_programme(fairs, title=_("Fairs and exhibitions"), rtl=get_language() == "ar")
        return pdf_response(pdf, "souk-fairs.pdf")


class FairServiceFormMixin:
    """Hands a valid form to a fairs service; a refusal becomes a form error."""

    form_class = FairForm
    template_name = "fairs/fair_form.html"

    def form_valid(self, form):
        data = dict(form.cleaned_data)
        crafts = data.pop("craft_categories")
        try:
            self.fair = self.call_service(data, crafts)
        except ValidationError as exc:
            form.add_error(None, exc)
            return self.form_invalid(form)
        except DomainError as exc:
            form.add_error(exc.field, exc.message)
            return self.form_invalid(form)
        messages.success(self.request, self.success_message % {"name": self.fair.name})
        return redirect(self.fair.get_absolute_url())


class FairCreateView(StaffRequiredMixin, FairServiceFormMixin, FormView):
    def call_service(self, data, crafts):
        self.success_message = _("The fair “%(name)s” was created as a draft.")
        return services.fair_create(actor=self.request.user, craft_categories=crafts, **data)


class FairUpdateView(StaffRequiredMixin, FairServiceFormMixin, FormView):
    def dispatch(self, request, *args, **kwargs):
        self.fair = get_object_or_404(Fair, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        # The form validates a copy: the fair itself changes only inside the service.
        kwargs["instance"] = Fair.objects.get(pk=self.fair.pk)
        return kwargs

    def get_context_data(self, **kwargs):
        return super().get_context_data(fair=self.fair, **kwargs)

    def call_service(self, data, crafts):
        self.success_message = _("The fair “%(name)s” was saved.")
        return services.fair_update(fair=self.fair, actor=self.request.user, craft_categories=crafts, **data)


class FairDetailView(StaffRequiredMixin, DetailView):
    template_name = "fairs/fair_detail.html"
    context_object_name = "fair"
    queryset = Fair.objects.select_related("venue", "venue__province", "created_by")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        fair = self.object
        context["actions"] = [(verb, services.ACTION_LABELS[verb]) for verb in services.allowed_actions(fair)]
        context["crafts"] = fair.craft_categories.select_related("parent")
        context["audit"] = audit_trail(fair)[:20]
        return context


class FairTransitionView(StaffRequiredMixin, TemplateView):
    """GET asks for confirmation; POST performs the lifecycle move through the service."""

    template_name = "fairs/fair_transition.html"

    def dispatch(self, request, *args, **kwargs):
        self.fair = get_object_or_404(Fair, pk=kwargs["pk"])
        self.verb = kwargs["action"]
        if self.verb not in services.ACTIONS:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            fair=self.fair,
            verb=self.verb,
            label=services.ACTION_LABELS[self.verb],
            allowed=self.verb in services.allowed_actions(self.fair),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        try:
            services.fair_transition(
                fair=self.fair,
                to_status=services.ACTIONS[self.verb],
                actor=request.user,
                reason=request.POST.get("reason", "")[:500],
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("“%(name)s” is now: %(status)s.")
                % {"name": self.fair.name, "status": self.fair.get_status_display()},
            )
        return redirect(self.fair.get_absolute_url())


# --- Public pages (no login) ---------------------------------------------------------


class PublicHomeView(TemplateView):
    """Calls open for applications and upcoming fairs, for anyone."""

    template_name = "fairs/public_home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        now = timezone.now()
        base = Fair.objects.select_related("venue", "venue__province")
        context["calls"] = base.calls_open(now).order_by("applications_close_at")
        context["upcoming"] = (
            base.upcoming().exclude(pk__in=context["calls"].values("pk")).order_by("starts_on")
        )
        return context


class PublicFairDetailView(DetailView):
    template_name = "fairs/public_detail.html"
    context_object_name = "fair"
    slug_field = "slug"

    def get_queryset(self):
        return Fair.objects.visible_to_public().select_related("venue", "venue__province")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["crafts"] = self.object.craft_categories.select_related("parent")
        context["call_open"] = self.object.is_call_open()
        return context


class PastFairsView(ListView):
    template_name = "fairs/public_past.html"
    context_object_name = "fairs"
    paginate_by = 30

    def get_queryset(self):
        return (
            Fair.objects.filter(status=Fair.Status.CLOSED)
            .select_related("venue", "venue__province")
            .order_by("-starts_on")
        )
