"""Staff pages of badges and scanner devices, and the artisan's own badge PDF.

A fair's badges: the list (filters, search, counts by kind, the badge format), issuing the
missing exhibitor badges (behind a confirmation page), a badge by hand, an import from CSV,
and every badge in one PDF (cards or A4 sheets), drawn in the background with its progress
shown (``badges.printing``). One badge: who, validity, status, its scans,
its PDF, revoke and reissue. Scanner devices: the list, a new device (its token shown once,
with a pairing link and its QR code) and revoking one.

Views parse input and call badges.services; a refusal (``DomainError``) is shown under the
field it names, at the top of the form, or as a flash message, and changes nothing. Staff
pages are for delegation staff only (login for anonymous users, 403 for the others); the
artisan's PDF is for the owner of the application only (404 for anyone else).
"""

import csv
import io

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import NoReverseMatch, path, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.generic import FormView, TemplateView, View

from badges import imports, printing, services
from badges.forms import BadgeForm, BadgeImportForm, CardFormatForm, DeviceForm, ReasonForm
from badges.models import (
    KIND_COLOURS,
    Badge,
    BadgeKind,
    BadgePrint,
    BadgeSetup,
    CardFormat,
    CheckIn,
    ScannerDevice,
)
from core.errors import DomainError
from core.pdf import pdf_response as core_pdf_response
from core.permissions import StaffRequiredMixin
from fairs.models import Fair
from registrations.models import Application, ApplicationStatus

PAGE_SIZE = 50
HISTORY_SHOWN = 200
# The artisan downloads their badge once the booths are published, and while the fair runs.
ARTISAN_DOWNLOAD_STATUSES = (Fair.Status.PUBLISHED, Fair.Status.RUNNING)
STATES = {"valid": Q(revoked_at__isnull=True), "revoked": Q(revoked_at__isnull=False)}


def add_refusal(form, exc: DomainError) -> None:
    """A service's refusal on the form: under the field it names, else at the top."""
    form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))


def badge_url(badge: Badge) -> str:
    return reverse("badges:badge_detail", kwargs={"serial": badge.serial})


def list_url(fair: Fair) -> str:
    return reverse("badges:badge_list", kwargs={"fair_pk": fair.pk})


def scanner_path() -> str:
    """The scanner page (another area's URL; its path is fixed by the contract)."""
    try:
        return reverse("badges:scanner")
    except NoReverseMatch:
        return "/scan/"


def pdf_response(badges, *, layout: str, filename: str) -> HttpResponse:
    """``badges`` (a queryset) as one PDF; revoked ones are left out by the renderer, which
    raises ``BadgeError("nothing_to_print")`` when none is left."""
    from badges.pdf import badges_pdf

    return core_pdf_response(badges_pdf(badges, layout=layout), filename)


def missing_exhibitors(fair: Fair) -> int:
    """Confirmed exhibitors of ``fair`` without a valid badge (what "issue missing" would issue)."""
    return (
        Application.objects.filter(fair=fair, status=ApplicationStatus.CONFIRMED)
        .exclude(
            pk__in=Badge.objects.filter(fair=fair, revoked_at__isnull=True, application__isnull=False).values(
                "application_id"
            )
        )
        .count()
    )


# What each CSV column holds, for the help on the import page.
COLUMN_HELP = {
    "kind": gettext_lazy("staff, press, visitor or vip (in English, French or Arabic)"),
    "name": gettext_lazy("full name in Latin script"),
    "name_ar": gettext_lazy("full name in Arabic script"),
    "organisation": gettext_lazy("newspaper, company, administration…"),
    "role_label": gettext_lazy("printed under the name, e.g. photographer, jury"),
    "email": gettext_lazy("email address"),
    "valid_from": gettext_lazy("first valid day, 2025-05-14 or 14/05/2025; empty: the fair's first day"),
    "valid_until": gettext_lazy("last valid day; empty: the fair's last day"),
}


class FairMixin:
    """Loads the fair of the URL (``fair_pk``); after StaffRequiredMixin, so that only staff
    get this far (anyone else gets the login page or a 403, never a 404)."""

    def dispatch(self, request, *args, **kwargs):
        self.fair = get_object_or_404(Fair.objects.select_related("badge_setup"), pk=kwargs["fair_pk"])
        return super().dispatch(request, *args, **kwargs)

    @property
    def issuing(self) -> bool:
        return self.fair.status in services.ISSUING_STATUSES

    def get_context_data(self, **kwargs):
        return super().get_context_data(fair=self.fair, issuing=self.issuing, **kwargs)


