"""Printable documents about fairs."""

from django.utils import formats
from django.utils.translation import gettext as _

from core import pdf


def _dates(fair) -> str:
    start = formats.date_format(fair.starts_on, "SHORT_DATE_FORMAT")
    if fair.ends_on == fair.starts_on:
        return start
    end = formats.date_format(fair.ends_on, "SHORT_DATE_FORMAT")
    return _("%(start)s – %(end)s") % {"start": start, "end": end}


def render_fair_programme(fairs, *, title: str, rtl: bool) -> bytes:
    """The programme of `fairs` (A4 landscape), one row per fair, in the given order.

    Pass fairs with `select_related("venue")`: the place column reads each fair's venue.
    """
    sheet = pdf.styles(rtl)
    rows = [[_("Fair"), _("Scope"), _("Dates"), _("Place"), _("Status"), _("Capacity")]]
    for fair in fairs:
        names = [fair.name, fair.name_ar] if not rtl else [fair.name_ar, fair.name]
        names = [name for name in names if name]
        name_cell = [pdf.para(names[0], sheet["cell_bold"])]
        name_cell += [pdf.para(name, sheet["cell"]) for name in names[1:]]
        rows.append(
            [
                name_cell,
                fair.get_scope_display(),
                _dates(fair),
                fair.place,
                fair.get_status_display(),
                formats.number_format(fair.capacity),
            ]
        )
    story = [pdf.table(rows, ["34%", "11%", "15%", "20%", "12%", "8%"], rtl=rtl)]
    if len(rows) == 1:
        story = [pdf.para(_("No fairs to show."), sheet["body"])]
    return pdf.build_pdf(story, title=title, subtitle=pdf.delegation_name(), rtl=rtl, landscape=True)
