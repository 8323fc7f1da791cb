from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Fieldset, Layout, Row, Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from core.models import CraftCategory, Province
from fairs.models import Fair
from fairs.services import EDITABLE_FIELDS


class CraftChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.parent.name} — {obj.name}" if obj.parent_id else obj.name


class FairForm(forms.ModelForm):
    """Create and edit a fair. The status is never a field: lifecycle buttons move it."""

    craft_categories = CraftChoiceField(
        label=_("Crafts accepted"),
        queryset=CraftCategory.objects.filter(parent__isnull=False).select_related("parent"),
        required=False,
        help_text=_("Leave empty to accept every craft."),
        widget=forms.SelectMultiple(attrs={"size": 10}),
    )

    class Meta:
        model = Fair
        fields = [*EDITABLE_FIELDS, "craft_categories"]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "applications_open_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
            "applications_close_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
            "description": forms.Textarea(attrs={"rows": 4}),
            "name_ar": forms.TextInput(attrs={"dir": "rtl", "lang": "ar"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["venue"].queryset = self.fields["venue"].queryset.select_related("province")
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Fieldset(
                _("The fair"),
                Row(Column("name", css_class="col-md-6"), Column("name_ar", css_class="col-md-6")),
                Row(
                    Column("slug", css_class="col-md-4"),
                    Column("scope", css_class="col-md-4"),
                    Column("role", css_class="col-md-4"),
                ),
                "description",
            ),
            Fieldset(
                _("Where and when"),
                Row(
                    Column("venue", css_class="col-md-6"),
                    Column("city", css_class="col-md-4"),
                    Column("country", css_class="col-md-2"),
                ),
                Row(Column("starts_on", css_class="col-md-6"), Column("ends_on", css_class="col-md-6")),
                Row(
                    Column("applications_open_at", css_class="col-md-6"),
                    Column("applications_close_at", css_class="col-md-6"),
                ),
            ),
            Fieldset(
                _("Exhibitors"),
                Row(Column("capacity", css_class="col-md-6"), Column("fee", css_class="col-md-6")),
                "craft_categories",
                Row(
                    Column("quota_women", css_class="col-md-4"),
                    Column("quota_rural", css_class="col-md-4"),
                    Column("quota_first_timers", css_class="col-md-4"),
                ),
            ),
            Fieldset(
                _("Review and offers"),
                Row(
                    Column("blind_review", css_class="col-md-4"),
                    Column("score_max", css_class="col-md-4"),
                    Column("offer_days", css_class="col-md-4"),
                ),
                Row(
                    Column("asks_passport", css_class="col-md-4"),
                    Column("asks_languages", css_class="col-md-4"),
                    Column("asks_export", css_class="col-md-4"),
                ),
            ),
        )


class FairFilterForm(forms.Form):
    """The filters of the staff fair list; unknown values are form errors, not 500s."""

    q = forms.CharField(label=_("Search"), required=False)
    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int, empty_value=None)
    scope = forms.ChoiceField(label=_("Scope"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    province = forms.ModelChoiceField(
        label=_("Province"), required=False, queryset=Province.objects.all(), to_field_name="code"
    )

    def __init__(self, *args, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", _("All years")), *[(y, y) for y in years]]
        self.fields["scope"].choices = [("", _("All scopes")), *Fair.Scope.choices]
        self.fields["status"].choices = [("", _("All statuses")), *Fair.Status.choices]
        self.fields["province"].empty_label = _("All provinces")
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Row(
                Column("q", css_class="col-md-3"),
                Column("year", css_class="col-md-2"),
                Column("scope", css_class="col-md-2"),
                Column("status", css_class="col-md-2"),
                Column("province", css_class="col-md-3"),
            ),
            Submit("", _("Filter"), css_class="btn-secondary"),
        )
