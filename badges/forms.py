"""Forms of the staff badge pages and the scanner devices page.

They parse and check the shape of the input; the rules (validity around the fair's dates, a
reason to revoke, which kinds are issued by hand) live in badges.services, whose refusals
the views show under the field they name.
"""

from crispy_forms.bootstrap import FieldWithButtons, StrictButton
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row
from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from badges.models import BadgeKind, CardFormat
from fairs.models import Fair

# Kinds staff issue by hand or from a file: exhibitor badges come from confirmed applications.
MANUAL_KINDS = [
    (value, capfirst(label)) for value, label in BadgeKind.choices if value != BadgeKind.EXHIBITOR
]


def _helper(layout=None) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    if layout is not None:
        helper.layout = layout
    return helper


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class BadgeForm(forms.Form):
    """A staff, press, visitor or VIP badge."""

    kind = forms.ChoiceField(label=_("Kind"), choices=MANUAL_KINDS)
    name = forms.CharField(label=_("Name (Latin script)"), max_length=160)
    name_ar = forms.CharField(
        label=_("Name (Arabic script)"),
        max_length=160,
        required=False,
        widget=forms.TextInput(attrs={"dir": "rtl", "lang": "ar"}),
    )
    organisation = forms.CharField(label=_("Organisation"), max_length=160, required=False)
    role_label = forms.CharField(
        label=_("Role"), max_length=80, required=False, help_text=_("e.g. photographer, jury")
    )
    email = forms.EmailField(label=_("Email"), required=False)
    valid_from = forms.DateField(label=_("Valid from"), widget=DateInput())
    valid_until = forms.DateField(label=_("Valid until"), widget=DateInput())

    def __init__(self, *args, fair: Fair, **kwargs):
        kwargs["initial"] = {
            "valid_from": fair.starts_on,
            "valid_until": fair.ends_on,
            **(kwargs.get("initial") or {}),
        }
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            Layout(
                Row(Column("kind", css_class="col-md-4")),
                Row(Column("name", css_class="col-md-6"), Column("name_ar", css_class="col-md-6")),
                Row(Column("organisation", css_class="col-md-6"), Column("role_label", css_class="col-md-6")),
                Row(Column("email", css_class="col-md-6")),
                Row(Column("valid_from", css_class="col-6"), Column("valid_until", css_class="col-6")),
            )
        )

    def service_kwargs(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.fields}


class BadgeImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("UTF-8, columns separated by ; or , — the first row names the columns."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
    dry_run = forms.BooleanField(
        label=_("Check only: show what would be imported, import nothing"), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()


class ReasonForm(forms.Form):
    """Revoke or reissue: the reason is required and kept with the badge."""

    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        help_text=_("Kept with the badge and in its history, e.g. lost, name misspelt."),
        error_messages={"required": _("Say why.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()


class CardFormatForm(forms.Form):
    card_format = forms.ChoiceField(label=_("Badge format"), choices=CardFormat.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            Layout(
                FieldWithButtons(
                    "card_format",
                    StrictButton(_("Save"), type="submit", css_class="btn-outline-primary"),
                    input_size="input-group-sm",
                )
            )
        )


class DeviceForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=80, help_text=_("So you recognise it in the list, e.g. “Gate A phone”.")
    )
    fair = forms.ModelChoiceField(
        label=_("Fair"),
        queryset=Fair.objects.none(),
        required=False,
        empty_label=_("All fairs"),
        help_text=_("Leave “All fairs” for a device that may scan at every fair."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Fairs that are (or will be) scanned; a closed one stays so a late device can sync.
        self.fields["fair"].queryset = Fair.objects.filter(
            status__in=[
                Fair.Status.ALLOCATING,
                Fair.Status.PUBLISHED,
                Fair.Status.RUNNING,
                Fair.Status.CLOSED,
            ]
        ).order_by("-starts_on")
        self.fields["fair"].label_from_instance = lambda fair: (
            f"{fair.display_name} ({fair.starts_on.isoformat()})"
        )
        self.helper = _helper(
            Layout(Row(Column("name", css_class="col-md-6"), Column("fair", css_class="col-md-6")))
        )
