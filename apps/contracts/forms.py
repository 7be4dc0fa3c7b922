"""Forms of the contracts team pages. Validation only: writes happen in services.py."""

from decimal import Decimal

from django import forms
from django.core.validators import URLValidator

from apps.campaigns.models import Campaign, validate_currency
from apps.creators.models import Platform

from . import terms
from .models import (
    Clause,
    Contract,
    ContractSettings,
    ContractTemplate,
    ContractVersion,
    DeliverableFormat,
    PaymentSchedule,
    ReportingSchedule,
    ReportMetric,
    TrackingMethod,
    UsageChannel,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def split_list(text: str) -> list[str]:
    """'#ad, #sponsored\n#spring' -> ['#ad', '#sponsored', '#spring']: commas or lines, no repeats."""
    items: list[str] = []
    for raw in text.replace("\n", ",").split(","):
        item = raw.strip()
        if item and item not in items:
            items.append(item)
    return items


class ListField(forms.CharField):
    """A list typed as comma- or line-separated text (hashtags, mentions, competitors, links)."""

    def __init__(self, *, item_max_length: int = 100, urls: bool = False, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 4000)
        super().__init__(**kwargs)
        self.item_max_length = item_max_length
        self.urls = urls

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return ", ".join(value)
        return value

    def clean(self, value) -> list[str]:
        items = split_list(super().clean(value) or "")
        for item in items:
            if len(item) > self.item_max_length:
                raise forms.ValidationError(
                    f"“{item[:30]}…” is too long (at most {self.item_max_length} characters)."
                )
            if self.urls:
                try:
                    URLValidator(schemes=["http", "https"])(item)
                except forms.ValidationError:
                    raise forms.ValidationError(
                        f"“{item[:60]}” is not a web address (start it with https://)."
                    ) from None
        return items


def _money(label: str, **kwargs) -> forms.DecimalField:
    return forms.DecimalField(
        label=label, required=False, max_digits=12, decimal_places=2, min_value=0, **kwargs
    )


def _checkboxes(label: str, choices) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label, choices=choices, required=False, widget=forms.CheckboxSelectMultiple
    )


# --- Contract list and start -------------------------------------------------------------


