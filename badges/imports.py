"""Read a CSV of staff, press, visitor and VIP badges into rows for ``badges_import``.

The file is parsed here (encoding, header, kinds, dates, lengths, emails); the badge rules
(a name, a kind issued by hand, validity around the fair's dates) stay in the service, which
imports all the rows or none. Every problem names the row as a spreadsheet shows it (the
header is row 1) and the column as written in the file.

``check_rows`` runs the service inside a transaction it always rolls back: a dry run that
applies exactly the service's rules, used for the page's "check only" and to list every
problem of a file at once (parsing problems and rule problems together).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import translation
from django.utils.translation import gettext as _

from badges import services
from badges.models import Badge, BadgeKind
from badges.services import BadgeImportError, RowProblem
from core.errors import DomainError

MAX_ROWS = 5000  # a fair's hand-made badges are a few hundred; anything bigger is a wrong file
MAX_BYTES = 2 * 1024 * 1024

# Column (the service's field name) → header names accepted for it, compared folded
# (lower case, no accents, punctuation as "_"). The first one is the name the sample uses.
COLUMNS: dict[str, tuple[str, ...]] = {
    "kind": ("kind", "type", "categorie", "category"),
    "name": ("name", "nom", "full_name", "nom_complet"),
    "name_ar": ("name_ar", "nom_ar", "nom_arabe", "الاسم"),
    "organisation": ("organisation", "organization", "organisme", "societe", "media"),
    "role_label": ("role", "role_label", "fonction", "qualite"),
    "email": ("email", "e_mail", "courriel"),
    "valid_from": ("valid_from", "from", "du", "valide_du", "debut"),
    "valid_until": ("valid_until", "until", "to", "au", "valide_au", "fin"),
}
REQUIRED_COLUMNS = ("kind", "name")
SAMPLE_HEADER = [aliases[0] for aliases in COLUMNS.values()]

# Kind as written in a file → kind. The labels in every language are added on first use.
_KIND_ALIASES = {
    "personnel": BadgeKind.STAFF,
    "organisation": BadgeKind.STAFF,
    "organisateur": BadgeKind.STAFF,
    "presse": BadgeKind.PRESS,
    "journaliste": BadgeKind.PRESS,
    "media": BadgeKind.PRESS,
    "visiteur": BadgeKind.VISITOR,
    "invite": BadgeKind.VIP,
    "exposant": BadgeKind.EXHIBITOR,
}
_TEXT_FIELDS = ("name", "name_ar", "organisation", "role_label", "email")
_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y")
_PUNCTUATION = re.compile(r"[\s\-_'’.,;:()/]+")


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    return _PUNCTUATION.sub("_", text).strip("_")


_HEADER_ALIASES = {_fold(alias): column for column, aliases in COLUMNS.items() for alias in aliases}


def _kind_lookup() -> dict[str, str]:
    lookup = {_fold(alias): kind for alias, kind in _KIND_ALIASES.items()}
    for language in ("en", "fr", "ar"):
        with translation.override(language):
            lookup.update({_fold(str(label)): value for value, label in BadgeKind.choices})
    lookup.update({value: value for value in BadgeKind.values})
    return lookup


class BadgeFileRefused(DomainError):
    """The file as a whole cannot be read (encoding, header, size): no row is looked at."""


@dataclass
class ParsedFile:
    rows: list[tuple[int, dict]]  # (row number in the file, fields for the service)
    problems: list[RowProblem] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)  # field → header as written in the file

    def column(self, field_name: str) -> str:
        """The column a problem is about, as the file names it."""
        return self.headers.get(field_name) or COLUMNS.get(field_name, (field_name,))[0]


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadgeFileRefused(
            code="not_utf8",
            field="file",
            message=_("The file is not UTF-8 text: save it as “CSV UTF-8” and try again."),
        ) from exc


def _map_header(header: list[str]) -> dict[int, str]:
    mapping: dict[int, str] = {}
    unknown, repeated = [], []
    for index, name in enumerate(header):
        if not name.strip():
            continue
        column = _HEADER_ALIASES.get(_fold(name))
        if column is None:
            unknown.append(name.strip())
        elif column in mapping.values():
            repeated.append(name.strip())
        else:
            mapping[index] = column
    missing = [column for column in REQUIRED_COLUMNS if column not in mapping.values()]
    messages = []
    if missing:
        messages.append(_("Missing columns: %(columns)s.") % {"columns": ", ".join(missing)})
    if unknown:
        messages.append(_("Unknown columns: %(columns)s.") % {"columns": ", ".join(unknown)})
    if repeated:
        messages.append(_("Columns given twice: %(columns)s.") % {"columns": ", ".join(repeated)})
    if messages:
        messages.append(_("The columns are: %(columns)s.") % {"columns": ", ".join(SAMPLE_HEADER)})
        raise BadgeFileRefused(code="bad_header", field="file", message=" ".join(messages))
    return mapping


def _date(text: str) -> dt.date | None:
    for pattern in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def parse_badge_csv(data: bytes) -> ParsedFile:
    """The rows of a CSV file, each as ``(row number, fields)``, and what is wrong in them.

    Raises ``BadgeFileRefused`` when the file itself cannot be used.
    """
    if len(data) > MAX_BYTES:
        raise BadgeFileRefused(
            code="file_too_big", field="file", message=_("The file is larger than 2 MB: is it the right one?")
        )
    text = _decode(data)
    first_line = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first_line.count)
    records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    if not records or not any(cell.strip() for cell in records[0]):
        raise BadgeFileRefused(code="empty_file", field="file", message=_("The file is empty."))
    mapping = _map_header(records[0])
    body = [
        (number, cells) for number, cells in enumerate(records[1:], start=2) if any(c.strip() for c in cells)
    ]
    if not body:
        raise BadgeFileRefused(
            code="import_empty", field="file", message=_("The file has no rows to import.")
        )
    if len(body) > MAX_ROWS:
        raise BadgeFileRefused(
            code="too_many_rows",
            field="file",
            message=_("The file has %(rows)s rows; this page takes at most %(max)s.")
            % {"rows": len(body), "max": MAX_ROWS},
        )
    parsed = ParsedFile(
        rows=[], headers={column: records[0][index].strip() for index, column in mapping.items()}
    )
    kinds = _kind_lookup()
    lengths = {name: Badge._meta.get_field(name).max_length for name in COLUMNS if name in _TEXT_FIELDS}

    def problem(number: int, column: str, message: str) -> None:
        parsed.problems.append(RowProblem(number, column, message))

    for number, cells in body:
        values = {
            column: (cells[index].strip() if index < len(cells) else "") for index, column in mapping.items()
        }
        fields: dict = {}
        raw_kind = values.get("kind", "")
        kind = kinds.get(_fold(raw_kind))
        if kind is None:
            problem(
                number,
                "kind",
                _("“%(value)s” is not a kind of badge: write staff, press, visitor or vip.")
                % {"value": raw_kind}
                if raw_kind
                else _("Give the kind of badge: staff, press, visitor or vip."),
            )
        fields["kind"] = kind or raw_kind
        for name in _TEXT_FIELDS:
            value = values.get(name, "")
            if len(value) > lengths[name]:
                problem(
                    number,
                    name,
                    _("At most %(max)s characters (this one has %(length)s).")
                    % {"max": lengths[name], "length": len(value)},
                )
                value = value[: lengths[name]]
            fields[name] = value
        if fields["email"]:
            try:
                validate_email(fields["email"])
            except ValidationError:
                problem(
                    number, "email", _("“%(value)s” is not an email address.") % {"value": fields["email"]}
                )
        for name in ("valid_from", "valid_until"):
            value = values.get(name, "")
            fields[name] = None  # empty: the fair's first (or last) day
            if value:
                day = _date(value)
                if day is None:
                    problem(
                        number,
                        name,
                        _("“%(value)s” is not a date: write it as 2025-05-14 or 14/05/2025.")
                        % {"value": value},
                    )
                fields[name] = day
        parsed.rows.append((number, fields))
    return parsed


def check_rows(*, fair, rows: list[tuple[int, dict]], actor) -> list[RowProblem]:
    """What ``badges_import`` would refuse in ``rows``, without importing anything.

    The service's own dry run, so the check is exactly the import's. Raises ``BadgeError``
    for refusals of the whole import (e.g. a fair whose badges cannot be changed any more).
    """
    try:
        services.badges_import(fair=fair, rows=rows, actor=actor, dry_run=True)
    except BadgeImportError as error:
        return list(error.problems)
    return []


def all_problems(parsed: ParsedFile, found: list[RowProblem]) -> list[RowProblem]:
    """The parser's problems and the service's, one per row and column, in file order."""
    seen = {(p.row, p.field) for p in parsed.problems}
    merged = list(parsed.problems)
    for p in found:
        if (p.row, p.field) not in seen:
            seen.add((p.row, p.field))
            merged.append(p)
    return sorted(merged, key=lambda p: (p.row, list(COLUMNS).index(p.field) if p.field in COLUMNS else 99))


def import_problems(*, fair, parsed: ParsedFile, actor) -> list[RowProblem]:
    """Every problem of the file, checked by the parser and by the service (nothing written)."""
    return all_problems(parsed, check_rows(fair=fair, rows=parsed.rows, actor=actor))