def card_format_of(fair: Fair) -> str:
    try:
        return fair.badge_setup.card_format
    except BadgeSetup.DoesNotExist:
        return CardFormat.CR80


# --- A fair's badges ------------------------------------------------------------------------


class BadgeListView(StaffRequiredMixin, FairMixin, TemplateView):
    template_name = "badges/staff/badge_list.html"

    def get_context_data(self, **kwargs):
        params = self.request.GET
        kind = params.get("kind", "")
        kind = kind if kind in BadgeKind.values else ""
        state = params.get("state", "")
        state = state if state in STATES else ""
        search = params.get("q", "").strip()[:80]
        badges = Badge.objects.filter(fair=self.fair)
        if kind:
            badges = badges.filter(kind=kind)
        if state:
            badges = badges.filter(STATES[state])
        if search:
            badges = badges.filter(
                Q(name__icontains=search)
                | Q(name_ar__icontains=search)
                | Q(organisation__icontains=search)
                | Q(serial__iexact=search.upper())
            )
        page = Paginator(badges.order_by("kind", "name", "pk"), PAGE_SIZE).get_page(params.get("page"))
        totals = {
            row["kind"]: row
            for row in Badge.objects.filter(fair=self.fair)
            .values("kind")
            .annotate(total=Count("pk"), valid=Count("pk", filter=Q(revoked_at__isnull=True)))
        }
        counts = [
            {
                "kind": value,
                "label": label,
                "colour": KIND_COLOURS[value],
                "valid": totals.get(value, {}).get("valid", 0),
                "revoked": totals.get(value, {}).get("total", 0) - totals.get(value, {}).get("valid", 0),
            }
            for value, label in BadgeKind.choices
        ]
        query = {"kind": kind, "state": state, "q": search}
        return super().get_context_data(
            page_obj=page,
            badges=page.object_list,
            is_paginated=page.has_other_pages(),
            query=urlencode({key: value for key, value in query.items() if value}),
            kind=kind,
            kind_label=dict(BadgeKind.choices).get(kind, ""),
            state=state,
            search=search,
            kinds=BadgeKind.choices,
            counts=counts,
            valid_total=sum(c["valid"] for c in counts),
            missing=missing_exhibitors(self.fair) if self.issuing else 0,
            format_form=CardFormatForm(initial={"card_format": card_format_of(self.fair)}),
            **kwargs,
        )


class BadgesIssueView(StaffRequiredMixin, FairMixin, TemplateView):
    """GET: how many badges would be issued, and a button. POST: issue them."""

    template_name = "badges/staff/badges_issue.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(missing=missing_exhibitors(self.fair), **kwargs)

    def post(self, request, *args, **kwargs):
        try:
            issued = services.badges_issue_for_fair(fair=self.fair, actor=request.user)
        except DomainError as exc:
            messages.error(request, str(exc.message))
            return redirect(list_url(self.fair))
        if issued:
            messages.success(
                request,
                ngettext(
                    "%(count)s exhibitor badge issued.", "%(count)s exhibitor badges issued.", len(issued)
                )
                % {"count": len(issued)},
            )
        else:
            messages.info(request, _("Every confirmed exhibitor already has a badge: nothing was issued."))
        return redirect(list_url(self.fair))


class BadgeCreateView(StaffRequiredMixin, FairMixin, FormView):
    template_name = "badges/staff/badge_form.html"
    form_class = BadgeForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "fair": self.fair}

    def form_valid(self, form):
        try:
            badge = services.badge_create(fair=self.fair, actor=self.request.user, **form.service_kwargs())
        except DomainError as exc:
            add_refusal(form, exc)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Badge %(serial)s issued to %(name)s.") % {"serial": badge.serial, "name": badge.name},
        )
        return redirect(badge_url(badge))


