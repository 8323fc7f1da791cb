"""Forms of the artisan's own pages: sign-up, profile, product photos, applying, withdrawing.

They parse and check what a phone sends; the services in ``registrations.services`` decide.
Images are checked (a real picture), size-limited and resized here, before any service runs,
so a bad photo is a field error and nothing is created.
"""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Column, Fieldset, Layout, Row
from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.forms.models import ModelChoiceIterator
from django.utils.functional import lazy
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from core.models import CraftCategory, Province
from core.reference import HOME_REGION
from core.validators import format_phone, normalize_cin, normalize_phone
from registrations.images import IMAGE_ACCEPT, clean_image
from registrations.models import (
    BOOTH_SIZES,
    LANGUAGE_CHOICES,
    Application,
    ApplicationPhoto,
    Artisan,
    BoothKind,
    ProductPhoto,
)
from registrations.photos import MAX_APPLICATION_PHOTOS

User = get_user_model()
MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_IMAGE_SIDE = 1200
RTL = {"dir": "rtl", "lang": "ar"}


def checked_image(upload):
    """A real image, at most 5 MB, resized to 1200 px on its longest side (a ``ContentFile``)."""
    return clean_image(upload, max_bytes=MAX_IMAGE_BYTES, max_side=MAX_IMAGE_SIDE)


def _label(name: str, model=Artisan):
    """The model field's name, capitalized (lazily: it follows the active language)."""
    return capfirst(model._meta.get_field(name).verbose_name)


# --- Choices grouped the way people look for them ----------------------------------------


class _CraftIterator(ModelChoiceIterator):
    """Crafts under their sector's name (one query)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        groups: dict = {}
        for craft in self.queryset:
            groups.setdefault(craft.parent.name, []).append(self.choice(craft))
        yield from groups.items()


def crafts_queryset():
    return (
        CraftCategory.objects.filter(parent__isnull=False)
        .select_related("parent")
        .order_by("parent__position", "parent__name_fr", "position", "name_fr")
    )


class CraftField(forms.ModelChoiceField):
    iterator = _CraftIterator

    def __init__(self, **kwargs):
        super().__init__(queryset=crafts_queryset(), **kwargs)


class CraftsField(forms.ModelMultipleChoiceField):
    iterator = _CraftIterator

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.SelectMultiple(attrs={"size": 8}))
        super().__init__(queryset=crafts_queryset(), **kwargs)


class _ProvinceIterator(ModelChoiceIterator):
    """The region's own provinces first, then the others under their region (one query)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        groups: dict = {}
        for province in self.queryset:
            groups.setdefault(province.region, []).append(self.choice(province))
        for region in sorted(groups, key=lambda region: region.code != HOME_REGION):
            yield (region.name, groups[region])


class ProvinceField(forms.ModelChoiceField):
    iterator = _ProvinceIterator

    def __init__(self, **kwargs):
        super().__init__(queryset=Province.objects.select_related("region"), **kwargs)


