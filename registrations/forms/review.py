"""Forms of jury review and the staff decision board. They parse input; services decide."""

from crispy_forms.bootstrap import InlineRadios
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row, Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from fairs.models import Fair
from registrations.models import Application

# Up to this many points a scale is a row of radio buttons (easy on a phone); beyond, a list.
RADIO_SCALE_MAX = 10


class ScoreForm(forms.Form):
    """A reviewer's score (1 to the fair's highest score) and comment."""

    score = forms.TypedChoiceField(label=_("Score"), coerce=int)
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
        help_text=_("Only delegation staff read it."),
    )

    def __init__(self, *args, fair: Fair, **kwargs):
        super().__init__(*args, **kwargs)
        top = fair.score_max
        field = self.fields["score"]
        field.choices = [(n, str(n)) for n in range(1, top + 1)]
        field.help_text = _("1 is the weakest, %(top)s the strongest.") % {"top": top}
        field.error_messages["invalid_choice"] = _("The score must be a whole number from 1 to %(top)s.") % {
            "top": top
        }
        if top <= RADIO_SCALE_MAX:
            field.widget = forms.RadioSelect(choices=field.choices)
        else:
            field.choices = [("", "—"), *field.choices]
        self.helper = FormHelper()
        self.helper.layout = Layout(
            InlineRadios("score") if top <= RADIO_SCALE_MAX else "score",
            "comment",
            Submit("save", _("Save my score")),
        )


DECISION_CHOICES = [
    ("accept", _("Accept (offer a place)")),
    ("waitlist", _("Waitlist")),
    ("reject", _("Reject")),
]


class DecisionForm(forms.Form):
    """Staff decide one or several applications of one fair (checkboxes of the board)."""

    applications = forms.ModelMultipleChoiceField(
        label=_("Applications"),
        queryset=Application.objects.none(),
        error_messages={
            "required": _("Select at least one application."),
            "invalid_choice": _("An application you selected is not one of this fair's."),
            "invalid_pk_value": _("An application you selected is not one of this fair's."),
        },
    )
    decision = forms.ChoiceField(label=_("Decision"), choices=DECISION_CHOICES, required=False)
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)
    preview = forms.BooleanField(required=False)

    def __init__(self, *args, fair: Fair, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["applications"].queryset = Application.objects.filter(fair=fair).select_related("artisan")

    def clean(self):
        data = super().clean()
        if not data.get("preview") and not data.get("decision"):
            self.add_error("decision", _("Choose a decision."))
        return data


class BoardFilterForm(forms.Form):
    """Filters of the decision board (query string); bad values become form errors."""

    status = forms.ChoiceField(label=_("Status"), required=False)
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("score", _("mean score")),
            ("spread", _("spread (disagreement)")),
            ("reviews", _("fewest reviews")),
            ("name", _("name")),
            ("submitted", _("date submitted")),
            ("waitlist", _("waitlist rank")),
        ],
    )

    def __init__(self, *args, counts: dict[str, int], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("all except drafts"))]
        for value, label in Application.Status.choices:
            choices.append((value, f"{label} ({counts.get(value, 0)})"))
        self.fields["status"].choices = choices
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Row(
                Column("status", css_class="col-sm-5"),
                Column("sort", css_class="col-sm-4"),
                Column(
                    Submit("filter", _("Show"), css_class="btn-secondary"),
                    css_class="col-sm-3 align-self-end mb-3",
                ),
            )
        )