class BadgeImportView(StaffRequiredMixin, FairMixin, FormView):
    """Upload a CSV: every row is checked, and all are imported or none.

    With "check only", or when a row is wrong, nothing is written and the page lists every
    problem by row and column (or, for a good file, the badges it would make)."""

    template_name = "badges/staff/badge_import.html"
    form_class = BadgeImportForm
    PREVIEW_ROWS = 200

    def get_context_data(self, **kwargs):
        columns = [
            {"name": aliases[0], "aliases": aliases[1:], "required": column in imports.REQUIRED_COLUMNS,
             "help": COLUMN_HELP[column]}
            for column, aliases in imports.COLUMNS.items()
        ]  # fmt: skip
        return super().get_context_data(columns=columns, max_rows=imports.MAX_ROWS, **kwargs)

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        dry_run = form.cleaned_data["dry_run"]
        try:
            parsed = imports.parse_badge_csv(upload.read(imports.MAX_BYTES + 1))
            if dry_run or parsed.problems:
                problems = imports.import_problems(fair=self.fair, parsed=parsed, actor=self.request.user)
            else:
                problems = []
                try:
                    badges = services.badges_import(fair=self.fair, rows=parsed.rows, actor=self.request.user)
                except services.BadgeImportError as exc:
                    problems = imports.all_problems(parsed, exc.problems)
        except DomainError as exc:
            add_refusal(form, exc)
            return self.form_invalid(form)
        if not problems and not dry_run:
            messages.success(
                self.request,
                ngettext(
                    "%(count)s badge imported from “%(file)s”.",
                    "%(count)s badges imported from “%(file)s”.",
                    len(badges),
                )
                % {"count": len(badges), "file": upload.name},
            )
            return redirect(list_url(self.fair))
        report = {
            "filename": upload.name,
            "rows": len(parsed.rows),
            "dry_run": dry_run,
            "problems": [
                {"row": p.row, "column": parsed.column(p.field) if p.field else "", "message": p.message}
                for p in problems
            ],
            "preview": [] if problems else self._preview(parsed.rows[: self.PREVIEW_ROWS]),
        }
        return self.render_to_response(
            self.get_context_data(form=self.form_class(initial={"dry_run": dry_run}), report=report)
        )

    def _preview(self, rows):
        labels = dict(BadgeKind.choices)
        return [
            {
                "row": number,
                "kind": labels.get(fields["kind"], fields["kind"]),
                "name": fields["name"],
                "name_ar": fields["name_ar"],
                "organisation": fields["organisation"],
                "role": fields["role_label"],
                "valid_from": fields["valid_from"] or self.fair.starts_on,
                "valid_until": fields["valid_until"] or self.fair.ends_on,
            }
            for number, fields in rows
        ]


class BadgeImportSampleView(StaffRequiredMixin, FairMixin, View):
    """A CSV with the header and example rows dated for this fair (UTF-8 with a BOM for Excel)."""

    def get(self, request, *args, **kwargs):
        start, end = self.fair.starts_on.isoformat(), self.fair.ends_on.isoformat()
        out = io.StringIO()
        out.write("\ufeff")
        writer = csv.writer(out)
        writer.writerow(imports.SAMPLE_HEADER)
        writer.writerows(
            [
                ["press", "Salma Idrissi", "سلمى الإدريسي", "2M", "photographer", "salma@example.ma", start, end],
                ["vip", "Karim Benjelloun", "كريم بنجلون", "Wilaya Casablanca-Settat", "guest of honour", "", start, start],
                ["staff", "Nadia Tazi", "نادية التازي", "Délégation", "reception", "", "", ""],
                ["visitor", "Omar Alaoui", "", "Lycée Ibn Toumert", "school group", "", "", ""],
            ]
        )  # fmt: skip
        response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="souk-badges-sample.csv"'
        return response


class CardFormatView(StaffRequiredMixin, FairMixin, View):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        form = CardFormatForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose a badge format."))
            return redirect(list_url(self.fair))
        try:
            setup = services.badge_setup_update(
                fair=self.fair, card_format=form.cleaned_data["card_format"], actor=request.user
            )
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(
                request, _("Badges are printed as %(format)s.") % {"format": setup.get_card_format_display()}
            )
        return redirect(list_url(self.fair))


