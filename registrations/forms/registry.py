"""Staff forms of the registry: the artisan list filters, the artisan form, the cooperative form.

Forms parse and check input; saving goes through ``registrations.services`` (artisans) and
``registrations.cooperatives`` (cooperatives), which also check that a CIN, a registry number
or a cooperative's registration number is not taken — so the forms skip Django's own unique
checks and the message is the same on every page and in the API.
"""

from crispy_forms.bootstrap import InlineCheckboxes
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Field, Fieldset, Layout, Row, Submit
from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.forms.models import ModelChoiceIterator
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from core.models import CraftCategory, Province
from core.validators import format_phone, normalize_cin, normalize_phone, normalize_registry_number
from registrations.images import IMAGE_ACCEPT, MAX_IMAGE_BYTES, MAX_IMAGE_SIDE, clean_image
from registrations.models import LANGUAGE_CHOICES, Artisan, Cooperative
from registrations.selectors import crafts_grouped

# Fields written left to right whatever the page's direction (numbers, addresses).
LTR = {"dir": "ltr"}
RTL_ARABIC = {"dir": "rtl", "lang": "ar"}


# --- Crafts, grouped by sector ------------------------------------------------------------


class GroupedCraftIterator(ModelChoiceIterator):
    """Options under one ``<optgroup>`` per sector; a sector in the queryset comes first in
    its group (labelled by ``label_from_instance``)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for sector, crafts in crafts_grouped(self.queryset):
            options = [self.choice(sector)] if any(c.pk == sector.pk for c in crafts) else []
            options += [self.choice(c) for c in crafts if c.pk != sector.pk]
            yield (sector.name, options)


class CraftLabelMixin:
    def label_from_instance(self, obj):
        if obj.parent_id is None:
            return _("%(sector)s — every craft") % {"sector": obj.name}
        return obj.name


class CraftField(CraftLabelMixin, forms.ModelChoiceField):
    iterator = GroupedCraftIterator


class CraftsField(CraftLabelMixin, forms.ModelMultipleChoiceField):
    iterator = GroupedCraftIterator


def crafts_only():
    return CraftCategory.objects.filter(parent__isnull=False).select_related("parent")


# --- The artisan list ---------------------------------------------------------------------


class ArtisanFilterForm(forms.Form):
    """Filters of the staff artisan list; an unknown value is a form error, never a 500."""

    YES, NO = "yes", "no"

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        help_text=_("Name in Latin or Arabic script, CIN or registry number."),
    )
    craft = CraftField(
        label=_("Craft"),
        required=False,
        queryset=CraftCategory.objects.select_related("parent"),
        to_field_name="code",
        empty_label=_("All crafts"),
    )
    province = forms.ModelChoiceField(
        label=_("Province"),
        required=False,
        queryset=Province.objects.all(),
        to_field_name="code",
        empty_label=_("All provinces"),
    )
    cooperative = forms.ModelChoiceField(
        label=_("Cooperative"),
        required=False,
        queryset=Cooperative.objects.all(),
        empty_label=_("All cooperatives"),
    )
    gender = forms.ChoiceField(label=_("Gender"), required=False)
    area = forms.ChoiceField(label=_("Urban or rural"), required=False)
    has_account = forms.ChoiceField(label=_("Account"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["gender"].choices = [("", _("Women and men")), *Artisan.Gender.choices]
        self.fields["area"].choices = [("", _("Urban and rural")), *Artisan.Area.choices]
        self.fields["has_account"].choices = [
            ("", _("With or without an account")),
            (self.YES, _("has an account")),
            (self.NO, _("no account")),
        ]
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.disable_csrf = True
        self.helper.form_show_labels = True
        self.helper.layout = Layout(
            Row(
                Column(Field("q", type="search", autocomplete="off"), css_class="col-12 col-lg-4"),
                Column("craft", css_class="col-12 col-sm-6 col-lg-4"),
                Column("province", css_class="col-12 col-sm-6 col-lg-4"),
            ),
            Row(
                Column("cooperative", css_class="col-12 col-sm-6 col-lg-3"),
                Column("gender", css_class="col-6 col-sm-6 col-lg-3"),
                Column("area", css_class="col-6 col-sm-6 col-lg-3"),
                Column("has_account", css_class="col-12 col-sm-6 col-lg-3"),
            ),
            Submit("", _("Filter"), css_class="btn-secondary"),
        )

    def filters(self) -> dict:
        """Keyword arguments for ``selectors.artisan_list`` (call after ``is_valid``)."""
        data = self.cleaned_data
        account = {self.YES: True, self.NO: False}.get(data.get("has_account") or "")
        return {
            "q": data.get("q") or "",
            "craft": data.get("craft"),
            "province": data.get("province"),
            "cooperative": data.get("cooperative"),
            "gender": data.get("gender") or "",
            "area": data.get("area") or "",
            "has_account": account,
        }


# --- The artisan form ---------------------------------------------------------------------

ARTISAN_FORM_FIELDS = [
    "first_name",
    "last_name",
    "first_name_ar",
    "last_name_ar",
    "cin",
    "registry_number",
    "gender",
    "birth_year",
    "phone",
    "email",
    "language",
    "province",
    "commune",
    "area",
    "main_craft",
    "other_crafts",
    "cooperative",
    "languages",
    "bio",
    "shop_url",
    "photo",
]


class ArtisanForm(forms.ModelForm):
    """Create or edit an artisan (staff). CIN, phone and registry number are accepted the way
    people write them ("be 123456", "06 12 34 56 78", "+212 6…") and stored in one form."""

    # Longer than the stored forms: people write "be 123 456" and "+212 6 12 34 56 78".
    cin = forms.CharField(
        label=capfirst(Artisan._meta.get_field("cin").verbose_name),
        max_length=20,
        widget=forms.TextInput(attrs={**LTR, "autocapitalize": "characters", "placeholder": "BE123456"}),
    )
    phone = forms.CharField(
        label=capfirst(Artisan._meta.get_field("phone").verbose_name),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={**LTR, "type": "tel", "placeholder": "06 12 34 56 78"}),
    )
    main_craft = CraftField(
        label=capfirst(Artisan._meta.get_field("main_craft").verbose_name), queryset=crafts_only()
    )
    other_crafts = CraftsField(
        label=capfirst(Artisan._meta.get_field("other_crafts").verbose_name),
        queryset=crafts_only(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("Hold Ctrl (or ⌘) to choose several."),
    )
    shop_url = forms.URLField(
        label=capfirst(Artisan._meta.get_field("shop_url").verbose_name),
        required=False,
        assume_scheme="https",
        widget=forms.URLInput(attrs={**LTR, "placeholder": "https://"}),
    )
    languages = forms.MultipleChoiceField(
        label=capfirst(Artisan._meta.get_field("languages").verbose_name),
        choices=LANGUAGE_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    photo = forms.FileField(
        label=capfirst(Artisan._meta.get_field("photo").verbose_name),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": IMAGE_ACCEPT}),
    )

    class Meta:
        model = Artisan
        fields = ARTISAN_FORM_FIELDS
        widgets = {
            "first_name": forms.TextInput(attrs={**LTR, "autocomplete": "off"}),
            "last_name": forms.TextInput(attrs={**LTR, "autocomplete": "off"}),
            "commune": forms.TextInput(attrs={"dir": "auto"}),
            "first_name_ar": forms.TextInput(attrs={**RTL_ARABIC, "autocomplete": "off"}),
            "last_name_ar": forms.TextInput(attrs={**RTL_ARABIC, "autocomplete": "off"}),
            "registry_number": forms.TextInput(attrs={**LTR, "autocapitalize": "characters"}),
            "birth_year": forms.NumberInput(attrs={"min": 1920, "max": 2015, "inputmode": "numeric"}),
            "email": forms.EmailInput(attrs=LTR),
            "bio": forms.Textarea(attrs={"rows": 4, "dir": "auto"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cooperative"].queryset = Cooperative.objects.all()
        self.fields["language"].choices = settings.LANGUAGES
        if self.instance.phone and not self.is_bound:
            self.initial["phone"] = format_phone(self.instance.phone)  # as people read it
        self.fields["photo"].help_text = _(
            "JPEG or PNG, up to %(size)s MB; it is resized to %(side)s pixels."
        ) % {"size": MAX_IMAGE_BYTES // (1024 * 1024), "side": MAX_IMAGE_SIDE}
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Fieldset(
                _("Identity"),
                Row(Column("first_name", css_class="col-sm-6"), Column("last_name", css_class="col-sm-6")),
                Row(
                    Column("first_name_ar", css_class="col-sm-6"),
                    Column("last_name_ar", css_class="col-sm-6"),
                ),
                Row(Column("cin", css_class="col-sm-6"), Column("registry_number", css_class="col-sm-6")),
                Row(Column("gender", css_class="col-6"), Column("birth_year", css_class="col-6")),
            ),
            Fieldset(
                _("Contact"),
                Row(
                    Column("phone", css_class="col-sm-6 col-lg-4"),
                    Column("email", css_class="col-sm-6 col-lg-4"),
                    Column("language", css_class="col-sm-6 col-lg-4"),
                ),
            ),
            Fieldset(
                _("Where"),
                Row(
                    Column("province", css_class="col-sm-6 col-lg-4"),
                    Column("commune", css_class="col-sm-6 col-lg-4"),
                    Column("area", css_class="col-sm-6 col-lg-4"),
                ),
            ),
            Fieldset(
                _("Craft"),
                Row(
                    Column("main_craft", css_class="col-md-6"),
                    Column("cooperative", css_class="col-md-6"),
                ),
                "other_crafts",
                InlineCheckboxes("languages"),
                "bio",
                Row(Column("shop_url", css_class="col-md-6"), Column("photo", css_class="col-md-6")),
            ),
        )

    def clean_cin(self):
        return normalize_cin(self.cleaned_data["cin"])

    def clean_phone(self):
        phone = self.cleaned_data.get("phone")
        return normalize_phone(phone) if phone else ""

    def clean_registry_number(self):
        number = self.cleaned_data.get("registry_number")
        return normalize_registry_number(number) if number else ""

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if isinstance(photo, UploadedFile):
            return clean_image(photo)
        return photo

    def _get_validation_exclusions(self):
        # CIN, phone and registry number are checked by their clean_* methods above; a taken
        # CIN or registry number is the service's to refuse (one message, on the field),
        # so the model's unique checks and constraints on them are not run here.
        exclusions = super()._get_validation_exclusions()
        exclusions.update({"cin", "phone", "registry_number"})
        return exclusions

    def service_fields(self) -> dict:
        """``cleaned_data`` as ``artisan_create`` / ``artisan_update`` take it, without
        ``other_crafts`` (passed on its own) and without ``photo`` unless it changed."""
        data = {name: self.cleaned_data[name] for name in ARTISAN_FORM_FIELDS if name in self.cleaned_data}
        data.pop("other_crafts", None)
        photo = data.pop("photo", None)
        if photo is False:  # "clear" ticked
            data["photo"] = ""
        elif photo is not None and not getattr(photo, "_committed", False):
            data["photo"] = photo
        return data


# --- Cooperatives -------------------------------------------------------------------------


class CooperativeFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    province = forms.ModelChoiceField(
        label=_("Province"),
        required=False,
        queryset=Province.objects.all(),
        to_field_name="code",
        empty_label=_("All provinces"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Row(
                Column(Field("q", type="search"), css_class="col-sm-6"),
                Column("province", css_class="col-sm-6"),
            ),
            Submit("", _("Filter"), css_class="btn-secondary"),
        )


class CooperativeForm(forms.ModelForm):
    class Meta:
        model = Cooperative
        fields = ["name", "name_ar", "kind", "registration_number", "province", "women_only"]
        widgets = {
            "name": forms.TextInput(attrs=LTR),
            "name_ar": forms.TextInput(attrs=RTL_ARABIC),
            "registration_number": forms.TextInput(attrs=LTR),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Row(Column("name", css_class="col-md-6"), Column("name_ar", css_class="col-md-6")),
            Row(
                Column("kind", css_class="col-sm-6"),
                Column("registration_number", css_class="col-sm-6"),
            ),
            Row(Column("province", css_class="col-sm-6"), Column("women_only", css_class="col-sm-6 pt-sm-4")),
        )

    def validate_unique(self):
        """``registrations.cooperatives`` checks a taken registration number."""
