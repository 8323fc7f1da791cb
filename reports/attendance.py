"""Attendance of a fair, computed from first entries. Pure: plain data in, plain data out.

An exhibitor is *present* on a day when an accepted entry scan exists that day, *late* when
the first one came after the fair's late threshold (10:00 local time unless told), and
*absent* otherwise. Days before the exhibitor's badge was valid, or after it, are not
counted ("—"). The same function feeds the attendance PDF, the dashboard and the exports.
"""

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

LATE_AFTER = dt.time(10, 0)

PRESENT, LATE, ABSENT, NOT_EXPECTED = "present", "late", "absent", "not_expected"


@dataclass(frozen=True)
class Exhibitor:
    key: int  # the application id
    name: str
    name_ar: str = ""
    booth: str = ""
    craft: str = ""
    gender: str = ""
    province: str = ""
    area: str = ""  # urban / rural
    first_day: dt.date | None = None  # badge validity; None = every day of the fair
    last_day: dt.date | None = None


@dataclass(frozen=True)
class Cell:
    status: str
    first_entry: dt.time | None = None

    @property
    def came(self) -> bool:
        return self.status in (PRESENT, LATE)


@dataclass
class Row:
    exhibitor: Exhibitor
    cells: list[Cell]

    @property
    def days_expected(self) -> int:
        return sum(cell.status != NOT_EXPECTED for cell in self.cells)

    @property
    def days_present(self) -> int:
        return sum(cell.came for cell in self.cells)

    @property
    def days_late(self) -> int:
        return sum(cell.status == LATE for cell in self.cells)

    @property
    def never_came(self) -> bool:
        return self.days_expected > 0 and self.days_present == 0


@dataclass
class DayTotal:
    day: dt.date
    expected: int = 0
    present: int = 0
    late: int = 0

    @property
    def absent(self) -> int:
        return self.expected - self.present

    @property
    def rate(self) -> float | None:
        return self.present / self.expected if self.expected else None


@dataclass
class Attendance:
    days: list[dt.date]
    rows: list[Row]
    day_totals: list[DayTotal] = field(default_factory=list)

    @property
    def expected_days(self) -> int:
        return sum(total.expected for total in self.day_totals)

    @property
    def present_days(self) -> int:
        return sum(total.present for total in self.day_totals)

    @property
    def rate(self) -> float | None:
        return self.present_days / self.expected_days if self.expected_days else None

    @property
    def exhibitors_present(self) -> int:
        """Exhibitors who came at least one day."""
        return sum(row.days_present > 0 for row in self.rows)

    def absences(self) -> list[tuple[Exhibitor, dt.date]]:
        return [
            (row.exhibitor, day)
            for row in self.rows
            for day, cell in zip(self.days, row.cells, strict=True)
            if cell.status == ABSENT
        ]

    def breakdown(self, attribute: str) -> list[tuple[str, int, int, int]]:
        """Per value of an exhibitor attribute (craft, gender, province, area):
        (value, exhibitors, exhibitor-days expected, exhibitor-days present), largest first."""
        exhibitors, expected, present = Counter(), Counter(), Counter()
        for row in self.rows:
            value = getattr(row.exhibitor, attribute) or "—"
            exhibitors[value] += 1
            expected[value] += row.days_expected
            present[value] += row.days_present
        return sorted(
            ((value, exhibitors[value], expected[value], present[value]) for value in exhibitors),
            key=lambda item: (-item[1], item[0]),
        )


def fair_days(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=offset) for offset in range((last - first).days + 1)]


def compute(
    exhibitors: list[Exhibitor],
    days: list[dt.date],
    first_entries: dict[tuple[int, dt.date], dt.time],
    late_after: dt.time = LATE_AFTER,
) -> Attendance:
    """``first_entries`` maps (exhibitor key, day) to the local time of the first accepted entry."""
    rows = []
    totals = [DayTotal(day) for day in days]
    for exhibitor in exhibitors:
        cells = []
        for day, total in zip(days, totals, strict=True):
            if (exhibitor.first_day and day < exhibitor.first_day) or (
                exhibitor.last_day and day > exhibitor.last_day
            ):
                cells.append(Cell(NOT_EXPECTED))
                continue
            total.expected += 1
            first = first_entries.get((exhibitor.key, day))
            if first is None:
                cells.append(Cell(ABSENT))
                continue
            status = LATE if first > late_after else PRESENT
            total.present += 1
            total.late += status == LATE
            cells.append(Cell(status, first))
        rows.append(Row(exhibitor, cells))
    return Attendance(days=days, rows=rows, day_totals=totals)