class BadgePrintStartView(StaffRequiredMixin, FairMixin, View):
    """POST: start drawing the fair's valid badges (of one ``kind``) as one PDF, then watch it."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        try:
            job = printing.badge_print_start(
                fair=self.fair, layout=request.POST.get("layout", ""), kind=request.POST.get("kind", ""),
                actor=request.user,
            )  # fmt: skip
        except DomainError as exc:
            messages.error(request, str(exc.message))
            return redirect(list_url(self.fair))
        return redirect("badges:badge_print", pk=job.pk)


class BadgePrintMixin:
    def dispatch(self, request, *args, **kwargs):
        self.job = get_object_or_404(BadgePrint.objects.select_related("fair"), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)


class BadgePrintView(StaffRequiredMixin, BadgePrintMixin, TemplateView):
    """A print's progress ("412 of 2,000 badges"), refreshing itself every two seconds while
    it is drawn (no script needed), then the download."""

    template_name = "badges/staff/badge_print.html"
    REFRESH_SECONDS = 2

    def get_context_data(self, **kwargs):
        job = self.job
        stalled = printing.is_stalled(job)
        drawing = job.status in (BadgePrint.Status.WAITING, BadgePrint.Status.DRAWING) and not stalled
        return super().get_context_data(
            job=job, fair=job.fair, stalled=stalled, drawing=drawing, refresh=self.REFRESH_SECONDS,
            kind_label=BadgeKind(job.kind).label if job.kind else "", **kwargs,
        )  # fmt: skip


class BadgePrintDownloadView(StaffRequiredMixin, BadgePrintMixin, View):
    def get(self, request, *args, **kwargs):
        path = printing.print_path(self.job)
        if self.job.status != BadgePrint.Status.READY or not path.exists():
            raise Http404(_("This PDF is not ready, or no longer kept."))
        return FileResponse(
            path.open("rb"), as_attachment=True, filename=printing.print_filename(self.job),
            content_type="application/pdf",
        )  # fmt: skip


# --- One badge --------------------------------------------------------------------------------


class BadgeMixin:
    """Loads the badge of the URL (``serial``); after StaffRequiredMixin, like FairMixin."""

    def dispatch(self, request, *args, **kwargs):
        self.badge = get_object_or_404(
            Badge.objects.select_related(
                "fair", "application__artisan", "issued_by", "revoked_by", "replaced_by"
            ),
            serial=kwargs["serial"].upper(),
        )
        self.fair = self.badge.fair
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            badge=self.badge,
            fair=self.fair,
            issuing=self.fair.status in services.ISSUING_STATUSES,
            **kwargs,
        )


class BadgeDetailView(StaffRequiredMixin, BadgeMixin, TemplateView):
    template_name = "badges/staff/badge_detail.html"

    def get_context_data(self, **kwargs):
        scans = list(
            CheckIn.objects.filter(badge=self.badge)
            .select_related("device", "scanner")
            .order_by("-scanned_at")[: HISTORY_SHOWN + 1]
        )
        return super().get_context_data(
            replaces=Badge.objects.filter(replaced_by=self.badge).only("serial", "name").first(),
            scans=scans[:HISTORY_SHOWN],
            more_scans=len(scans) > HISTORY_SHOWN,
            **kwargs,
        )


class BadgeActionView(StaffRequiredMixin, BadgeMixin, FormView):
    """Revoke or reissue: a page that says what will happen and asks for the reason."""

    template_name = "badges/staff/badge_action.html"
    form_class = ReasonForm
    action = ""

    def get_context_data(self, **kwargs):
        return super().get_context_data(action=self.action, **kwargs)

    def form_valid(self, form):
        reason = form.cleaned_data["reason"]
        try:
            if self.action == "revoke":
                services.badge_revoke(badge=self.badge, actor=self.request.user, reason=reason)
                messages.success(self.request, _("Badge %(serial)s revoked.") % {"serial": self.badge.serial})
                return redirect(badge_url(self.badge))
            new = services.badge_reissue(badge=self.badge, actor=self.request.user, reason=reason)
        except DomainError as exc:
            add_refusal(form, exc)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Badge %(new)s issued in place of %(old)s, which no longer opens the gate.")
            % {"new": new.serial, "old": self.badge.serial},
        )
        return redirect(badge_url(new))


class BadgePdfView(StaffRequiredMixin, BadgeMixin, View):
    def get(self, request, *args, **kwargs):
        try:
            return pdf_response(
                Badge.objects.filter(pk=self.badge.pk),
                layout="card",
                filename=f"badge-{self.badge.serial}.pdf",
            )
        except DomainError as exc:  # a revoked badge is not printed
            messages.error(request, str(exc.message))
            return redirect(badge_url(self.badge))


# --- Scanner devices --------------------------------------------------------------------------


class DeviceListView(StaffRequiredMixin, TemplateView):
    template_name = "badges/staff/device_list.html"

    def get_context_data(self, **kwargs):
        devices = ScannerDevice.objects.select_related("fair", "created_by").order_by(
            "revoked_at", "-created_at"
        )
        return super().get_context_data(devices=list(devices), **kwargs)


def qr_svg(data: str) -> str:
    """``data`` as a QR code in inline SVG (scales to its box; no script, no image file)."""
    import qrcode
    import qrcode.image.svg

    qr = qrcode.QRCode(border=2, image_factory=qrcode.image.svg.SvgPathImage)
    qr.add_data(data)
    qr.make(fit=True)
    svg = qr.make_image().to_string(encoding="unicode")
    return svg[svg.index("<svg") :]


class DeviceCreateView(StaffRequiredMixin, FormView):
    """The new device's token is in this response only: it is not kept, so it cannot be shown again."""

    template_name = "badges/staff/device_form.html"
    form_class = DeviceForm

    def form_valid(self, form):
        try:
            device, token = services.device_create(
                name=form.cleaned_data["name"], fair=form.cleaned_data["fair"], actor=self.request.user
            )
        except DomainError as exc:
            add_refusal(form, exc)
            return self.form_invalid(form)
        link = self.request.build_absolute_uri(f"{scanner_path()}#device={token}")
        response = self.response_class(
            request=self.request,
            template="badges/staff/device_created.html",
            context=self.get_context_data(device=device, token=token, link=link, qr=qr_svg(link)),
        )
        response["Cache-Control"] = "no-store"
        return response


