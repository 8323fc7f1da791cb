"""The attendance core (reports/attendance.py): plain data in, plain data out, no database."""

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from reports.attendance import (
    ABSENT,
    LATE,
    NOT_EXPECTED,
    PRESENT,
    Exhibitor,
    compute,
    fair_days,
)

DAYS = fair_days(dt.date(2024, 5, 13), dt.date(2024, 5, 15))


def exhibitor(key, **kwargs):
    return Exhibitor(key=key, name=f"Artisan {key}", **kwargs)


def test_fair_days_run_from_first_to_last_and_are_empty_when_reversed():
    days = fair_days(dt.date(2024, 5, 13), dt.date(2024, 5, 15))
    assert days == [dt.date(2024, 5, 13), dt.date(2024, 5, 14), dt.date(2024, 5, 15)]
    assert fair_days(dt.date(2024, 5, 13), dt.date(2024, 5, 13)) == [dt.date(2024, 5, 13)]
    assert fair_days(dt.date(2024, 5, 13), dt.date(2024, 5, 12)) == []


def test_a_first_entry_after_the_threshold_is_late_and_at_it_is_on_time():
    entries = {(1, DAYS[0]): dt.time(10, 0), (1, DAYS[1]): dt.time(10, 1), (1, DAYS[2]): dt.time(8, 45)}
    row = compute([exhibitor(1)], DAYS, entries).rows[0]
    assert [cell.status for cell in row.cells] == [PRESENT, LATE, PRESENT]
    assert row.cells[1].first_entry == dt.time(10, 1)
    assert (row.days_present, row.days_late, row.days_expected) == (3, 1, 3)


def test_the_threshold_can_be_moved():
    entries = {(1, DAYS[0]): dt.time(9, 30)}
    early = compute([exhibitor(1)], DAYS, entries, late_after=dt.time(9, 0))
    assert early.rows[0].cells[0].status == LATE
    assert early.day_totals[0].late == 1


def test_days_outside_the_badge_validity_are_not_expected_and_not_counted():
    entries = {(1, DAYS[1]): dt.time(9, 0)}
    one_day = exhibitor(1, first_day=DAYS[1], last_day=DAYS[1])
    attendance = compute([one_day, exhibitor(2)], DAYS, entries)
    assert [cell.status for cell in attendance.rows[0].cells] == [NOT_EXPECTED, PRESENT, NOT_EXPECTED]
    assert [cell.status for cell in attendance.rows[1].cells] == [ABSENT, ABSENT, ABSENT]
    assert [(t.expected, t.present, t.absent) for t in attendance.day_totals] == [
        (1, 0, 1),
        (2, 1, 1),
        (1, 0, 1),
    ]
    assert attendance.expected_days == 4 and attendance.present_days == 1
    assert attendance.rate == 0.25
    assert attendance.rows[0].days_expected == 1 and not attendance.rows[0].never_came
    assert attendance.rows[1].never_came


def test_absences_list_every_absent_day_in_grid_order():
    entries = {(1, DAYS[0]): dt.time(9, 0), (2, DAYS[2]): dt.time(9, 0)}
    attendance = compute([exhibitor(1), exhibitor(2)], DAYS, entries)
    assert [(e.key, day) for e, day in attendance.absences()] == [
        (1, DAYS[1]), (1, DAYS[2]), (2, DAYS[0]), (2, DAYS[1]),
    ]  # fmt: skip
    assert attendance.exhibitors_present == 2


def test_breakdown_counts_exhibitors_and_days_largest_group_first():
    people = [
        exhibitor(1, gender="woman", craft="Poterie"),
        exhibitor(2, gender="woman", craft="Tapis"),
        exhibitor(3, gender="man", craft=""),
    ]
    entries = {(1, day): dt.time(9, 0) for day in DAYS} | {(3, DAYS[0]): dt.time(11, 0)}
    attendance = compute(people, DAYS, entries)
    assert attendance.breakdown("gender") == [("woman", 2, 6, 3), ("man", 1, 3, 1)]
    # A missing value is its own group, shown as a dash.
    assert ("—", 1, 3, 1) in attendance.breakdown("craft")


def test_no_exhibitors_or_no_days_gives_no_rate():
    assert compute([], DAYS, {}).rate is None
    empty = compute([exhibitor(1)], [], {})
    assert empty.rate is None and empty.rows[0].cells == [] and not empty.rows[0].never_came


@given(
    st.lists(
        st.tuples(
            st.integers(0, 4),
            st.integers(0, 4),
            st.lists(st.none() | st.integers(0, 23), min_size=5, max_size=5),
        ),
        max_size=12,
    )
)
def test_totals_always_agree_with_the_rows(people):
    """Whatever the data: per-day totals add up to the rows, present ≤ expected, and every
    expected day is present or in the absences."""
    days = fair_days(dt.date(2024, 1, 1), dt.date(2024, 1, 5))
    exhibitors, entries = [], {}
    for key, (start, length, hours) in enumerate(people):
        first = days[start]
        last = days[min(4, start + length)]
        exhibitors.append(exhibitor(key, first_day=first, last_day=last))
        for day, hour in zip(days, hours, strict=True):
            if hour is not None:
                entries[(key, day)] = dt.time(hour, 30)
    attendance = compute(exhibitors, days, entries)
    assert attendance.present_days == sum(row.days_present for row in attendance.rows)
    assert attendance.expected_days == sum(row.days_expected for row in attendance.rows)
    assert all(0 <= t.present <= t.expected for t in attendance.day_totals)
    assert sum(t.late for t in attendance.day_totals) == sum(row.days_late for row in attendance.rows)
    assert len(attendance.absences()) == attendance.expected_days - attendance.present_days
    for value, count, expected, present in attendance.breakdown("gender"):
        assert value == "—" and count == len(exhibitors)
        assert (expected, present) == (attendance.expected_days, attendance.present_days)
    if attendance.rate is not None:
        assert 0 <= attendance.rate <= 1
