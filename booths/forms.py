"""Forms of the floor-plan pages. They parse input; booths.services decides and writes.

The action forms (assign, move, swap) look their object up among *all* rows but offer only
the sensible ones in their select: a stale page (the booth was held meanwhile, the exhibitor
withdrew) then gets the service's own words — "booth A07 is held: …" — instead of Django's
"select a valid choice".
"""

from decimal import Decimal

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Fieldset, Layout, Row
from django import forms
from django.utils.translation import gettext_lazy as _

from booths.models import Booth, Zone
from booths.services import BOOTH_FIELDS
from core.models import CraftCategory
from fairs.models import Fair
from registrations.models import BOOTH_SIZES, Application, BoothKind

SIZE_CHOICES = [(value, label) for value, label in BOOTH_SIZES]


def _helper(layout=None) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    if layout is not None:
        helper.layout = layout
    return helper


def _check_area(form, width, depth, size) -> None:
    """A booth's drawn area is its size: the price and the engine follow the size, the plan
    the width and depth, so a mismatch is a mistake on one side or the other."""
    if width is None or depth is None or size is None:
        return
    if abs(width * depth - Decimal(size)) > Decimal("0.01"):
        form.add_error(
            "size",
            _("A %(size)s m² booth needs width × depth = %(size)s; %(width)s × %(depth)s is %(area)s m².")
            % {
                "size": size,
                "width": width.normalize(),
                "depth": depth.normalize(),
                "area": (width * depth).normalize(),
            },
        )


