"""Forms of the reports pages."""

import datetime as dt

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row, Submit
from django import forms
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import CraftCategory, Province
from reports.figures import validate_period
from reports.services import ReportError

DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]


def default_period(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The last four full calendar years: a ministry report covers whole years, and four is
    the span the delegation reports on (e.g. 2021–2024 when the year is 2025)."""
    today = today or timezone.localdate()
    return dt.date(today.year - 4, 1, 1), dt.date(today.year - 1, 12, 31)


def period_presets(today: dt.date | None = None) -> list[tuple[str, dt.date, dt.date]]:
    """One-click periods: the three latest four-year spans, then each of the last four years
    and the current year so far. (label, start, end)."""
    today = today or timezone.localdate()
    last = today.year - 1
    presets = [(f"{y - 3}–{y}", dt.date(y - 3, 1, 1), dt.date(y, 12, 31)) for y in (last, last - 1, last - 2)]
    presets += [(str(y), dt.date(y, 1, 1), dt.date(y, 12, 31)) for y in range(last - 3, last + 1)]
    presets.append((str(today.year), dt.date(today.year, 1, 1), today))
    return presets


class CraftChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.parent.name} — {obj.name}" if obj.parent_id else obj.name


class PeriodForm(forms.Form):
    """A period (both days included) and the optional artisan filters of the summary.

    A period that ends before it starts, or spans more than reports.figures.MAX_YEARS, is an
    error on the field the figures' refusal names.
    """

    start = forms.DateField(
        label=_("From"),
        input_formats=DATE_INPUT_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    end = forms.DateField(
        label=_("To"),
        input_formats=DATE_INPUT_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    province = forms.ModelChoiceField(
        label=_("Artisans' province"), required=False, queryset=Province.objects.none()
    )
    craft = CraftChoiceField(
        label=_("Craft or sector"), required=False, queryset=CraftCategory.objects.none()
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["province"].queryset = Province.objects.select_related("region")
        self.fields["province"].empty_label = _("All provinces")
        # Each sector, then its crafts.
        self.fields["craft"].queryset = CraftCategory.objects.select_related("parent").order_by(
            Coalesce("parent__position", "position"),
            Coalesce("parent_id", "id"),
            F("parent_id").asc(nulls_first=True),
            "position",
            "name_fr",
        )
        self.fields["craft"].empty_label = _("All crafts")
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Row(
                Column("start", css_class="col-6 col-md-2"),
                Column("end", css_class="col-6 col-md-2"),
                Column("province", css_class="col-md-3"),
                Column("craft", css_class="col-md-3"),
                Column(
                    Submit("", _("Show"), css_class="btn-primary mt-md-4"),
                    css_class="col-md-2 d-flex align-items-start",
                ),
            ),
        )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end:
            try:
                validate_period(start=start, end=end)
            except ReportError as refusal:
                self.add_error(refusal.field, refusal.message)
        return cleaned