class DeviceRevokeView(StaffRequiredMixin, TemplateView):
    template_name = "badges/staff/device_revoke.html"

    def dispatch(self, request, *args, **kwargs):
        self.device = get_object_or_404(ScannerDevice.objects.select_related("fair"), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(device=self.device, **kwargs)

    def post(self, request, *args, **kwargs):
        try:
            device = services.device_revoke(device=self.device, actor=request.user)
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(
                request, _("Device “%(name)s” revoked: its token no longer scans.") % {"name": device.name}
            )
        return redirect("badges:device_list")


# --- The artisan's own badge ------------------------------------------------------------------


class MyBadgePdfView(LoginRequiredMixin, View):
    """The signed-in artisan's valid badge, once the fair is published; 404 for anyone else."""

    def get(self, request, *args, **kwargs):
        badges = Badge.objects.filter(
            serial=kwargs["serial"].upper(),
            revoked_at__isnull=True,
            application__artisan__user=request.user,
            fair__status__in=ARTISAN_DOWNLOAD_STATUSES,
        )
        serial = badges.values_list("serial", flat=True).first()
        if serial is None:
            raise Http404
        return pdf_response(badges, layout="card", filename=f"badge-{serial}.pdf")


urlpatterns = [
    path("staff/fairs/<int:fair_pk>/badges/", BadgeListView.as_view(), name="badge_list"),
    path("staff/fairs/<int:fair_pk>/badges/issue/", BadgesIssueView.as_view(), name="badges_issue"),
    path("staff/fairs/<int:fair_pk>/badges/new/", BadgeCreateView.as_view(), name="badge_create"),
    path("staff/fairs/<int:fair_pk>/badges/import/", BadgeImportView.as_view(), name="badge_import"),
    path(
        "staff/fairs/<int:fair_pk>/badges/import/sample.csv",
        BadgeImportSampleView.as_view(),
        name="badge_import_sample",
    ),
    path("staff/fairs/<int:fair_pk>/badges/format/", CardFormatView.as_view(), name="badge_format"),
    path("staff/fairs/<int:fair_pk>/badges/print/", BadgePrintStartView.as_view(), name="badge_print_start"),
    path("staff/badge-prints/<uuid:pk>/", BadgePrintView.as_view(), name="badge_print"),
    path(
        "staff/badge-prints/<uuid:pk>/download/",
        BadgePrintDownloadView.as_view(),
        name="badge_print_download",
    ),
    path("staff/badges/<str:serial>/", BadgeDetailView.as_view(), name="badge_detail"),
    path("staff/badges/<str:serial>.pdf", BadgePdfView.as_view(), name="badge_pdf"),
    path("staff/badges/<str:serial>/revoke/", BadgeActionView.as_view(action="revoke"), name="badge_revoke"),
    path(
        "staff/badges/<str:serial>/reissue/", BadgeActionView.as_view(action="reissue"), name="badge_reissue"
    ),
    path("staff/scanner-devices/", DeviceListView.as_view(), name="device_list"),
    path("staff/scanner-devices/new/", DeviceCreateView.as_view(), name="device_create"),
    path("staff/scanner-devices/<int:pk>/revoke/", DeviceRevokeView.as_view(), name="device_revoke"),
    path("me/badges/<str:serial>.pdf", MyBadgePdfView.as_view(), name="my_badge_pdf"),
]
