"""The staff upload form of the artisan import (the checks on the rows are in ``registrations.imports``)."""

from crispy_forms.helper import FormHelper
from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from registrations.imports import MAX_FILE_SIZE

ACCEPTED_EXTENSIONS = (".csv", ".xlsx")


class ArtisanImportForm(forms.Form):
    file = forms.FileField(
        label=_("File (CSV or Excel .xlsx)"),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".csv,.xlsx,text/csv,"
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )
    skip_bad_rows = forms.BooleanField(
        label=_("Import the good rows even if some rows are bad"),
        required=False,
        help_text=_("Otherwise one bad row stops the whole file, and nothing is imported."),
    )
    dry_run = forms.BooleanField(
        label=_("Check only (dry run): count and report, write nothing"),
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _("At most %(size)s. The first row names the columns.") % {
            "size": filesizeformat(MAX_FILE_SIZE)
        }
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(ACCEPTED_EXTENSIONS):
            raise forms.ValidationError(
                _("Choose a .csv or .xlsx file (an old .xls file: save it as .xlsx first).")
            )
        if upload.size > MAX_FILE_SIZE:
            raise forms.ValidationError(
                _("The file is %(size)s; the page takes at most %(max)s. Use the import_artisans command.")
                % {"size": filesizeformat(upload.size), "max": filesizeformat(MAX_FILE_SIZE)}
            )
        if upload.size == 0:
            raise forms.ValidationError(_("The file is empty."))
        return upload
