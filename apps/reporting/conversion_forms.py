"""Forms of the conversions pages. Validation only: writes happen in conversions.py."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.campaigns.models import CURRENCIES, Campaign, CampaignCreator

from . import conversions_csv, links
from .models import PromoCode, TrackedLink

CURRENCY_CHOICES = [(code, code) for code in CURRENCIES]


class CampaignCreatorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: CampaignCreator) -> str:
        return obj.creator.name


def _campaign_creators(campaign: Campaign):
    return (
        CampaignCreator.objects.for_workspace(campaign.workspace_id)
        .shortlisted()
        .filter(campaign=campaign)
        .select_related("creator")
        .order_by("creator__name", "id")
    )


def add_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """A service's ValidationError onto the form: under its field when the form has one."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for name, messages in exc.message_dict.items():
        form.add_error(name if name in form.fields else None, messages)


class TrackedLinkForm(forms.Form):
    prefix = "link"

    campaign_creator = CampaignCreatorChoiceField(
        queryset=CampaignCreator.objects.none(), label="Creator"
    )
    destination_url = forms.CharField(
        label="Destination",
        max_length=links.MAX_DESTINATION_LENGTH,
        help_text="Where the link leads, e.g. https://shop.example.com/summer. "
        "Visitors can only ever be sent here.",
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
    )
    utm_source = forms.CharField(
        max_length=100, required=False, help_text="Default: the creator's platform"
    )
    utm_medium = forms.CharField(max_length=100, required=False, help_text="Default: influencer")
    utm_campaign = forms.CharField(
        max_length=100, required=False, help_text="Default: the campaign's name"
    )
    utm_content = forms.CharField(
        max_length=100, required=False, help_text="Default: the creator's handle"
    )

    def __init__(self, *args, campaign: Campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign_creator"].queryset = _campaign_creators(campaign)

    def clean_destination_url(self) -> str:
        return links.destination_clean(self.cleaned_data["destination_url"])


class PromoCodeForm(forms.Form):
    prefix = "promo"

    campaign_creator = CampaignCreatorChoiceField(
        queryset=CampaignCreator.objects.none(), label="Creator"
    )
    code = forms.CharField(max_length=64, help_text="Unique in your workspace, e.g. JANE10")
    description = forms.CharField(
        max_length=200, required=False, help_text="e.g. 10% off first order"
    )

    def __init__(self, *args, campaign: Campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign_creator"].queryset = _campaign_creators(campaign)


class ConversionForm(forms.Form):
    prefix = "conversion"

    campaign_creator = CampaignCreatorChoiceField(
        queryset=CampaignCreator.objects.none(),
        label="Creator",
        required=False,
        help_text="Optional when a promo code or link is chosen",
    )
    promo_code = forms.ModelChoiceField(queryset=PromoCode.objects.none(), required=False)
    tracked_link = forms.ModelChoiceField(queryset=TrackedLink.objects.none(), required=False)
    occurred_on = forms.DateField(label="Date", widget=forms.DateInput(attrs={"type": "date"}))
    uses = forms.IntegerField(min_value=1, max_value=1_000_000, initial=1)
    revenue = forms.DecimalField(max_digits=14, decimal_places=2, min_value=0, initial=0)
    currency = forms.ChoiceField(choices=CURRENCY_CHOICES)
    external_order_id = forms.CharField(
        label="Order id",
        max_length=200,
        required=False,
        help_text="Optional; an order id is recorded only once",
    )

    def __init__(self, *args, campaign: Campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign_creator"].queryset = _campaign_creators(campaign)
        self.fields["promo_code"].queryset = PromoCode.objects.for_workspace(
            campaign.workspace_id
        ).filter(campaign=campaign)
        self.fields["tracked_link"].queryset = TrackedLink.objects.for_workspace(
            campaign.workspace_id
        ).filter(campaign=campaign)
        self.fields["tracked_link"].label_from_instance = lambda link: f"/r/{link.code}"
        self.fields["currency"].initial = campaign.currency
        self.fields["occurred_on"].initial = timezone.localdate()

    def clean(self):
        data = super().clean()
        chosen = data.get("campaign_creator") or data.get("promo_code") or data.get("tracked_link")
        if not chosen and not self.errors:
            raise ValidationError("Choose the creator, a promo code or a tracked link.")
        return data


class ConversionsImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text=f"Columns: {', '.join(conversions_csv.HEADER)}. "
        f"At most {conversions_csv.MAX_ROWS:,} rows and "
        f"{conversions_csv.MAX_BYTES // (1024 * 1024)} MB.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > conversions_csv.MAX_BYTES:
            raise ValidationError(
                f"The file is larger than {conversions_csv.MAX_BYTES // (1024 * 1024)} MB: "
                "split it into smaller files."
            )
        return upload


class ExchangeRateForm(forms.Form):
    from_currency = forms.ChoiceField(choices=CURRENCY_CHOICES, label="1 of")
    rate = forms.DecimalField(
        max_digits=16, decimal_places=8, min_value=Decimal("0.00000001"), help_text="e.g. 1.08"
    )
    to_currency = forms.ChoiceField(choices=CURRENCY_CHOICES, label="equals, in")
