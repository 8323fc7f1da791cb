"""The five statements of a scan, written as SQL: the check-in is Souk's one hot path.

A gate scans a badge every few seconds, and the answer must come back while the holder is
still at the reader. Measured (bench/checkin.py), Django's ORM spent about 0.8 ms of Python
on each statement of a scan — compiling the query, building model instances — four times
what the database took, so a scan cost three times the bench's floor (one indexed read and
one insert). Here each statement is plain SQL run through Django's cursor (same connection,
same transaction, same ``atomic``), with values adapted and read back the way the ORM would:

- ``device_for_token``: the scanner device of a token hash (authentication);
- ``fair_for_scan``: the fair a scan names, with its status;
- ``badge_for_scan``: a badge by serial or id with what an answer shows (booth, craft, photo),
  locked (``FOR UPDATE OF`` the badge's row alone, where the database has it; SQLite's
  ``BEGIN IMMEDIATE`` already serializes writers); on PostgreSQL the scan's locked read is
  a prepared statement (below);
- ``check_in_insert``: the scan's row, its id returned;
- ``presence_update``: the badge's ``inside_since`` and ``arrived_at``.

Everything else about badges and scans stays in the ORM. The whole check-in test suite runs
through these statements on SQLite and PostgreSQL; ``tests/badges/test_scan_sql.py`` checks
them against the ORM's reading of the same rows.
"""

import datetime as dt
import functools

from django.conf import settings
from django.db import connection
from django.utils import timezone

from badges.models import Badge, CheckIn, ScannerDevice
from fairs.models import Fair


def _when(value: dt.datetime | None):
    """A datetime as the database takes it (SQLite: naive UTC text; PostgreSQL: as is)."""
    return connection.ops.adapt_datetimefield_value(value)


def _aware(value):
    """A datetime read back as the ORM would give it (SQLite hands back naive UTC)."""
    convert = getattr(connection.ops, "convert_datetimefield_value", None)
    return convert(value, None, connection) if convert is not None and value is not None else value


def _instance(model, values: dict):
    """A model instance from some of its columns (by attname), the others deferred, as the ORM
    builds one from ``only()``: ``from_db`` takes the values in the model's field order."""
    names = [field.attname for field in model._meta.concrete_fields if field.attname in values]
    return model.from_db(connection.alias, names, [values[name] for name in names])


# --- The device of a token ------------------------------------------------------------------

_DEVICE_FIELDS = ("id", "name", "fair_id", "revoked_at", "last_seen_at")
_DEVICE_SQL = (
    "SELECT id, name, fair_id, revoked_at, last_seen_at FROM badges_scannerdevice WHERE token_hash = %s"
)


def device_for_token(token_hash: str) -> ScannerDevice | None:
    """The scanner device with this token hash (revoked or not; other columns deferred)."""
    with connection.cursor() as cursor:
        cursor.execute(_DEVICE_SQL, [token_hash])
        row = cursor.fetchone()
    if row is None:
        return None
    values = dict(zip(_DEVICE_FIELDS, row, strict=True))
    values["revoked_at"], values["last_seen_at"] = (
        _aware(values["revoked_at"]),
        _aware(values["last_seen_at"]),
    )
    return _instance(ScannerDevice, values)


# --- The fair of a scan ---------------------------------------------------------------------


