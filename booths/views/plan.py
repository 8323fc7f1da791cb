"""Staff pages of the floor plan: the plan, zones, booths (grid, one by one, copy), the booth
list, and a booth's page where staff hold, assign, vacate, move and swap.

Views parse input and call booths.services; a refusal (``BoothError`` or a model
``ValidationError``) is shown on the page — under the field it names, or at the top — and
changes nothing. Every page is for delegation staff only (login for anonymous, 403 others).
"""

import math

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView, View

from booths import selectors, services
from booths.forms import (
    AssignForm,
    BoothForm,
    BoothStatusForm,
    GridForm,
    MoveForm,
    PlanCopyForm,
    SwapForm,
    VacateForm,
    ZoneForm,
)
from booths.models import Booth, Zone
from booths.plan import STATUS_COLOURS
from core.errors import DomainError
from core.permissions import StaffRequiredMixin
from fairs.models import Fair


def add_refusal(form, exc) -> None:
    """A service's refusal on the form: under the field it names, else at the top."""
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, exc.messages)
    else:
        form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))


def refusal_text(exc) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc.message)


def booth_link(booth) -> str:
    return reverse("booths:booth_detail", kwargs={"pk": booth.id})


def state_legend() -> list[dict]:
    return [
        {"key": key, "label": label, "colour": STATUS_COLOURS[key]}
        for key, label in selectors.BOOTH_STATES.items()
    ]


class FairMixin:
    """Loads the fair of the URL (``fair_pk``). Put after StaffRequiredMixin, so that only
    staff get this far (anyone else gets the login page or a 403, never a 404)."""

    def dispatch(self, request, *args, **kwargs):
        self.fair = get_object_or_404(Fair.objects.select_related("venue"), pk=kwargs["fair_pk"])
        self.load(**kwargs)
        return super().dispatch(request, *args, **kwargs)

    def load(self, **kwargs) -> None:
        """Hook: load the other objects of the URL."""

    def get_context_data(self, **kwargs):
        return super().get_context_data(fair=self.fair, **kwargs)

    def plan_url(self) -> str:
        return reverse("booths:plan", kwargs={"fair_pk": self.fair.pk})


# --- The plan ---------------------------------------------------------------------------


class PlanView(StaffRequiredMixin, FairMixin, TemplateView):
    template_name = "booths/plan/plan.html"

    def get_context_data(self, **kwargs):
        colour_by = "status" if self.request.GET.get("colour") == "status" else "zone"
        plan = selectors.plan_booths(self.fair)
        zones = list(selectors.fair_zones(self.fair))
        empty = not plan and not zones
        planning = self.fair.status in services.PLANNING_STATUSES
        sources = list(selectors.earlier_plans(self.fair)) if empty and planning else []
        return super().get_context_data(
            colour_by=colour_by,
            svg=selectors.plan_svg(
                plan,
                colour_by=colour_by,
                link=booth_link,
                title=_("Floor plan of %(fair)s") % {"fair": self.fair.display_name},
            ),
            counts=selectors.plan_counts(plan),
            zones=zones,
            states=state_legend(),
            planning=planning,
            has_unzoned=any(b.zone_colour == "#ffffff" for b in plan),
            copy_form=PlanCopyForm(sources=selectors.earlier_plans(self.fair)) if sources else None,
            **kwargs,
        )


class PlanCopyView(StaffRequiredMixin, FairMixin, View):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        form = PlanCopyForm(request.POST, sources=selectors.earlier_plans(self.fair))
        if not form.is_valid():
            messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
            return redirect(self.plan_url())
        source = form.cleaned_data["source"]
        try:
            count = services.plan_copy(source=source, target=self.fair, actor=request.user)
        except (DomainError, ValidationError) as exc:
            messages.error(request, refusal_text(exc))
        else:
            messages.success(
                request,
                _("%(count)s booths copied from “%(fair)s”.") % {"count": count, "fair": source.display_name},
            )
        return redirect(self.plan_url())


# --- Zones ------------------------------------------------------------------------------


