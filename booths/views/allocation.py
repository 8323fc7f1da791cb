"""Pages: the allocation of a fair's booths (staff), and the printable plan and booth list.

Staff open the allocation page, pick or keep a seed, *preview* (a dry run: the plan with the
engine's placements, its figures, who would be left out and why) and *commit* the same seed,
which writes exactly the previewed placements (same data and seed, same result). Locked
manual assignments are kept by both. Every refusal comes back as a message; nothing is
written by a preview.
"""

from dataclasses import asdict

from django import forms
from django.contrib import messages
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect
from django.urls import NoReverseMatch, path, reverse
from django.utils import formats
from django.utils.functional import cached_property
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from booths import allocation, selectors
from booths.models import AllocationRun, Assignment, Booth, Zone
from booths.plan import STATUS_COLOURS, PlanBooth, render_svg
from booths.services import ASSIGNING_STATUSES
from core.errors import DomainError
from core.pdf import pdf_response
from core.permissions import StaffRequiredMixin
from fairs.models import Fair
from registrations.models import Application

# The figures of an allocation, in the order they are shown: (key, label, kind, help).
METRICS = (
    ("placed", gettext_lazy("Placed"), "count", ""),
    ("unplaced", gettext_lazy("Left without a booth"), "count", ""),
    (
        "preferred_zone_share",
        gettext_lazy("In the zone they asked for"),
        "share",
        gettext_lazy("Of the placed exhibitors who named a zone."),
    ),
    (
        "mean_tier_first_timers",
        gettext_lazy("Mean tier, first-timers"),
        "tier",
        gettext_lazy("1 = busiest, 3 = low traffic."),
    ),
    (
        "mean_tier_returning",
        gettext_lazy("Mean tier, returning artisans"),
        "tier",
        gettext_lazy("1 = busiest, 3 = low traffic."),
    ),
    (
        "mean_tier_after_low_tier",
        gettext_lazy("Mean tier, after a low-traffic booth last time"),
        "tier",
        gettext_lazy("Rotation: lower is better for them."),
    ),
    (
        "near_cooperative_share",
        gettext_lazy("Near their cooperative"),
        "share",
        gettext_lazy("Of the members who asked to be near each other."),
    ),
    ("hard_violations", gettext_lazy("Broken rules"), "count", gettext_lazy("Must be 0.")),
)


def metric_rows(metrics: dict) -> list[dict]:
    """The figures of a preview or a committed run, formatted for a table."""
    rows = []
    for key, label, kind, help_text in METRICS:
        value = metrics.get(key)
        if value is None:
            text = "—"
        elif kind == "share":
            text = formats.number_format(100 * value, 0) + " %"
        elif kind == "tier":
            text = formats.number_format(value, 2)
        else:
            text = formats.number_format(value)
        rows.append({"key": key, "label": label, "value": text, "help": help_text, "raw": value})
    return rows


def plan_url(fair: Fair) -> str | None:
    """The staff plan page of the fair, when the plan pages are installed."""
    try:
        return reverse("booths:plan", args=[fair.pk])
    except NoReverseMatch:
        return None


# --- The previewed plan ------------------------------------------------------------------


def preview_plan(fair: Fair, result, applications: dict[int, Application]) -> list[PlanBooth]:
    """The plan as it would be after committing ``result``: the locked assignments stay, the
    previewed placements are taken, the other booths are free (or held / blocked)."""
    placed = {p.booth_id: p.application_id for p in result.assignments}
    booths = []
    for booth in selectors.fair_booths(fair):
        current = selectors.assignment_of(booth)
        label = ""
        if booth.status != Booth.Status.AVAILABLE:
            state = booth.status
            label = booth.status_reason
        elif current is not None and current.locked:
            state, label = "locked", current.application.artisan.display_name
        elif booth.pk in placed:
            state = "taken"
            application = applications.get(placed[booth.pk])
            label = application.artisan.display_name if application else ""
        else:
            state = "free"
        booths.append(
            PlanBooth(
                id=booth.pk,
                code=booth.code,
                x=booth.x,
                y=booth.y,
                width=booth.width,
                depth=booth.depth,
                zone_colour=booth.zone.colour if booth.zone else "#dddddd",
                state=state,
                label=label,
            )
        )
    return booths


