"""Exports of the dashboard's data — participants, attendance, outcomes — as CSV and XLSX,
and the filters (period, province, craft) the dashboard, its API and the exports share.

What a file holds (one row each):

- **participants**: a participation (a confirmed application at a fair held in the period,
  as in ``reports.figures``): the fair, the artisan (names in Latin and Arabic script,
  gender, year of birth, province, commune, area, craft, cooperative), the booth, whether
  they attended and on how many days, and the outcome they reported (empty when none was:
  not reported is not zero).
- **attendance**: an exhibitor × a day of a fair that kept check-ins (present, late, absent,
  first entry time), computed by ``reports.attendance`` exactly as the attendance PDF is.
  Days outside the exhibitor's badge validity are left out, and so are fairs without any
  check-in (before Souk, others' exhibitions): nobody knows who came.
- **outcomes**: a reported outcome.

CIN and phone numbers are left out: a file travels by email and USB stick, and the ministry
counts people, it does not call them. Staff who need them open the artisan's page. Year of
birth stays (youth figures). Staff only, like the dashboard.

CSV: UTF-8 with a byte-order mark (without it Excel reads UTF-8 as Windows-1252 and the
Arabic names come out as mojibake), ``;`` between fields (the list separator of Excel in
French and Arabic, the delegation's locales: a ``,`` file opens there as one column; commas
in cooperative names and notes need no quoting either), CRLF line ends, ISO dates, a dot
before decimals (one format for people and scripts alike; the XLSX has typed numbers and
dates for spreadsheet sums). Streamed, so a region-sized file starts at once.

XLSX: openpyxl in write-only mode, typed cells, the sheet right-to-left in Arabic.

Text that a spreadsheet would run as a formula (a name typed as ``=HYPERLINK(…)``) is
written as text: a quote before it in the CSV (OWASP's advice), a string cell in the XLSX.

Queries: a constant handful per file whatever its size (the participations in one query
with every related row joined, badges and first entries in one query each).
"""

import collections
import csv
import datetime as dt
import itertools
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlencode

from django import forms
from django.db import connection
from django.db.models import Exists, Min, OuterRef
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from badges.models import Badge, CheckIn, CheckInResult, Direction
from core.models import CraftCategory, Province
from fairs.models import Fair
from registrations.models import Artisan
from reports import attendance
from reports.figures import HELD_STATUSES, participation_queryset, validate_period
from reports.forms import PeriodForm
from reports.models import Outcome
from reports.services import ReportError

KINDS = ("participants", "attendance", "outcomes")
FORMATS = ("csv", "xlsx")
CSV_DELIMITER = ";"


# --- Filters -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportFilters:
    start: dt.date
    end: dt.date
    province: Province | None = None
    craft: CraftCategory | None = None

    def as_kwargs(self) -> dict:
        return {"start": self.start, "end": self.end, "province": self.province, "craft": self.craft}

    def query(self) -> str:
        """The filters as a query string (for links to the PDF and the exports)."""
        params = {"start": self.start.isoformat(), "end": self.end.isoformat()}
        if self.province is not None:
            params["province"] = self.province.pk
        if self.craft is not None:
            params["craft"] = self.craft.pk
        return urlencode(params)

    def slug(self) -> str:
        return f"{self.start.isoformat()}_{self.end.isoformat()}"