def _phone_field(required=False):
    return forms.CharField(
        label=_label("phone"),
        required=required,
        max_length=25,
        help_text=_("A Moroccan number, e.g. 06 12 34 56 78."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
    )


def _clean_phone(value: str) -> str:
    return normalize_phone(value) if value.strip() else ""


class ArtisanFieldsMixin(forms.Form):
    """What sign-up and the profile share: names in two scripts, phone, email, place, craft."""

    first_name = forms.CharField(label=_label("first_name"), max_length=80)
    last_name = forms.CharField(label=_label("last_name"), max_length=80)
    first_name_ar = forms.CharField(
        label=_label("first_name_ar"), max_length=80, required=False, widget=forms.TextInput(attrs=RTL)
    )
    last_name_ar = forms.CharField(
        label=_label("last_name_ar"), max_length=80, required=False, widget=forms.TextInput(attrs=RTL)
    )

    def clean_phone(self):
        return _clean_phone(self.cleaned_data.get("phone", ""))

    def clean_email(self):
        return (self.cleaned_data.get("email") or "").strip().lower()

    def clean(self):
        cleaned = super().clean()
        given = cleaned.get("phone") or cleaned.get("email")
        if not given and not self.has_error("phone") and not self.has_error("email"):
            self.add_error("phone", _("Give a phone number or an email address."))
        return cleaned


# --- Sign-up ------------------------------------------------------------------------------


class SignUpForm(ArtisanFieldsMixin):
    cin = forms.CharField(
        label=_("CIN (national identity card)"),
        max_length=12,
        help_text=_("One or two letters then digits, e.g. BE123456. You will log in with it."),
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "autocomplete": "off"}),
    )
    phone = _phone_field()
    email = forms.EmailField(
        label=_label("email"),
        required=False,
        help_text=_(
            "Give a phone number, an email address, or both. Emails about your applications go here."
        ),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        help_text=_("At least 8 characters, not only digits, not too common."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    gender = forms.ChoiceField(
        label=_label("gender"), choices=Artisan.Gender.choices, widget=forms.RadioSelect
    )
    birth_year = forms.IntegerField(
        label=_label("birth_year"),
        min_value=1920,
        max_value=2015,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "placeholder": "1985"}),
    )
    main_craft = CraftField(label=_label("main_craft"), empty_label=_("Choose your craft"))
    province = ProvinceField(label=_label("province"), empty_label=_("Choose your province"))
    area = forms.ChoiceField(
        label=_label("area"),
        choices=Artisan.Area.choices,
        initial=Artisan.Area.URBAN,
        widget=forms.RadioSelect,
    )

    # Service error keys that are not the form's own field names.
    service_fields = {"password": "password1"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Fieldset(
                _("Your name"),
                Row(Column("first_name", css_class="col-sm-6"), Column("last_name", css_class="col-sm-6")),
                Row(
                    Column("first_name_ar", css_class="col-sm-6"),
                    Column("last_name_ar", css_class="col-sm-6"),
                ),
            ),
            Fieldset(
                _("Your account"),
                "cin",
                Row(Column("phone", css_class="col-sm-6"), Column("email", css_class="col-sm-6")),
                Row(Column("password1", css_class="col-sm-6"), Column("password2", css_class="col-sm-6")),
            ),
            Fieldset(
                _("About you"),
                Row(Column("gender", css_class="col-6"), Column("birth_year", css_class="col-6")),
                "main_craft",
                "province",
                "area",
            ),
        )

    def clean_cin(self):
        return normalize_cin(self.cleaned_data["cin"])

    def clean(self):
        cleaned = super().clean()
        one, two = cleaned.get("password1"), cleaned.get("password2")
        if one and two and one != two:
            self.add_error("password2", _("The two passwords are not the same."))
        elif one:
            # The service checks again; here, so every mistake shows at once.
            user = User(
                username=cleaned.get("cin", ""),
                first_name=cleaned.get("first_name", ""),
                last_name=cleaned.get("last_name", ""),
                email=cleaned.get("email", ""),
            )
            try:
                validate_password(one, user)
            except ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned

    def artisan_fields(self) -> dict:
        data = self.cleaned_data
        names = ("first_name", "last_name", "first_name_ar", "last_name_ar", "cin", "phone", "email")
        fields = {name: data[name].strip() if isinstance(data[name], str) else data[name] for name in names}
        fields.update(
            gender=data["gender"],
            birth_year=data["birth_year"],
            main_craft=data["main_craft"],
            province=data["province"],
            area=data["area"],
        )
        return fields


# --- Profile ------------------------------------------------------------------------------