# --- Forms ---------------------------------------------------------------------------------


class SeedForm(forms.Form):
    seed = forms.CharField(
        label=gettext_lazy("Seed"),
        max_length=40,
        help_text=gettext_lazy(
            "The lottery that breaks ties. The same seed on the same data gives the same "
            "allocation: note it to reproduce a run."
        ),
        widget=forms.TextInput(attrs={"dir": "ltr", "autocomplete": "off", "spellcheck": "false"}),
    )

    def clean_seed(self):
        seed = self.cleaned_data["seed"].strip()
        if not seed:
            raise forms.ValidationError(_("Give a seed (any short word or number)."))
        return seed


# --- Views ---------------------------------------------------------------------------------


class FairAllocationMixin(StaffRequiredMixin):
    """Staff only; the fair comes from the URL (fetched after the permission check)."""

    @cached_property
    def fair(self) -> Fair:
        return get_object_or_404(Fair.objects.select_related("venue"), pk=self.kwargs["fair_pk"])

    def overview_url(self) -> str:
        return reverse("booths:allocation", args=[self.fair.pk])


class AllocationView(FairAllocationMixin, TemplateView):
    """Where a fair's allocation stands, and the seed form that leads to a preview."""

    template_name = "booths/allocation/overview.html"

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        fair = self.fair
        booth_counts = Booth.objects.filter(fair=fair).aggregate(
            total=Count("pk"),
            available=Count("pk", filter=Q(status=Booth.Status.AVAILABLE)),
            held=Count("pk", filter=Q(status=Booth.Status.HELD)),
            blocked=Count("pk", filter=Q(status=Booth.Status.BLOCKED)),
            locked=Count("pk", filter=Q(assignment__locked=True)),
            assigned=Count("assignment"),
        )
        locked = (
            Assignment.objects.filter(fair=fair, locked=True)
            .select_related("booth", "application__artisan")
            .order_by("booth__code")
        )
        run = AllocationRun.objects.filter(fair=fair).select_related("created_by").first()
        context.update(
            fair=fair,
            form=form or SeedForm(initial={"seed": allocation.random_seed()}),
            allocating=fair.status in ASSIGNING_STATUSES,
            confirmed=Application.objects.filter(fair=fair, status=Application.Status.CONFIRMED).count(),
            booths=booth_counts,
            engine_booths=booth_counts["available"] - booth_counts["locked"],
            locked=locked,
            run=run,
            run_metrics=metric_rows(run.metrics) if run else [],
            run_unplaced=self._run_unplaced(run) if run else [],
            plan_url=plan_url(fair),
        )
        return context

    def _run_unplaced(self, run: AllocationRun) -> list[dict]:
        ids = [application_id for application_id, _reason in run.unplaced]
        applications = Application.objects.filter(fair=self.fair, pk__in=ids).select_related(
            "artisan", "artisan__main_craft"
        )
        by_id = {a.pk: a for a in applications}
        return [
            {
                "application": by_id.get(application_id),
                "id": application_id,
                "reason": allocation.unplaced_reason(code),
            }
            for application_id, code in run.unplaced
        ]