def default_period(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """From 1 January of the year of the first fair held to the end of this year."""
    today = today or timezone.localdate()
    first = Fair.objects.filter(status__in=HELD_STATUSES).aggregate(first=Min("starts_on"))["first"]
    start_year = first.year if first else today.year
    return dt.date(start_year, 1, 1), dt.date(today.year, 12, 31)


class ReportFilterForm(PeriodForm):
    """The summary's period and artisan filters (reports.forms.PeriodForm), from a GET query,
    every field optional here: a missing end of the period comes from :func:`default_period`.
    Two queries for the choices, one more for the default period when it is needed."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["start"].required = False
        self.fields["end"].required = False

    def clean(self):
        data = forms.Form.clean(self)
        if self.errors:
            return data
        start, end = self._period(data)
        try:
            validate_period(start=start, end=end)
        except ReportError as refusal:
            self.add_error(refusal.field if refusal.field in self.fields else None, refusal.message)
        return data

    def _period(self, data) -> tuple[dt.date, dt.date]:
        """The period asked for, the default period filling a missing end."""
        start, end = data.get("start"), data.get("end")
        if start is None or end is None:
            default_start, default_end = default_period()
            if start is None and end is not None and end < default_start:
                default_start = dt.date(end.year, 1, 1)
            if end is None and start is not None and start > default_end:
                default_end = dt.date(start.year, 12, 31)
            start, end = start or default_start, end or default_end
        return start, end

    def filters(self) -> ReportFilters:
        """The filters asked for, the default period filling what is missing; when the form
        is not valid, the defaults (the page shows the errors next to the figures)."""
        if not self.is_bound or not self.is_valid():
            return ReportFilters(*default_period())
        data = self.cleaned_data
        start, end = self._period(data)
        return ReportFilters(start=start, end=end, province=data.get("province"), craft=data.get("craft"))


# --- Tables --------------------------------------------------------------------------------


@dataclass
class Table:
    """A header and rows of plain values (str, int, Decimal, date, datetime, time or None),
    produced lazily, with column widths for the spreadsheet."""

    kind: str
    title: str
    header: list[str]
    rows: Iterable[list]
    widths: list[int]


def _yes_no(value: bool | None) -> str:
    if value is None:
        return ""
    return _("yes") if value else _("no")


# The columns read for a participation: plain values, no model instances (building 100,000
# of them and converting their timestamps took 8 of the 9 s of a region-sized export).
PARTICIPATION_COLUMNS = (
    "pk",
    "fair_id",
    "fair__name",
    "fair__name_ar",
    "fair__starts_on",
    "fair__ends_on",
    "fair__scope",
    "artisan_id",
    "artisan__registry_number",
    "artisan__last_name",
    "artisan__first_name",
    "artisan__last_name_ar",
    "artisan__first_name_ar",
    "artisan__gender",
    "artisan__birth_year",
    "artisan__province_id",
    "artisan__commune",
    "artisan__area",
    "artisan__main_craft_id",
    "artisan__cooperative__name",
    "assignment__booth__code",
    "outcome__pk",
    "outcome__sales_mad",
    "outcome__items_sold",
    "outcome__orders",
    "outcome__export_contacts",
)


def _participations(filters: ReportFilters):
    return participation_queryset(**filters.as_kwargs())


def _participation_rows(applications):
    """One named row per participation, ordered by fair then name."""
    return (
        applications.values_list(*PARTICIPATION_COLUMNS, named=True)
        .order_by("fair__starts_on", "fair_id", "artisan__last_name", "artisan__first_name", "pk")
        .iterator(chunk_size=2000)
    )


def _scanned_fairs(applications) -> set[int]:
    """The fairs among ``applications``' that kept check-ins (one query)."""
    return set(
        Fair.objects.filter(pk__in=applications.values("fair_id"))
        .filter(Exists(CheckIn.objects.filter(fair=OuterRef("pk"))))
        .values_list("pk", flat=True)
    )


def _badge_validity(applications) -> dict[int, tuple[dt.date, dt.date]]:
    return {
        application_id: (first, last)
        for application_id, first, last in Badge.objects.filter(
            application__in=applications.values("pk"), revoked_at__isnull=True
        ).values_list("application_id", "valid_from", "valid_until")
    }


def _first_entries(applications) -> dict[tuple[int, dt.date], dt.time]:
    """(application id, local day) → local time of the first accepted entry, over every
    fair at once (``reports.selectors.first_entries`` does it for one fair, grouping by day in
    SQL). Here the entry scans are read as they are and the local day is worked out in
    Python: on SQLite the database's day function is a Python callback per scan, and with
    Django's converters it took 2 of the 4 s of a region-sized export."""
    tz = timezone.get_current_timezone()
    sql, params = (
        CheckIn.objects.filter(
            badge__application__in=applications.values("pk"), result=CheckInResult.OK, direction=Direction.IN
        )
        .values_list("badge__application_id", "scanned_at")
        .order_by()
        .query.sql_with_params()
    )
    first: dict[tuple[int, dt.date], dt.datetime] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for application_id, scanned_at in cursor.fetchall():
            if isinstance(scanned_at, str):  # SQLite: naive UTC text
                scanned_at = dt.datetime.fromisoformat(scanned_at)
            if scanned_at.tzinfo is None:
                scanned_at = scanned_at.replace(tzinfo=dt.UTC)
            local = scanned_at.astimezone(tz)
            key = (application_id, local.date())
            if key not in first or local < first[key]:
                first[key] = local
    return {key: moment.time().replace(tzinfo=None) for key, moment in first.items()}


def _attendance_by_fair(rows, scanned, validity, entries) -> Iterator[tuple[object, tuple | None]]:
    """(participation row, (days, attendance row) or None) in the order of ``rows``; the
    attendance of each fair that kept check-ins is computed by the pure core, fair by fair."""
    for fair_id, group in itertools.groupby(rows, key=lambda row: row.fair_id):
        participations = list(group)
        if fair_id not in scanned:
            for row in participations:
                yield row, None
            continue
        first = participations[0]
        exhibitors = [
            attendance.Exhibitor(key=row.pk, name="", first_day=validity.get(row.pk, (None, None))[0],
                                 last_day=validity.get(row.pk, (None, None))[1])
            for row in participations
        ]  # fmt: skip
        days = attendance.fair_days(first.fair__starts_on, first.fair__ends_on)
        grid = attendance.compute(exhibitors, days, entries)
        found = {line.exhibitor.key: line for line in grid.rows}
        for row in participations:
            yield row, (days, found[row.pk])


class _Names:
    """Province and craft names in the active language, read once (two small queries)."""

    def __init__(self):
        self.provinces = {p.pk: p.name for p in Province.objects.all()}
        self.crafts = {}
        for craft in CraftCategory.objects.select_related("parent"):
            self.crafts[craft.pk] = (craft.parent.name if craft.parent_id else craft.name, craft.name)


def _labels():
    """Choice labels in the active language, read once (the rows are written later)."""
    return {
        "scope": {k: str(v) for k, v in Fair.Scope.choices},
        "gender": {k: str(v) for k, v in Artisan.Gender.choices},
        "area": {k: str(v) for k, v in Artisan.Area.choices},
        "status": {
            attendance.PRESENT: _("present"),
            attendance.LATE: _("late"),
            attendance.ABSENT: _("absent"),
        },
    }


def _artisan_cells(row, labels, names: _Names) -> list:
    sector, craft = names.crafts.get(row.artisan__main_craft_id, ("", ""))
    return [
        row.artisan_id,
        row.artisan__registry_number,
        row.artisan__last_name,
        row.artisan__first_name,
        row.artisan__last_name_ar,
        row.artisan__first_name_ar,
        labels["gender"].get(row.artisan__gender, row.artisan__gender),
        row.artisan__birth_year,
        names.provinces.get(row.artisan__province_id, ""),
        row.artisan__commune,
        labels["area"].get(row.artisan__area, row.artisan__area),
        sector,
        craft,
        row.artisan__cooperative__name or "",
    ]


def _artisan_header() -> list[str]:
    return [
        _("artisan no."),
        _("registry number"),
        _("last name"),
        _("first name"),
        _("last name (Arabic)"),
        _("first name (Arabic)"),
        _("gender"),
        _("year of birth"),
        _("province"),
        _("commune"),
        _("urban or rural"),
        _("sector"),
        _("main craft"),
        _("cooperative"),
    ]


ARTISAN_WIDTHS = [9, 14, 16, 14, 16, 14, 8, 8, 18, 16, 10, 22, 22, 24]


def _fair_cells(row, labels) -> list:
    return [
        row.fair_id,
        row.fair__name,
        row.fair__name_ar,
        row.fair__starts_on,
        row.fair__ends_on,
        labels["scope"].get(row.fair__scope, row.fair__scope),
    ]


def _fair_header() -> list[str]:
    return [_("fair no."), _("fair"), _("fair (Arabic)"), _("first day"), _("last day"), _("scope")]


FAIR_WIDTHS = [7, 34, 30, 11, 11, 12]


def participants_table(filters: ReportFilters) -> Table:
    labels = _labels()
    header = [
        *_fair_header(),
        *_artisan_header(),
        _("booth"),
        _("attended"),
        _("days present"),
        _("days expected"),
        _("sales (MAD)"),
        _("items sold"),
        _("orders taken"),
        _("export contacts"),
    ]

    def rows():
        names = _Names()
        applications = _participations(filters)
        scanned = _scanned_fairs(applications)
        validity = _badge_validity(applications) if scanned else {}
        entries = _first_entries(applications) if scanned else {}
        # As reports.figures counts it: an accepted entry scan, whatever the day.
        came = {application_id for application_id, _day in entries}
        for row, grid in _attendance_by_fair(_participation_rows(applications), scanned, validity, entries):
            if grid is None:
                attended, present, expected = None, None, None
            else:
                line = grid[1]
                attended, present, expected = row.pk in came, line.days_present, line.days_expected
            reported = row.outcome__pk is not None
            yield [
                *_fair_cells(row, labels),
                *_artisan_cells(row, labels, names),
                row.assignment__booth__code or "",
                _yes_no(attended),
                present,
                expected,
                row.outcome__sales_mad if reported else None,
                row.outcome__items_sold if reported else None,
                row.outcome__orders if reported else None,
                row.outcome__export_contacts if reported else None,
            ]

    return Table(
        kind="participants",
        title=_("Participants"),
        header=header,
        rows=rows(),
        widths=[*FAIR_WIDTHS, *ARTISAN_WIDTHS, 8, 8, 8, 8, 12, 8, 8, 8],
    )


def attendance_table(filters: ReportFilters) -> Table:
    labels = _labels()
    header = [
        *_fair_header(),
        _("day"),
        _("artisan no."),
        _("last name"),
        _("first name"),
        _("last name (Arabic)"),
        _("first name (Arabic)"),
        _("booth"),
        _("attendance"),
        _("first entry"),
    ]

    def rows():
        applications = _participations(filters)
        scanned = _scanned_fairs(applications)
        if not scanned:
            return
        applications = applications.filter(fair_id__in=scanned)
        validity = _badge_validity(applications)
        entries = _first_entries(applications)
        for row, (days, line) in _attendance_by_fair(
            _participation_rows(applications), scanned, validity, entries
        ):
            fair = _fair_cells(row, labels)
            for day, cell in zip(days, line.cells, strict=True):
                if cell.status == attendance.NOT_EXPECTED:
                    continue
                yield [
                    *fair,
                    day,
                    row.artisan_id,
                    row.artisan__last_name,
                    row.artisan__first_name,
                    row.artisan__last_name_ar,
                    row.artisan__first_name_ar,
                    row.assignment__booth__code or "",
                    labels["status"][cell.status],
                    cell.first_entry.replace(second=0, microsecond=0) if cell.first_entry else None,
                ]

    return Table(
        kind="attendance",
        title=_("Attendance"),
        header=header,
        rows=rows(),
        widths=[*FAIR_WIDTHS, 11, 9, 16, 14, 16, 14, 8, 10, 9],
    )


OUTCOME_COLUMNS = (
    *(
        f"application__{name}"
        for name in PARTICIPATION_COLUMNS[1:]
        if not name.startswith(("outcome__", "assignment__"))
    ),
    *("sales_mad", "items_sold", "orders", "export_contacts", "notes", "reported_at", "updated_at"),
)


def outcomes_table(filters: ReportFilters) -> Table:
    labels = _labels()
    header = [
        *_fair_header(),
        *_artisan_header(),
        _("sales (MAD)"),
        _("items sold"),
        _("orders taken"),
        _("export contacts"),
        _("notes"),
        _("reported"),
        _("updated"),
    ]
    tz = timezone.get_current_timezone()

    def local(moment: dt.datetime) -> dt.datetime:
        return timezone.localtime(moment, tz).replace(tzinfo=None, microsecond=0)

    def rows():
        names = _Names()
        outcomes = (
            Outcome.objects.filter(application__in=participation_queryset(**filters.as_kwargs()).values("pk"))
            .order_by(
                "application__fair__starts_on",
                "application__fair_id",
                "application__artisan__last_name",
                "pk",
            )
            .values_list(*OUTCOME_COLUMNS)
            .iterator(chunk_size=2000)
        )
        for values in outcomes:
            # The same names as a participation row (without the "application__" prefix).
            row = _OutcomeRow(*values)
            yield [
                *_fair_cells(row, labels),
                *_artisan_cells(row, labels, names),
                row.sales_mad,
                row.items_sold,
                row.orders,
                row.export_contacts,
                row.notes,
                local(row.reported_at),
                local(row.updated_at),
            ]

    return Table(
        kind="outcomes",
        title=_("Outcomes"),
        header=header,
        rows=rows(),
        widths=[*FAIR_WIDTHS, *ARTISAN_WIDTHS, 12, 8, 8, 8, 40, 17, 17],
    )


_OutcomeRow = collections.namedtuple(
    "_OutcomeRow", [name.removeprefix("application__") for name in OUTCOME_COLUMNS]
)


TABLES: dict[str, Callable[[ReportFilters], Table]] = {
    "participants": participants_table,
    "attendance": attendance_table,
    "outcomes": outcomes_table,
}


# --- Files ---------------------------------------------------------------------------------

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return "'" + value if value.startswith(FORMULA_START) else value
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return str(value)


class _Line:
    """A file-like object whose write returns what it was given (for csv.writer)."""

    def write(self, value: str) -> str:
        return value


def csv_chunks(table: Table, batch: int = 500) -> Iterator[str]:
    writer = csv.writer(_Line(), delimiter=CSV_DELIMITER, lineterminator="\r\n")
    yield "\ufeff" + writer.writerow(table.header)
    rows = iter(table.rows)
    while chunk := list(itertools.islice(rows, batch)):
        yield "".join(writer.writerow([csv_cell(value) for value in row]) for row in chunk)


def filename(table: Table, filters: ReportFilters, extension: str) -> str:
    return f"souk-{table.kind}-{filters.slug()}.{extension}"


def _in_language(chunks: Iterator[str], language: str) -> Iterator[str]:
    """Rows are read while the response streams, after the view has returned: keep the
    request's language for the names that follow it (provinces, crafts)."""
    with translation.override(language):
        yield from chunks


def csv_response(table: Table, filters: ReportFilters) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        _in_language(csv_chunks(table), translation.get_language()), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename(table, filters, "csv")}"'
    response["Cache-Control"] = "private, no-store"
    return response