class ZoneForm(forms.ModelForm):
    """A zone's name (in Latin and Arabic script), colour and crafts (sectors or crafts)."""

    crafts = forms.ModelMultipleChoiceField(
        label=_("Crafts"),
        queryset=CraftCategory.objects.all(),
        required=False,
        help_text=_("Tick a sector to take all its crafts. Leave empty for a zone that takes every craft."),
    )

    class Meta:
        model = Zone
        fields = ["name", "name_ar", "colour"]
        widgets = {
            "name_ar": forms.TextInput(attrs={"dir": "rtl", "lang": "ar"}),
            "colour": forms.TextInput(attrs={"type": "color", "class": "form-control-color"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["crafts"] = [c.pk for c in self.instance.craft_categories.all()]
        self.helper = _helper(
            Layout(
                Row(
                    Column("name", css_class="col-md-5"),
                    Column("name_ar", css_class="col-md-5"),
                    Column("colour", css_class="col-md-2"),
                ),
            )
        )

    def craft_groups(self) -> list[dict]:
        """The crafts by sector for the template: [{sector, checked, crafts: [{…}]}]."""
        if self.is_bound:
            chosen = {str(v) for v in self.data.getlist(self.add_prefix("crafts"))}
        else:
            chosen = {str(v) for v in self.initial.get("crafts", [])}
        categories = list(CraftCategory.objects.select_related("parent").order_by("position", "name_fr"))
        sectors = [c for c in categories if c.parent_id is None]
        groups = []
        for sector in sectors:
            groups.append(
                {
                    "sector": sector,
                    "checked": str(sector.pk) in chosen,
                    "crafts": [
                        {"craft": c, "checked": str(c.pk) in chosen}
                        for c in categories
                        if c.parent_id == sector.pk
                    ],
                }
            )
        return groups


class GridForm(forms.Form):
    """A block of booths, rows × columns, numbered left to right and row after row."""

    zone = forms.ModelChoiceField(
        label=_("Zone"), queryset=Zone.objects.none(), required=False, empty_label=_("No zone (every craft)")
    )
    prefix = forms.CharField(
        label=_("Code prefix"), max_length=8, required=False, help_text=_("A gives A01, A02…")
    )
    start = forms.IntegerField(label=_("First number"), min_value=0, max_value=9999, initial=1)
    rows = forms.IntegerField(label=_("Rows"), min_value=1, max_value=100, initial=2)
    columns = forms.IntegerField(label=_("Booths per row"), min_value=1, max_value=100, initial=5)
    x = forms.DecimalField(label=_("From x (m)"), min_value=0, max_value=9999, decimal_places=2, initial=0)
    y = forms.DecimalField(label=_("From y (m)"), min_value=0, max_value=9999, decimal_places=2, initial=0)
    width = forms.DecimalField(
        label=_("Width (m)"), min_value=Decimal("0.5"), max_value=50, decimal_places=2, initial=3
    )
    depth = forms.DecimalField(
        label=_("Depth (m)"), min_value=Decimal("0.5"), max_value=50, decimal_places=2, initial=3
    )
    aisle = forms.DecimalField(
        label=_("Aisle between rows (m)"), min_value=0, max_value=50, decimal_places=2, initial=2
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=BoothKind.choices, initial=BoothKind.STANDARD)
    size = forms.TypedChoiceField(label=_("Size"), choices=SIZE_CHOICES, coerce=int, initial=9)
    price = forms.DecimalField(
        label=_("Price (MAD)"), min_value=0, max_digits=10, decimal_places=2, initial=0
    )
    tier = forms.TypedChoiceField(
        label=_("Traffic"), choices=Booth.Tier.choices, coerce=int, initial=Booth.Tier.MEDIUM
    )
    accessible = forms.BooleanField(label=_("Step-free access"), required=False, initial=True)
    has_electricity = forms.BooleanField(label=_("Electricity"), required=False, initial=True)

    def __init__(self, *args, fair: Fair, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["zone"].queryset = Zone.objects.filter(fair=fair).order_by("position", "name")
        self.helper = _helper(
            Layout(
                Fieldset(
                    _("Where"),
                    Row(
                        Column("zone", css_class="col-md-6"),
                        Column("prefix", css_class="col-6 col-md-3"),
                        Column("start", css_class="col-6 col-md-3"),
                    ),
                    Row(
                        Column("rows", css_class="col-6 col-md-3"),
                        Column("columns", css_class="col-6 col-md-3"),
                        Column("x", css_class="col-6 col-md-3"),
                        Column("y", css_class="col-6 col-md-3"),
                    ),
                    Row(
                        Column("width", css_class="col-4"),
                        Column("depth", css_class="col-4"),
                        Column("aisle", css_class="col-4"),
                    ),
                ),
                Fieldset(
                    _("Every booth of the grid"),
                    Row(
                        Column("kind", css_class="col-6 col-md-3"),
                        Column("size", css_class="col-6 col-md-3"),
                        Column("price", css_class="col-6 col-md-3"),
                        Column("tier", css_class="col-6 col-md-3"),
                    ),
                    Row(
                        Column("accessible", css_class="col-6"), Column("has_electricity", css_class="col-6")
                    ),
                ),
            )
        )

    def clean(self):
        data = super().clean()
        _check_area(self, data.get("width"), data.get("depth"), data.get("size"))
        return data

    def grid_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("zone")
        data["prefix"] = data["prefix"].strip()
        return data


class BoothForm(forms.ModelForm):
    """One booth, placed by hand."""

    class Meta:
        model = Booth
        fields = list(BOOTH_FIELDS)

    def __init__(self, *args, fair: Fair, **kwargs):
        kwargs.setdefault("instance", Booth(fair=fair))
        super().__init__(*args, **kwargs)
        self.fields["zone"].queryset = Zone.objects.filter(fair=fair).order_by("position", "name")
        self.fields["zone"].empty_label = _("No zone (every craft)")
        self.helper = _helper(
            Layout(
                Row(Column("zone", css_class="col-md-6"), Column("code", css_class="col-md-6")),
                Row(
                    Column("kind", css_class="col-6 col-md-3"),
                    Column("size", css_class="col-6 col-md-3"),
                    Column("price", css_class="col-6 col-md-3"),
                    Column("tier", css_class="col-6 col-md-3"),
                ),
                Row(
                    Column("x", css_class="col-6 col-md-3"),
                    Column("y", css_class="col-6 col-md-3"),
                    Column("width", css_class="col-6 col-md-3"),
                    Column("depth", css_class="col-6 col-md-3"),
                ),
                Row(Column("accessible", css_class="col-6"), Column("has_electricity", css_class="col-6")),
            )
        )

    def clean(self):
        data = super().clean()
        _check_area(self, data.get("width"), data.get("depth"), data.get("size"))
        return data


class PlanCopyForm(forms.Form):
    source = forms.ModelChoiceField(label=_("Copy the plan of"), queryset=Fair.objects.none())

    def __init__(self, *args, sources, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = sources
        self.fields["source"].label_from_instance = lambda fair: (
            _("%(fair)s (%(date)s), %(count)s booths")
            % {
                "fair": fair.display_name,
                "date": fair.starts_on.year,
                "count": fair.booth_count,
            }
        )


# --- Booth actions -----------------------------------------------------------------------


class _OfferedChoices:
    """Validate against a wide queryset, offer a narrow list in the select (see the module)."""

    def offer(self, name: str, objects, label) -> None:
        field = self.fields[name]
        field.label_from_instance = label
        field.widget.choices = [("", _("— choose —")), *((obj.pk, label(obj)) for obj in objects)]


def exhibitor_name(application: Application) -> str:
    artisan = application.artisan
    name = artisan.full_name
    if artisan.full_name_ar:
        name = f"{name} · {artisan.full_name_ar}"
    return f"{name} — {artisan.main_craft.name}"


class BoothStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Booth.Status.choices)
    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        required=False,
        help_text=_("Required to hold or block: e.g. kept for the guest of honour, pillar."),
    )


class AssignForm(_OfferedChoices, forms.Form):
    application = forms.ModelChoiceField(
        label=_("Exhibitor"), queryset=Application.objects.select_related("artisan", "artisan__main_craft")
    )
    lock = forms.BooleanField(
        label=_("Lock it (a new allocation run keeps it)"), required=False, initial=True
    )

    def __init__(self, *args, applications=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.offer(
            "application",
            applications,
            lambda a: f"{exhibitor_name(a)} ({a.get_booth_kind_display()}, {a.booth_size} m²)",
        )


class MoveForm(_OfferedChoices, forms.Form):
    to_booth = forms.ModelChoiceField(label=_("Move to the free booth"), queryset=Booth.objects.all())

    def __init__(self, *args, booths=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.offer("to_booth", booths, booth_choice_label)


class SwapForm(_OfferedChoices, forms.Form):
    other = forms.ModelChoiceField(label=_("Swap with the booth"), queryset=Booth.objects.all())

    def __init__(self, *args, booths=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.offer("other", booths, booth_choice_label)


class VacateForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)
    confirm = forms.BooleanField(
        label=_("Yes, free this booth: the exhibitor will have none."),
        error_messages={"required": _("Tick the box to confirm.")},
    )


def booth_choice_label(booth: Booth) -> str:
    parts = [booth.code]
    if booth.zone_id:
        parts.append(booth.zone.display_name)
    parts.append(f"{booth.get_kind_display()} {booth.size} m²")
    assignment = getattr(booth, "assignment", None)
    if assignment is not None:
        parts.append(exhibitor_name(assignment.application))
    return " — ".join(str(p) for p in parts)