class ContractFilterForm(forms.Form):
    status = forms.ChoiceField(
        choices=[("", "Any status"), *Contract.Status.choices], required=False
    )
    campaign = forms.ModelChoiceField(
        queryset=Campaign.objects.none(), required=False, empty_label="Any campaign"
    )

    def __init__(self, *args, workspace, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = Campaign.objects.for_workspace(workspace).only(
            "pk", "name"
        )


class ContractCreateForm(forms.Form):
    template = forms.ModelChoiceField(
        queryset=ContractTemplate.objects.none(),
        required=False,
        empty_label="No template (start blank)",
        help_text="The template's clauses become the contract text; its defaults fill the terms.",
    )
    title = forms.CharField(
        max_length=200, required=False, help_text="Leave empty for “Creator × Campaign”."
    )

    def __init__(self, *args, workspace, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = ContractTemplate.objects.for_workspace(workspace)


# --- The editor ----------------------------------------------------------------------------

# The editor's fieldsets, in document order: (legend, field names of ContractTermsForm).
FIELDSETS: list[tuple[str, list[str]]] = [
    ("Objectives and deliverables", ["objectives"]),
    (
        "Compensation",
        [
            "currency",
            "cash_amount",
            "product_description",
            "product_value",
            "payment_schedule",
            "commission_per_conversion",
            "promo_code_bonus",
        ],
    ),
    ("Timing", ["start_date", "end_date", "posting_frequency"]),
    (
        "Legal",
        [
            "disclosure_label",
            "disclosure_placement",
            "usage_channels",
            "usage_duration_days",
            "paid_ads_whitelisting",
            "exclusivity_days",
            "exclusivity_competitors",
            "approval_required",
            "approval_turnaround_days",
            "cancellation_terms",
        ],
    ),
    ("Measurement and reporting", ["report_metrics", "tracking_methods", "reporting_schedule"]),
]


class ContractTermsForm(forms.Form):
    """Every term of a ContractVersion but the payment splits (their own formset)."""

    objectives = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What the brand wants from the collaboration.",
    )
    currency = forms.CharField(max_length=3, initial="USD", help_text="ISO 4217, e.g. USD")
    cash_amount = _money("Cash amount")
    product_description = forms.CharField(
        max_length=300, required=False, help_text="Products given, if any."
    )
    product_value = _money("Product value")
    payment_schedule = forms.ChoiceField(
        choices=PaymentSchedule.choices, initial=PaymentSchedule.ON_DELIVERY
    )
    commission_per_conversion = forms.DecimalField(
        required=False,
        max_digits=10,
        decimal_places=2,
        min_value=0,
        help_text="Optional, per tracked conversion.",
    )
    promo_code_bonus = forms.DecimalField(
        required=False,
        max_digits=10,
        decimal_places=2,
        min_value=0,
        label="Promo-code bonus",
        help_text="Optional.",
    )
    start_date = forms.DateField(required=False, widget=DATE)
    end_date = forms.DateField(required=False, widget=DATE)
    posting_frequency = forms.CharField(
        max_length=200, required=False, help_text="e.g. one post a week"
    )
    disclosure_label = forms.CharField(
        max_length=100,
        required=False,
        initial="#ad",
        help_text="The sponsored-content label: #ad, “Paid partnership”.",
    )
    disclosure_placement = forms.CharField(
        max_length=200, required=False, initial="In the first line of the caption"
    )
    usage_channels = _checkboxes(
        "Usage rights: where the brand may reuse the content", UsageChannel.choices
    )
    usage_duration_days = forms.IntegerField(
        required=False, min_value=0, label="Usage rights: for how many days"
    )
    paid_ads_whitelisting = forms.BooleanField(
        required=False, label="Whitelisting: the brand may run paid ads from the creator's account"
    )
    exclusivity_days = forms.IntegerField(
        required=False, min_value=0, label="Exclusivity window (days)"
    )
    exclusivity_competitors = ListField(
        item_max_length=200,
        label="Competitors excluded",
        help_text="Comma-separated.",
    )
    approval_required = forms.BooleanField(
        required=False, label="The brand approves the content before it is posted"
    )
    approval_turnaround_days = forms.IntegerField(
        required=False, min_value=0, max_value=365, label="Approval turnaround (days)"
    )
    cancellation_terms = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    report_metrics = _checkboxes("Metrics reported", ReportMetric.choices)
    tracking_methods = _checkboxes("Tracked by", TrackingMethod.choices)
    reporting_schedule = forms.ChoiceField(
        choices=ReportingSchedule.choices, initial=ReportingSchedule.WEEKLY
    )

    def clean_currency(self) -> str:
        currency = self.cleaned_data["currency"].strip().upper()
        validate_currency(currency)
        return currency

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", "The contract cannot end before it starts.")
        return cleaned

    def fieldsets(self):
        """[(legend, [bound fields])] for the template."""
        return [(legend, [self[name] for name in names]) for legend, names in FIELDSETS]


class DeliverableForm(forms.Form):
    # A blank first choice, so the editor's empty "new row" is left out unless filled in.
    platform = forms.ChoiceField(choices=[("", "Choose…"), *Platform.choices])
    format = forms.ChoiceField(choices=[("", "Choose…"), *DeliverableFormat.choices])
    quantity = forms.IntegerField(min_value=1, max_value=100, initial=1)
    due_date = forms.DateField(required=False, widget=DATE)
    description = forms.CharField(required=False, max_length=2000)
    required_hashtags = ListField(label="Hashtags", help_text="Comma-separated.")
    required_mentions = ListField(label="Mentions")
    required_links = ListField(label="Links", item_max_length=500, urls=True)
    reach_goal = forms.IntegerField(required=False, min_value=0)
    engagement_goal = forms.IntegerField(required=False, min_value=0)


class BaseDeliverableFormSet(forms.BaseFormSet):
    def deliverables(self) -> list[dict]:
        """The kept rows, in order, as the dicts contract_update_draft takes."""
        return [
            {k: v for k, v in form.cleaned_data.items() if k != "DELETE"}
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]


DeliverableFormSet = forms.formset_factory(
    DeliverableForm, formset=BaseDeliverableFormSet, extra=1, can_delete=True, max_num=50
)


class PaymentSplitForm(forms.Form):
    percent = forms.DecimalField(
        max_digits=5, decimal_places=2, min_value=Decimal("0.01"), max_value=100
    )
    when = forms.CharField(max_length=200, help_text="e.g. On signing, After the last post")


class BasePaymentSplitFormSet(forms.BaseFormSet):
    """The split payment rows. Their percents must add up to 100 when the schedule is split."""

    def __init__(self, *args, schedule: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.schedule = schedule

    def clean(self):
        super().clean()
        if any(self.errors) or self.schedule != PaymentSchedule.SPLIT:
            return
        total = sum(row["percent"] for row in self.splits())
        if not self.splits():
            raise forms.ValidationError("A split payment needs at least one row.")
        if total != 100:
            raise forms.ValidationError(
                f"The split percents add up to {total.normalize():f}%; they must add up to 100%."
            )

    def splits(self) -> list[dict]:
        return [
            {"percent": form.cleaned_data["percent"], "when": form.cleaned_data["when"]}
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]

    def payment_splits(self) -> list[dict]:
        """As stored: [{"percent": "50", "when": "On signing"}], only for a split schedule."""
        if self.schedule != PaymentSchedule.SPLIT:
            return []
        return [
            {"percent": f"{row['percent'].normalize():f}", "when": row["when"]}
            for row in self.splits()
        ]


PaymentSplitFormSet = forms.formset_factory(
    PaymentSplitForm, formset=BasePaymentSplitFormSet, extra=1, can_delete=True, max_num=12
)


def terms_initial(version: ContractVersion) -> dict:
    names = [name for _, names in FIELDSETS for name in names]
    return {name: getattr(version, name) for name in names}


def deliverables_initial(version: ContractVersion) -> list[dict]:
    fields = list(DeliverableForm.base_fields)
    return [{name: getattr(d, name) for name in fields} for d in version.deliverables.all()]


def splits_initial(version: ContractVersion) -> list[dict]:
    return [
        {"percent": row.get("percent"), "when": row.get("when", "")}
        for row in version.payment_splits or []
    ]


# --- Lifecycle actions ---------------------------------------------------------------------


class SendForm(forms.Form):
    to_email = forms.EmailField(
        label="Send to", help_text="The creator receives a private link to read and answer."
    )


class CancelForm(forms.Form):
    reason = forms.CharField(
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say why the contract is cancelled."},
    )


class CompareForm(forms.Form):
    a = forms.IntegerField(min_value=1, label="Version")
    b = forms.IntegerField(min_value=1, label="with version")


# --- Clause library, templates, settings ---------------------------------------------------


class ClauseForm(forms.ModelForm):
    class Meta:
        model = Clause
        fields = ["title", "category", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 10})}

    def clean_body(self) -> str:
        body = self.cleaned_data["body"]
        if errors := terms.validate_clause(body):
            raise forms.ValidationError(
                [f"Line {e.line}, column {e.column}: {e.message}" for e in errors]
            )
        return body