def write_xlsx(table: Table, target) -> None:
    """Write ``table`` as a one-sheet workbook to ``target`` (a path or a binary file)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_sheet_title(table.title))
    sheet.sheet_view.rightToLeft = translation.get_language_bidi()
    sheet.freeze_panes = "A2"
    for index, width in enumerate(table.widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    bold = Font(bold=True)
    header = []
    for title in table.header:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in table.rows:
        cells = []
        for value in row:
            if isinstance(value, str) and value.startswith("="):
                cell = WriteOnlyCell(sheet, value=value)
                cell.data_type = "s"  # text, never a formula
                cells.append(cell)
            elif isinstance(value, dt.time):
                cells.append(value.strftime("%H:%M"))
            else:
                cells.append(value)
        sheet.append(cells)
    workbook.save(target)


def _sheet_title(title: str) -> str:
    return "".join(c for c in title if c not in "[]:*?/\\")[:31] or "Souk"


def xlsx_response(table: Table, filters: ReportFilters) -> FileResponse:
    # write_only keeps one row in memory; the finished file waits in a temporary file.
    target = tempfile.TemporaryFile()  # noqa: SIM115 — FileResponse closes it once sent
    write_xlsx(table, target)
    target.seek(0)
    return FileResponse(
        target,
        as_attachment=True,
        filename=filename(table, filters, "xlsx"),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def export_response(kind: str, file_format: str, filters: ReportFilters):
    """The export ``kind`` (participants, attendance, outcomes) as ``file_format`` (csv, xlsx)."""
    table = TABLES[kind](filters)
    if file_format == "xlsx":
        response = xlsx_response(table, filters)
        response["Cache-Control"] = "private, no-store"
        return response
    return csv_response(table, filters)