class ZoneFormView(StaffRequiredMixin, FairMixin, FormView):
    form_class = ZoneForm
    template_name = "booths/plan/zone_form.html"
    zone = None

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        # The form validates a copy; the zone itself changes only inside the service.
        kwargs["instance"] = Zone.objects.get(pk=self.zone.pk) if self.zone else Zone(fair=self.fair)
        return kwargs

    def get_context_data(self, **kwargs):
        return super().get_context_data(zone=self.zone, **kwargs)

    def form_valid(self, form):
        data = {name: form.cleaned_data[name] for name in ("name", "name_ar", "colour")}
        try:
            zone = services.zone_save(
                fair=self.fair,
                actor=self.request.user,
                zone=self.zone,
                crafts=form.cleaned_data["crafts"],
                **data,
            )
        except (DomainError, ValidationError) as exc:
            add_refusal(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Zone “%(name)s” saved.") % {"name": zone.name})
        return redirect(self.plan_url())


class ZoneCreateView(ZoneFormView):
    pass


class ZoneUpdateView(ZoneFormView):
    def load(self, **kwargs):
        self.zone = get_object_or_404(Zone, pk=kwargs["pk"], fair=self.fair)


# --- Booths: a grid, one booth ------------------------------------------------------------


def _next_prefix(codes: list[str]) -> str:
    used = {code[:1].upper() for code in codes}
    return next((letter for letter in "ABCDEFGHIJKLMNOPQRSTUVWXYZ" if letter not in used), "")


class BoothGridView(StaffRequiredMixin, FairMixin, FormView):
    form_class = GridForm
    template_name = "booths/plan/booth_grid.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "fair": self.fair}

    def get_initial(self):
        # Suggest a free letter and a place below what is on the plan already.
        booths = list(Booth.objects.filter(fair=self.fair).values_list("code", "y", "depth"))
        initial = {"prefix": _next_prefix([code for code, _y, _d in booths])}
        if booths:
            initial["y"] = math.ceil(max(y + depth for _c, y, depth in booths)) + 2
        zone = self.request.GET.get("zone")
        if zone and zone.isdigit():
            initial["zone"] = int(zone)
        return initial

    def form_valid(self, form):
        try:
            booths = services.booths_create_grid(
                fair=self.fair,
                zone=form.cleaned_data["zone"],
                grid=services.GridSpec(**form.grid_kwargs()),
                actor=self.request.user,
            )
        except (DomainError, ValidationError) as exc:
            add_refusal(form, exc)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("%(count)s booths added, %(first)s to %(last)s.")
            % {"count": len(booths), "first": booths[0].code, "last": booths[-1].code},
        )
        return redirect(self.plan_url())


