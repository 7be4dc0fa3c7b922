"""Forms of the campaigns app. Validation only: writes happen in services.py."""

from django import forms

from apps.accounts.models import User
from apps.creators.forms import split_names
from apps.creators.models import Niche, Platform

from .models import Campaign


class CampaignForm(forms.ModelForm):
    platforms = forms.MultipleChoiceField(
        choices=Platform.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    keywords = forms.CharField(
        required=False,
        max_length=1000,
        help_text="Comma-separated, e.g. skincare, vegan. Used to rank creators by relevance.",
    )
    budget = forms.DecimalField(max_digits=12, decimal_places=2, min_value=0, required=False)
    currency = forms.CharField(max_length=3, initial="USD", help_text="ISO 4217, e.g. USD")
    follow_up_days = forms.IntegerField(
        min_value=1,
        max_value=90,
        initial=5,
        help_text="Days without a reply before a follow-up is suggested.",
    )

    class Meta:
        model = Campaign
        fields = [
            "name",
            "brand",
            "product",
            "goal",
            "status",
            "budget",
            "currency",
            "start_date",
            "end_date",
            "platforms",
            "niches",
            "keywords",
            "team",
            "follow_up_days",
        ]
        widgets = {
            "start_date": forms.DateInput(attrs={"type": "date"}),
            "end_date": forms.DateInput(attrs={"type": "date"}),
            "niches": forms.CheckboxSelectMultiple,
            "team": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, workspace, **kwargs):
        super().__init__(*args, **kwargs)
        # Only this workspace's niches and members can be chosen: anything else is invalid.
        self.fields["niches"].queryset = Niche.objects.for_workspace(workspace)
        self.fields["team"].queryset = User.objects.filter(
            memberships__workspace=workspace
        ).order_by("email")
        # Archiving has its own button (managers only); the form sets the other statuses.
        statuses = [c for c in Campaign.Status.choices if c[0] != Campaign.Status.ARCHIVED]
        if self.instance.is_archived:
            statuses = Campaign.Status.choices
        self.fields["status"].choices = statuses
        if self.instance.pk and not self.is_bound:
            self.initial["keywords"] = ", ".join(self.instance.keywords)

    def clean_currency(self) -> str:
        return self.cleaned_data["currency"].strip().upper()

    def clean_keywords(self) -> list[str]:
        keywords = split_names(self.cleaned_data["keywords"])
        if too_long := [k for k in keywords if len(k) > 100]:
            raise forms.ValidationError(f"Keywords stay under 100 characters: {too_long[0][:20]}…")
        return keywords

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", "The campaign cannot end before it starts.")
        return cleaned


class StatusFilterForm(forms.Form):
    status = forms.ChoiceField(choices=[("", "All open")] + Campaign.Status.choices, required=False)