# The main terms a template can preset (ContractVersion field names).
TEMPLATE_DEFAULT_FIELDS = [
    "currency",
    "cash_amount",
    "payment_schedule",
    "posting_frequency",
    "disclosure_label",
    "disclosure_placement",
    "usage_channels",
    "usage_duration_days",
    "paid_ads_whitelisting",
    "exclusivity_days",
    "approval_required",
    "approval_turnaround_days",
    "cancellation_terms",
    "report_metrics",
    "tracking_methods",
    "reporting_schedule",
]


class ContractTemplateForm(forms.Form):
    """Name, description, the chosen clauses with their order, and default terms.

    Clauses are rows of the library: a tick to include each and a number to order them.
    """

    name = forms.CharField(max_length=200)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, workspace, template: ContractTemplate | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.clauses = list(Clause.objects.for_workspace(workspace))
        chosen: dict[int, int] = {}
        defaults: dict = {}
        if template is not None:
            chosen = {tc.clause_id: tc.position for tc in template.template_clauses.all()}
            defaults = template.default_terms or {}
            self.initial.setdefault("name", template.name)
            self.initial.setdefault("description", template.description)
        for index, clause in enumerate(self.clauses):
            self.fields[f"clause_{clause.pk}"] = forms.BooleanField(
                required=False, label=clause.title, initial=clause.pk in chosen
            )
            self.fields[f"position_{clause.pk}"] = forms.IntegerField(
                required=False,
                min_value=0,
                max_value=999,
                label=f"Order of “{clause.title}”",
                initial=chosen.get(clause.pk, index + 1) if chosen else index + 1,
            )
        terms = ContractTermsForm()
        for name in TEMPLATE_DEFAULT_FIELDS:
            field = terms.fields[name]
            field.required = False
            field.label = terms[name].label
            self.fields[f"default_{name}"] = field
            if name in defaults:
                self.initial[f"default_{name}"] = defaults[name]
            elif template is None and field.initial is not None:
                self.initial[f"default_{name}"] = field.initial

    def clause_rows(self):
        """[(clause, include field, position field)] in the library's order."""
        return [
            (clause, self[f"clause_{clause.pk}"], self[f"position_{clause.pk}"])
            for clause in self.clauses
        ]

    def default_fields(self):
        return [self[f"default_{name}"] for name in TEMPLATE_DEFAULT_FIELDS]

    def clean_default_currency(self) -> str:
        currency = (self.cleaned_data.get("default_currency") or "").strip().upper()
        if currency:
            validate_currency(currency)
        return currency

    def chosen_clauses(self) -> list[tuple[Clause, int]]:
        """(clause, position) of the ticked clauses, ordered by the typed numbers."""
        chosen = [
            (clause, self.cleaned_data.get(f"position_{clause.pk}") or 0)
            for clause in self.clauses
            if self.cleaned_data.get(f"clause_{clause.pk}")
        ]
        chosen.sort(key=lambda pair: (pair[1], pair[0].title))
        return [(clause, position) for position, (clause, _) in enumerate(chosen, start=1)]

    def default_terms(self) -> dict:
        """JSON-able defaults: only the terms given a value (empty ones keep the model default)."""
        terms: dict = {}
        for name in TEMPLATE_DEFAULT_FIELDS:
            value = self.cleaned_data.get(f"default_{name}")
            if value in (None, "", []):
                continue
            if isinstance(value, bool) and not value:
                continue
            terms[name] = f"{value}" if isinstance(value, Decimal) else value
        return terms


class ContractSettingsForm(forms.ModelForm):
    approval_threshold = _money(
        "Approval threshold",
        help_text="Contracts worth more than this (cash + product) need a manager's approval "
        "before they are sent. Leave empty to never require approval.",
    )
    link_valid_days = forms.IntegerField(
        min_value=1, max_value=365, label="Links stay valid for (days)"
    )

    class Meta:
        model = ContractSettings
        fields = ["approval_threshold", "approval_currency", "link_valid_days"]
        labels = {"approval_currency": "Threshold currency"}

    def clean_approval_currency(self) -> str:
        currency = self.cleaned_data["approval_currency"].strip().upper()
        validate_currency(currency)
        return currency