def fair_for_scan(pk: int) -> Fair | None:
    """The fair with this id, with the status a scan checks (other columns deferred)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, status FROM fairs_fair WHERE id = %s", [pk])
        row = cursor.fetchone()
    return None if row is None else _instance(Fair, {"id": row[0], "status": row[1]})


# --- A badge with what a scan answer shows -----------------------------------------------------

# The badge's own columns, in the order of the SELECT below.
_BADGE_FIELDS = (
    "id", "fair_id", "kind", "serial", "name", "name_ar", "organisation", "role_label", "application_id",
    "valid_from", "valid_until", "revoked_at", "inside_since", "arrived_at", "left_at",
)  # fmt: skip
_DATETIMES = {"revoked_at", "inside_since", "arrived_at", "left_at"}
# The joined columns, named as ``selectors.scan_summary`` reads them.
_SUMMARY_FIELDS = (
    "application__assignment__booth__code",
    "application__artisan__photo",
    "application__artisan__main_craft__name_fr",
    "application__artisan__main_craft__name_ar",
    "application__artisan__main_craft__name_en",
)
_BADGE_SQL = (
    "SELECT b.id, b.fair_id, b.kind, b.serial, b.name, b.name_ar, b.organisation, b.role_label, "
    "b.application_id, b.valid_from, b.valid_until, b.revoked_at, b.inside_since, b.arrived_at, b.left_at, "
    "booth.code, artisan.photo, craft.name_fr, craft.name_ar, craft.name_en "
    "FROM badges_badge b "
    "LEFT JOIN registrations_application application ON application.id = b.application_id "
    "LEFT JOIN booths_assignment assignment ON assignment.application_id = application.id "
    "LEFT JOIN booths_booth booth ON booth.id = assignment.booth_id "
    "LEFT JOIN registrations_artisan artisan ON artisan.id = application.artisan_id "
    "LEFT JOIN core_craftcategory craft ON craft.id = artisan.main_craft_id "
    "WHERE b.{column} = %s"
)


# On PostgreSQL the locked read by serial (every scan) is a prepared statement, made once per
# connection: planning its five joins took 0.9 ms of the database's CPU on each scan, three
# times the rest of the scan's statements together; executing the prepared plan takes 0.08.
# PREPARE outlives a rolled-back transaction, so a flag on the connection is enough to know.
# ``SOUK_SCAN_PREPARED=0`` turns it off for a pooler that shares sessions (pgbouncer in
# transaction mode), where a statement prepared on one session is missing on the next.
_PREPARED_NAME = "souk_badge_for_scan"


def _locked_by_serial(cursor) -> str:
    """The statement to run for a locked read by serial: EXECUTE of the prepared one, or the SQL."""
    sql = _BADGE_SQL.format(column="serial") + " FOR UPDATE OF b"
    if not settings.SOUK_SCAN_PREPARED:
        return sql
    raw = connection.connection
    if not getattr(raw, "souk_badge_for_scan_prepared", False):
        cursor.execute(f"PREPARE {_PREPARED_NAME} (varchar) AS {sql.replace('%s', '$1')}")
        raw.souk_badge_for_scan_prepared = True
    return f"EXECUTE {_PREPARED_NAME} (%s)"


def badge_for_scan(*, serial: str | None = None, pk: int | None = None, lock: bool = False):
    """(badge, summary row) of the badge with this serial or id, or (None, None).

    The badge is a ``Badge`` with the columns a scan judges and answers with (others
    deferred); the summary row holds the booth code, photo and craft names of its exhibitor.
    ``lock``: inside a transaction, FOR UPDATE of the badge's row only — the booth, craft and
    fair rows stay free, so scans of other badges never wait for this one.
    """
    with connection.cursor() as cursor:
        if lock and serial is not None and connection.vendor == "postgresql":
            sql = _locked_by_serial(cursor)
        else:
            sql = _BADGE_SQL.format(column="serial" if serial is not None else "id")
            if lock and connection.features.has_select_for_update_of:
                sql += " FOR UPDATE OF b"
        cursor.execute(sql, [serial if serial is not None else pk])
        row = cursor.fetchone()
    if row is None:
        return None, None
    own = dict(zip(_BADGE_FIELDS, row[: len(_BADGE_FIELDS)], strict=True))
    for name in _DATETIMES:
        own[name] = _aware(own[name])
    badge = _instance(Badge, own)
    summary = dict(zip(_SUMMARY_FIELDS, row[len(_BADGE_FIELDS) :], strict=True))
    return badge, summary | {
        key: own[key] for key in ("serial", "kind", "name", "name_ar", "organisation", "role_label")
    }


# --- Writing a scan -----------------------------------------------------------------------------

_CHECK_IN_FIELDS = [field for field in CheckIn._meta.concrete_fields if not field.primary_key]


@functools.cache
def _insert_sql(vendor: str) -> str:
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in _CHECK_IN_FIELDS)
    values = ", ".join(["%s"] * len(_CHECK_IN_FIELDS))
    return f"INSERT INTO badges_checkin ({columns}) VALUES ({values}) RETURNING id"  # noqa: S608 -- names from the model


def check_in_insert(row: CheckIn) -> CheckIn:
    """Insert ``row`` (an unsaved ``CheckIn``; ``received_at`` is set now) and give it its id.

    Values go through each field's ``get_db_prep_save``, as ``save()`` would. A second scan
    with the same origin and nonce raises ``IntegrityError`` (the unique constraint).
    """
    row.received_at = row.received_at or timezone.now()
    params = [field.get_db_prep_save(getattr(row, field.attname), connection) for field in _CHECK_IN_FIELDS]
    with connection.cursor() as cursor:
        cursor.execute(_insert_sql(connection.vendor), params)
        row.pk = cursor.fetchone()[0]
    row._state.adding = False
    return row


def presence_update(badge: Badge) -> None:
    """Write the badge's ``inside_since``, ``arrived_at`` and ``left_at`` (under its lock, by ``check_in``)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE badges_badge SET inside_since = %s, arrived_at = %s, left_at = %s WHERE id = %s",
            [_when(badge.inside_since), _when(badge.arrived_at), _when(badge.left_at), badge.pk],
        )