class ProfileForm(ArtisanFieldsMixin):
    """The artisan edits their own profile. The CIN is shown, never edited here."""

    phone = _phone_field()
    email = forms.EmailField(
        label=_label("email"), required=False, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    gender = forms.ChoiceField(
        label=_label("gender"), choices=Artisan.Gender.choices, widget=forms.RadioSelect
    )
    birth_year = forms.IntegerField(
        label=_label("birth_year"),
        min_value=1920,
        max_value=2015,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    province = ProvinceField(label=_label("province"))
    commune = forms.CharField(label=_label("commune"), max_length=100, required=False)
    area = forms.ChoiceField(label=_label("area"), choices=Artisan.Area.choices, widget=forms.RadioSelect)
    main_craft = CraftField(label=_label("main_craft"))
    other_crafts = CraftsField(
        label=_label("other_crafts"),
        required=False,
        help_text=_("Hold Ctrl (or long-press on a phone) to choose several."),
    )
    languages = forms.MultipleChoiceField(
        label=_label("languages"),
        choices=LANGUAGE_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    language = forms.ChoiceField(
        label=_label("language"),
        choices=settings.LANGUAGES,
        help_text=_("Emails about your applications are written in this language."),
    )
    bio = forms.CharField(
        label=_label("bio"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    shop_url = forms.URLField(
        label=_label("shop_url"),
        required=False,
        assume_scheme="https",
        help_text=_("Your shop online or a page about your work."),
    )
    photo = forms.FileField(
        label=_("New photo of you"),
        required=False,
        help_text=_("A JPEG or PNG picture, up to 5 MB."),
        widget=forms.FileInput(attrs={"accept": IMAGE_ACCEPT}),
    )
    remove_photo = forms.BooleanField(label=_("Remove my photo"), required=False)

    FIELDS = (
        "first_name", "last_name", "first_name_ar", "last_name_ar", "phone", "email", "gender", "birth_year",
        "province", "commune", "area", "main_craft", "languages", "language", "bio", "shop_url",
    )  # fmt: skip

    def __init__(self, *args, artisan: Artisan, **kwargs):
        initial = {name: getattr(artisan, name) for name in self.FIELDS}
        initial["phone"] = format_phone(artisan.phone)
        initial["other_crafts"] = list(artisan.other_crafts.values_list("pk", flat=True))
        kwargs["initial"] = {**initial, **(kwargs.get("initial") or {})}
        super().__init__(*args, **kwargs)
        self.artisan = artisan
        if not artisan.photo:
            del self.fields["remove_photo"]
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Fieldset(
                _("Your name"),
                Row(Column("first_name", css_class="col-sm-6"), Column("last_name", css_class="col-sm-6")),
                Row(
                    Column("first_name_ar", css_class="col-sm-6"),
                    Column("last_name_ar", css_class="col-sm-6"),
                ),
            ),
            Fieldset(
                _("How to reach you"),
                Row(Column("phone", css_class="col-sm-6"), Column("email", css_class="col-sm-6")),
                "language",
            ),
            Fieldset(
                _("About you"),
                Row(Column("gender", css_class="col-6"), Column("birth_year", css_class="col-6")),
                Row(Column("province", css_class="col-sm-6"), Column("commune", css_class="col-sm-6")),
                "area",
            ),
            Fieldset(
                _("Your craft"),
                "main_craft",
                "other_crafts",
                "languages",
                "bio",
                "shop_url",
            ),
            Fieldset(
                _("Your photo"),
                "photo",
                *(["remove_photo"] if artisan.photo else []),
            ),
        )

    def clean_photo(self):
        upload = self.cleaned_data.get("photo")
        return checked_image(upload) if upload else None

    def service_kwargs(self) -> dict:
        """The fields for ``artisan_update``: all of them, plus the photo when it changes."""
        data = self.cleaned_data
        fields = {name: data[name] for name in self.FIELDS}
        for name in ("first_name", "last_name", "first_name_ar", "last_name_ar", "commune", "bio"):
            fields[name] = fields[name].strip()
        if data.get("photo"):
            fields["photo"] = data["photo"]
        elif data.get("remove_photo"):
            fields["photo"] = ""
        return {"other_crafts": list(data["other_crafts"]), **fields}


class ProductPhotoForm(forms.Form):
    image = forms.FileField(
        label=_("Photo of a product"),
        help_text=_("A JPEG or PNG picture, up to 5 MB."),
        widget=forms.FileInput(attrs={"accept": IMAGE_ACCEPT}),
    )
    caption = forms.CharField(label=_label("caption", ProductPhoto), max_length=150, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_image(self):
        return checked_image(self.cleaned_data["image"])


# --- Applying -----------------------------------------------------------------------------


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    """Several photos in one input; each is checked and resized."""

    def __init__(self, *args, max_count: int, **kwargs):
        self.max_count = max_count
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": IMAGE_ACCEPT}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        uploads = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if not uploads:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        if len(uploads) > self.max_count:
            raise ValidationError(
                _("Send at most %(count)s photos.") % {"count": self.max_count}, code="too_many_photos"
            )
        images, errors = [], []
        for number, upload in enumerate(uploads, start=1):
            try:
                images.append(checked_image(super().clean(upload, initial)))
            except ValidationError as exc:
                for message in exc.messages:
                    errors.append(
                        _("Photo %(number)s (%(name)s): %(message)s")
                        % {"number": number, "name": getattr(upload, "name", ""), "message": message}
                    )
        if errors:
            raise ValidationError(errors)
        return images


class SectorField(forms.ModelChoiceField):
    def __init__(self, **kwargs):
        super().__init__(queryset=CraftCategory.objects.filter(parent__isnull=True), **kwargs)


class ApplicationForm(forms.Form):
    """Apply for a booth, or edit an application. Extra questions only when the fair asks."""

    booth_kind = forms.ChoiceField(
        label=_label("booth_kind", Application),
        choices=BoothKind.choices,
        initial=BoothKind.STANDARD,
        widget=forms.RadioSelect,
    )
    booth_size = forms.TypedChoiceField(
        label=_label("booth_size", Application),
        choices=BOOTH_SIZES,
        coerce=int,
        initial=9,
        widget=forms.RadioSelect,
    )
    preferred_sector = SectorField(
        label=_label("preferred_sector", Application),
        required=False,
        empty_label=_("No preference"),
    )
    near_cooperative = forms.BooleanField(label=_label("near_cooperative", Application), required=False)
    products = forms.CharField(
        label=_label("products", Application),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What you make and will sell, e.g. tajines, plates and vases in painted clay."),
    )
    needs_electricity = forms.BooleanField(label=_label("needs_electricity", Application), required=False)
    needs_accessibility = forms.BooleanField(label=_label("needs_accessibility", Application), required=False)
    needs_notes = forms.CharField(label=_label("needs_notes", Application), max_length=300, required=False)
    passport_valid_until = forms.DateField(
        label=_label("passport_valid_until", Application),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    languages = forms.MultipleChoiceField(
        label=_label("languages", Application),
        choices=LANGUAGE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("French and English matter for foreign customers."),
    )
    export_experience = forms.CharField(
        label=_label("export_experience", Application),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Countries, customers, quantities — or write “none”."),
    )
    photos = MultipleImageField(
        label=_("Photos of your work"),
        required=False,
        max_count=MAX_APPLICATION_PHOTOS,
        # Interpolated when shown, so it follows the language of the request.
        help_text=lazy(
            lambda: _("Up to %(count)s pictures, 5 MB each.") % {"count": MAX_APPLICATION_PHOTOS}, str
        )(),
    )
    remove_photos = forms.ModelMultipleChoiceField(
        label=_("Remove these photos"),
        queryset=ApplicationPhoto.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, fair, artisan: Artisan, application: Application | None = None, **kwargs):
        if application is not None:
            initial = {name: getattr(application, name) for name in self.service_field_names(fair)}
            initial["preferred_sector"] = application.preferred_sector_id
        elif fair.asks_languages and artisan.languages:
            initial = {"languages": artisan.languages}
        else:
            initial = {}
        kwargs["initial"] = {**initial, **(kwargs.get("initial") or {})}
        super().__init__(*args, **kwargs)
        self.fair, self.artisan, self.application = fair, artisan, application
        if not fair.asks_passport:
            del self.fields["passport_valid_until"]
        if not fair.asks_languages:
            del self.fields["languages"]
        if not fair.asks_export:
            del self.fields["export_experience"]
        if not artisan.cooperative_id:
            del self.fields["near_cooperative"]
        self.existing_photos = list(application.photos.all()) if application is not None else []
        if self.existing_photos:
            # Rendered by the template, as thumbnails with a checkbox each.
            self.fields["remove_photos"].queryset = application.photos.all()
        else:
            del self.fields["remove_photos"]
        extra = [
            name for name in ("passport_valid_until", "languages", "export_experience") if name in self.fields
        ]
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Fieldset(
                _("Your booth"),
                "booth_kind",
                "booth_size",
                "preferred_sector",
                *(["near_cooperative"] if "near_cooperative" in self.fields else []),
            ),
            Fieldset(
                _("What you will show"),
                "products",
                "photos",
                # Photos already attached, each a thumbnail with a "remove" checkbox.
                HTML('{% include "registrations/self_service/_existing_photos.html" %}'),
            ),
            Fieldset(_("What you need"), "needs_electricity", "needs_accessibility", "needs_notes"),
            *([Fieldset(_("For this exhibition"), *extra)] if extra else []),
        )

    @staticmethod
    def service_field_names(fair) -> list[str]:
        names = [
            "booth_kind", "booth_size", "preferred_sector", "near_cooperative", "products",
            "needs_electricity", "needs_accessibility", "needs_notes",
        ]  # fmt: skip
        if fair.asks_passport:
            names.append("passport_valid_until")
        if fair.asks_languages:
            names.append("languages")
        if fair.asks_export:
            names.append("export_experience")
        return names

    def clean(self):
        cleaned = super().clean()
        kept = len(self.existing_photos) - len(cleaned.get("remove_photos") or [])
        if len(cleaned.get("photos") or []) + kept > MAX_APPLICATION_PHOTOS:
            self.add_error(
                "photos",
                _("An application holds at most %(count)s photos: remove one first.")
                % {"count": MAX_APPLICATION_PHOTOS},
            )
        return cleaned

    def service_kwargs(self) -> dict:
        """The application fields for ``application_create`` / ``application_update``."""
        data = self.cleaned_data
        fields = {}
        for name in self.service_field_names(self.fair):
            if name in self.fields:
                fields[name] = data[name]
        for name in ("products", "needs_notes", "export_experience"):
            if name in fields:
                fields[name] = fields[name].strip()
        return fields


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you withdraw?"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("A few words help the delegation plan the fair."),
    )
