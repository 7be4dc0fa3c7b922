"""Forms of the published-posts pages (posts part of reporting)."""

from django import forms
from django.utils import timezone

from .services import METRICS

MAX_IMPORT_BYTES = 2 * 1024 * 1024


class PostAttachForm(forms.Form):
    url = forms.CharField(
        label="Post link",
        max_length=500,
        widget=forms.URLInput(attrs={"placeholder": "https://www.instagram.com/p/…"}),
        help_text="The full link of the published post (Instagram, TikTok or YouTube).",
    )
    caption = forms.CharField(
        label="Caption (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Paste it to check the disclosure now; the refresher reads it where the "
        "API allows.",
    )


# The largest count Postgres stores (bigint): beyond it a form error, not a 500.
BIGINT_MAX = 2**63 - 1


class PostMetricsForm(forms.Form):
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    views = forms.IntegerField(min_value=0, max_value=BIGINT_MAX, required=False)
    reach = forms.IntegerField(min_value=0, max_value=BIGINT_MAX, required=False)
    likes = forms.IntegerField(min_value=0, max_value=BIGINT_MAX, required=False)
    comments = forms.IntegerField(min_value=0, max_value=BIGINT_MAX, required=False)
    shares = forms.IntegerField(min_value=0, max_value=BIGINT_MAX, required=False)
    saves = forms.IntegerField(min_value=0, max_value=BIGINT_MAX, required=False)

    def __init__(self, *args, prefix=None, **kwargs):
        kwargs.setdefault("initial", {"date": timezone.localdate()})
        super().__init__(*args, prefix=prefix, **kwargs)

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date > timezone.localdate():
            raise forms.ValidationError("The date cannot be in the future.")
        return date

    def clean(self):
        cleaned = super().clean()
        if not self.errors and all(cleaned.get(name) is None for name in METRICS):
            raise forms.ValidationError("Enter at least one number.")
        return cleaned


class PostMetricsImportForm(forms.Form):
    file = forms.FileField(label="CSV file", help_text="At most 2 MB.")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(
                "The file is larger than 2 MB: split it into smaller files."
            )
        return upload