class AllocationPreviewView(AllocationView):
    """A dry run for one seed (GET ``?seed=`` or POST): the plan, the figures, the
    placements and who is left out, with a button that commits this very seed."""

    template_name = "booths/allocation/preview.html"

    def get(self, request, *args, **kwargs):
        return self._preview(request.GET)

    def post(self, request, *args, **kwargs):
        return self._preview(request.POST)

    def _preview(self, data):
        form = SeedForm(data)
        if not form.is_valid():  # back to the overview, with the error under the field
            self.template_name = AllocationView.template_name
            return self.render_to_response(self.get_context_data(form=form))
        try:
            allocation.check_fair_allocating(self.fair)
        except DomainError as exc:
            messages.error(self.request, exc.message)
            return redirect(self.overview_url())
        seed = form.cleaned_data["seed"]
        result = allocation.allocation_preview(fair=self.fair, seed=seed)
        applications = {
            a.pk: a
            for a in Application.objects.filter(fair=self.fair, status=Application.Status.CONFIRMED)
            .select_related("artisan", "artisan__main_craft")
        }  # fmt: skip
        booths = preview_plan(self.fair, result, applications)
        codes = {b.id: b.code for b in booths}
        colour_by = "status" if data.get("colour") == "status" else "zone"
        placements = sorted(
            (
                {
                    "booth": codes.get(p.booth_id, "?"),
                    "application": applications.get(p.application_id),
                    "id": p.application_id,
                    "why": selectors.explain(p.explanation),
                }
                for p in result.assignments
            ),
            key=lambda row: row["booth"],
        )
        unplaced = [
            {"application": applications.get(u.application_id), "id": u.application_id, "reason": allocation.unplaced_reason(u.reason)}
            for u in result.unplaced
        ]  # fmt: skip
        svg = render_svg(booths, colour_by=colour_by, title=_("Floor plan (preview)"))
        context = {
            "view": self,
            "fair": self.fair,
            "seed": seed,
            "colour_by": colour_by,
            "svg": mark_safe(svg),  # noqa: S308 - render_svg escapes the text it draws
            "zones": Zone.objects.filter(fair=self.fair).order_by("position", "name"),
            "status_legend": [(STATUS_COLOURS[key], label) for key, label in status_labels()],
            "metrics": metric_rows(asdict(result.metrics)),
            "placements": placements,
            "unplaced": unplaced,
            "locked_count": sum(1 for b in booths if b.state == "locked"),
        }
        return self.render_to_response(context)


def status_labels():
    return [
        ("free", _("free")),
        ("taken", _("placed by this run")),
        ("locked", _("locked, by hand")),
        ("held", _("held")),
        ("blocked", _("blocked")),
    ]


class AllocationCommitView(FairAllocationMixin, View):
    """POST the previewed seed: the service replaces every unlocked assignment by the
    engine's placements for that seed and records the run."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        form = SeedForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Seed: %(error)s") % {"error": " ".join(form.errors["seed"])})
            return redirect(self.overview_url())
        try:
            run = allocation.allocation_commit(
                fair=self.fair, seed=form.cleaned_data["seed"], actor=request.user
            )
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect(self.overview_url())
        messages.success(
            request,
            _(
                "Allocation committed with seed “%(seed)s”: %(placed)s placed, "
                "%(unplaced)s left without a booth."
            )
            % {"seed": run.seed, "placed": run.placed, "unplaced": len(run.unplaced)},
        )
        return redirect(plan_url(self.fair) or self.overview_url())


# --- PDFs ----------------------------------------------------------------------------------


class FairPdfView(FairAllocationMixin, View):
    filename = "plan"

    def get(self, request, *args, **kwargs):
        from booths import pdf

        rtl = (get_language() or "")[:2] == "ar"
        data = self.render(pdf, pdf.print_booths(self.fair), rtl=rtl)
        return pdf_response(data, f"{self.filename}-{self.fair.slug}.pdf")


class PlanPdfView(FairPdfView):
    filename = "plan"

    def render(self, pdf, booths, *, rtl):
        zones = list(Zone.objects.filter(fair=self.fair).order_by("position", "name"))
        return pdf.render_plan(self.fair, booths, zones, rtl=rtl)


class BoothListPdfView(FairPdfView):
    filename = "booths"

    def render(self, pdf, booths, *, rtl):
        return pdf.render_booth_list(self.fair, booths, rtl=rtl)


urlpatterns = [
    path("staff/fairs/<int:fair_pk>/allocation/", AllocationView.as_view(), name="allocation"),
    path(
        "staff/fairs/<int:fair_pk>/allocation/preview/",
        AllocationPreviewView.as_view(),
        name="allocation_preview",
    ),
    path(
        "staff/fairs/<int:fair_pk>/allocation/commit/",
        AllocationCommitView.as_view(),
        name="allocation_commit",
    ),
    path("staff/fairs/<int:fair_pk>/plan.pdf", PlanPdfView.as_view(), name="plan_pdf"),
    path("staff/fairs/<int:fair_pk>/booths.pdf", BoothListPdfView.as_view(), name="booth_list_pdf"),
]
