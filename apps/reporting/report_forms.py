"""Forms of the campaign report: its filters, share links and scheduled emails."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone

from apps.creators.models import Platform

from .dashboard import LEADERBOARD_SORTS, ReportFilters, default_range
from .models import ReportSchedule

MAX_RANGE_DAYS = 366 * 2
MAX_RECIPIENTS = 20


class ReportFilterForm(forms.Form):
    start = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    platform = forms.ChoiceField(
        choices=[("", "All platforms"), *Platform.choices],
        required=False,
        widget=forms.Select(attrs={"id": "report-platform"}),
    )
    # Any id is safe: the report only ever reads this campaign's rows. The options are
    # set from the report (`set_creators`), which is built after the filters.
    creator = forms.IntegerField(required=False, min_value=1, widget=forms.Select)
    sort = forms.ChoiceField(choices=list(LEADERBOARD_SORTS.items()), required=False)

    def __init__(self, data, *, campaign, **kwargs):
        super().__init__(data, **kwargs)
        self.campaign = campaign

    def set_creators(self, creators) -> None:
        self.fields["creator"].widget.choices = [("", "All creators"), *creators]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        default_start, default_end = default_range(self.campaign)
        start, end = start or default_start, end or max(default_end, start or default_end)
        if end < start:
            raise ValidationError("The end date is before the start date.")
        if (end - start).days > MAX_RANGE_DAYS:
            raise ValidationError("Choose a range of at most two years.")
        cleaned["start"], cleaned["end"] = start, end
        return cleaned

    def filters(self) -> ReportFilters:
        """The validated filters, or the campaign's default range when the form is invalid."""
        if self.is_valid():
            data = self.cleaned_data
            return ReportFilters(data["start"], data["end"], data["platform"], data["creator"])
        return ReportFilters(*default_range(self.campaign))

    def leaderboard_sort(self) -> str:
        return (self.cleaned_data.get("sort") if self.is_valid() else "") or "roas"


class ShareLinkForm(forms.Form):
    label = forms.CharField(
        max_length=200, required=False, help_text="Who it is for, e.g. “Client”."
    )
    hide_spend = forms.BooleanField(
        required=False,
        label="Hide spend",
        help_text="Leave out spend, cost metrics (CPM, CPE, CPC, CPA) and ROAS/ROI.",
    )
    expires_on = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Optional. The link stops working at the end of this day.",
    )

    def clean_expires_on(self):
        day = self.cleaned_data["expires_on"]
        if day and day < timezone.localdate():
            raise ValidationError("Choose today or a later day.")
        if day and day >= dt.date.max:  # it ends at the end of that day: the day after must exist
            raise ValidationError("Choose an earlier day, or no expiry.")
        return day

    def expires_at(self) -> dt.datetime | None:
        day = self.cleaned_data.get("expires_on")
        if not day:
            return None
        return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


class ReportScheduleForm(forms.Form):
    frequency = forms.ChoiceField(
        choices=ReportSchedule.Frequency.choices,
        initial=ReportSchedule.Frequency.WEEKLY,
        widget=forms.RadioSelect,
    )
    recipients = forms.CharField(
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=f"Email addresses separated by commas (at most {MAX_RECIPIENTS}).",
    )
    hide_spend = forms.BooleanField(
        required=False, label="Hide spend", help_text="Leave out spend and cost metrics."
    )

    def clean_recipients(self) -> list[str]:
        raw = self.cleaned_data["recipients"].replace(";", ",").replace("\n", ",")
        emails = []
        for part in raw.split(","):
            email = part.strip().lower()
            if not email:
                continue
            try:
                validate_email(email)
            except ValidationError as exc:
                raise ValidationError(f"“{email}” is not an email address.") from exc
            if email not in emails:
                emails.append(email)
        if not emails:
            raise ValidationError("Add at least one email address.")
        if len(emails) > MAX_RECIPIENTS:
            raise ValidationError(f"At most {MAX_RECIPIENTS} recipients.")
        return emails