class BoothCreateView(StaffRequiredMixin, FairMixin, FormView):
    form_class = BoothForm
    template_name = "booths/plan/booth_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "fair": self.fair}

    def form_valid(self, form):
        fields = {name: form.cleaned_data[name] for name in BoothForm.Meta.fields}
        try:
            booth = services.booth_create(fair=self.fair, actor=self.request.user, **fields)
        except (DomainError, ValidationError) as exc:
            add_refusal(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Booth %(code)s added.") % {"code": booth.code})
        return redirect(booth_link(booth))


# --- The booth list -----------------------------------------------------------------------


class BoothListView(StaffRequiredMixin, FairMixin, TemplateView):
    template_name = "booths/plan/booth_list.html"

    def get_context_data(self, **kwargs):
        state = self.request.GET.get("status", "")
        if state not in selectors.STATE_FILTERS:
            state = ""
        zones = list(Zone.objects.filter(fair=self.fair).order_by("position", "name"))
        zone = next((z for z in zones if str(z.pk) == self.request.GET.get("zone", "")), None)
        booths = list(selectors.fair_booths(self.fair, state=state, zone=zone))
        rows = [
            {
                "booth": booth,
                "state": selectors.booth_state(booth),
                "assignment": selectors.assignment_of(booth),
            }
            for booth in booths
        ]
        return super().get_context_data(
            rows=rows,
            zones=zones,
            zone=zone,
            state=state,
            state_filters=selectors.STATE_FILTERS,
            states=selectors.BOOTH_STATES,
            **kwargs,
        )


# --- A booth ------------------------------------------------------------------------------


class BoothMixin:
    """Loads the booth of the URL; after StaffRequiredMixin, like FairMixin."""

    def dispatch(self, request, *args, **kwargs):
        self.booth = get_object_or_404(
            Booth.objects.select_related(
                "fair",
                "zone",
                "assignment",
                "assignment__application",
                "assignment__application__artisan",
                "assignment__application__artisan__main_craft",
                "assignment__created_by",
            ),
            pk=kwargs["pk"],
        )
        self.fair = self.booth.fair
        return super().dispatch(request, *args, **kwargs)


class BoothDetailView(StaffRequiredMixin, BoothMixin, TemplateView):
    """The booth, its exhibitor and every action staff may take on it."""

    template_name = "booths/plan/booth_detail.html"
    forms = {
        "status": BoothStatusForm,
        "assign": AssignForm,
        "vacate": VacateForm,
        "move": MoveForm,
        "swap": SwapForm,
    }

    def build_forms(self, bound: str | None = None, data=None) -> dict:
        """Every action form; ``bound`` is the one the POST filled in."""
        booths = list(selectors.fair_booths(self.fair))
        self.plan_cells = booths
        others = [b for b in booths if b.pk != self.booth.pk]
        free = [
            b for b in others if b.status == Booth.Status.AVAILABLE and selectors.assignment_of(b) is None
        ]
        taken = [b for b in others if selectors.assignment_of(b) is not None]
        options = {
            "status": {"initial": {"status": self.booth.status, "reason": self.booth.status_reason}},
            "assign": {"applications": list(selectors.applications_without_booth(self.fair))},
            "vacate": {},
            "move": {"booths": free},
            "swap": {"booths": taken},
        }
        built = {}
        for name, form_class in self.forms.items():
            kwargs = dict(options[name])
            if name == bound:
                kwargs["data"] = data
            built[name] = form_class(prefix=name, **kwargs)
        return built

    def get_context_data(self, forms=None, **kwargs):
        if forms is None:
            forms = self.build_forms()
        assignment = selectors.assignment_of(self.booth)
        return super().get_context_data(
            booth=self.booth,
            fair=self.fair,
            state=selectors.booth_state(self.booth),
            states=selectors.BOOTH_STATES,
            assignment=assignment,
            explanation=selectors.explain(assignment.explanation) if assignment else [],
            forms=forms,
            planning=self.fair.status in services.PLANNING_STATUSES,
            assigning=self.fair.status in services.ASSIGNING_STATUSES,
            svg=selectors.plan_svg(
                selectors.to_plan(self.plan_cells),
                colour_by="status",
                highlight=self.booth.pk,
                link=booth_link,
                title=_("Floor plan of %(fair)s") % {"fair": self.fair.display_name},
            ),
            **kwargs,
        )


class BoothActionView(BoothDetailView):
    """POST of one action form. Success: a message and back to the booth page. A refusal:
    the booth page again with the form's errors and the service's words; nothing changed."""

    http_method_names = ["post"]
    action = ""

    def post(self, request, *args, **kwargs):
        forms = self.build_forms(bound=self.action, data=request.POST)
        form = forms[self.action]
        if form.is_valid():
            try:
                message = self.perform(form.cleaned_data)
            except (DomainError, ValidationError) as exc:
                add_refusal(form, exc)
                messages.error(request, refusal_text(exc))
            else:
                messages.success(request, message)
                return redirect(booth_link(self.booth))
        return self.render_to_response(self.get_context_data(forms=forms, failed=self.action), status=200)

    def perform(self, data) -> str:
        user, booth = self.request.user, self.booth
        if self.action == "status":
            booth = services.booth_set_status(
                booth=booth, status=data["status"], reason=data["reason"], actor=user
            )
            return _("Booth %(code)s is now %(status)s.") % {
                "code": booth.code,
                "status": booth.get_status_display(),
            }
        if self.action == "assign":
            application = data["application"]
            services.booth_assign(booth=booth, application=application, actor=user, lock=data["lock"])
            return _("Booth %(code)s given to %(name)s.") % {"code": booth.code, "name": application.artisan}
        if self.action == "vacate":
            assignment = selectors.assignment_of(booth)
            services.booth_vacate(booth=booth, actor=user, reason=data["reason"])
            name = assignment.application.artisan if assignment else ""
            return _("Booth %(code)s is free; %(name)s has no booth now.") % {
                "code": booth.code,
                "name": name,
            }
        if self.action == "move":
            assignment = selectors.assignment_of(booth)
            if assignment is None:
                raise services.BoothError(
                    code="booth_empty",
                    message=_("Booth %(code)s is free: nobody to move.") % {"code": booth.code},
                )
            to_booth = data["to_booth"]
            services.booth_move(application=assignment.application, to_booth=to_booth, actor=user)
            self.booth = to_booth
            return _("%(name)s moved from %(from)s to %(to)s.") % {
                "name": assignment.application.artisan,
                "from": booth.code,
                "to": to_booth.code,
            }
        if self.action == "swap":
            other = data["other"]
            services.booths_swap(first=booth, second=other, actor=user)
            return _("Booths %(first)s and %(second)s swapped their exhibitors.") % {
                "first": booth.code,
                "second": other.code,
            }
        raise ValueError(self.action)


urlpatterns = [
    path("staff/fairs/<int:fair_pk>/plan/", PlanView.as_view(), name="plan"),
    path("staff/fairs/<int:fair_pk>/plan/copy/", PlanCopyView.as_view(), name="plan_copy"),
    path("staff/fairs/<int:fair_pk>/zones/new/", ZoneCreateView.as_view(), name="zone_create"),
    path("staff/fairs/<int:fair_pk>/zones/<int:pk>/edit/", ZoneUpdateView.as_view(), name="zone_update"),
    path("staff/fairs/<int:fair_pk>/booths/", BoothListView.as_view(), name="booth_list"),
    path("staff/fairs/<int:fair_pk>/booths/grid/", BoothGridView.as_view(), name="booths_grid"),
    path("staff/fairs/<int:fair_pk>/booths/new/", BoothCreateView.as_view(), name="booth_create"),
    path("staff/booths/<int:pk>/", BoothDetailView.as_view(), name="booth_detail"),
    *[
        path(
            f"staff/booths/<int:pk>/{action}/", BoothActionView.as_view(action=action), name=f"booth_{action}"
        )
        for action in ("status", "assign", "vacate", "move", "swap")
    ],
]
