"""The artisan's form for what a fair earned them.

Every field is read as text and handed to ``reports.services.outcome_save``, which parses it
("12 000,50", "5000 DH", Arabic-Indic digits) and refuses what cannot be right; its refusals
are shown under the field they name. (The staff table of a fair is plain inputs, parsed by
its view and saved by ``outcomes_save_for_fair``.)
"""

from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _


def amount_input(**attrs) -> forms.TextInput:
    """A phone shows its number pad, and a comma or "DH" typed anyway is still understood."""
    return forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "dir": "ltr", **attrs})


def count_input(**attrs) -> forms.TextInput:
    return forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "dir": "ltr", **attrs})


class OutcomeForm(forms.Form):
    sales_mad = forms.CharField(
        label=_("Sales (MAD)"),
        max_length=40,
        widget=amount_input(),
        help_text=_("Everything you sold during the fair, in dirhams. Write 0 if you sold nothing."),
    )
    items_sold = forms.CharField(label=_("Items sold"), max_length=20, required=False, widget=count_input())
    orders = forms.CharField(
        label=_("Orders taken"),
        max_length=20,
        required=False,
        widget=count_input(),
        help_text=_("Orders to make and deliver after the fair."),
    )
    export_contacts = forms.CharField(
        label=_("Export contacts"),
        max_length=20,
        required=False,
        widget=count_input(),
        help_text=_("Buyers, shops or importers from abroad who took your details."),
    )
    notes = forms.CharField(
        label=_("Notes"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
        help_text=_("Anything the delegation should know: what sold well, what was missing."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
