"""Forms of the creators app. Validation only: writes happen in services.py and the views."""

import re

from django import forms

from .models import BlockedKeyword, Creator, CreatorFlag, CreatorNote


def split_names(text: str) -> list[str]:
    """'Beauty, fitness ,beauty' -> ['Beauty', 'fitness']: trimmed, first spelling wins."""
    names: dict[str, str] = {}
    for raw in text.split(","):
        name = " ".join(raw.split())
        if name:
            names.setdefault(name.lower(), name)
    return list(names.values())


# --- The creator page -----------------------------------------------------------


class CreatorForm(forms.ModelForm):
    niches = forms.CharField(
        required=False,
        max_length=500,
        help_text="Comma-separated, e.g. beauty, skincare. New names become new niches.",
    )

    class Meta:
        model = Creator
        # `niches` is declared above as names; the view turns them into Niche rows.
        fields = ["name", "email", "country", "language", "notes"]
        help_texts = {
            "country": "Two letters (ISO 3166), e.g. GB",
            "language": "Two letters (ISO 639-1), e.g. en",
        }
        widgets = {"notes": forms.Textarea(attrs={"rows": 4})}

    field_order = ["name", "email", "country", "language", "niches", "notes"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["niches"] = ", ".join(n.name for n in self.instance.niches.all())

    def clean_country(self) -> str:
        country = self.cleaned_data["country"].strip().upper()
        if country and not re.fullmatch(r"[A-Z]{2}", country):
            raise forms.ValidationError("Use the two-letter country code, e.g. GB or US.")
        return country

    def clean_language(self) -> str:
        language = self.cleaned_data["language"].strip().lower()
        if language and not re.fullmatch(r"[a-z]{2}", language):
            raise forms.ValidationError("Use the two-letter language code, e.g. en or de.")
        return language

    def clean_niches(self) -> list[str]:
        names = split_names(self.cleaned_data["niches"])
        if too_long := [name for name in names if len(name) > 50]:
            raise forms.ValidationError(f"Niche names stay under 50 characters: {too_long[0]}")
        return names


class FlagForm(forms.Form):
    kind = forms.ChoiceField(choices=CreatorFlag.Kind.choices)
    note = forms.CharField(max_length=500, required=False, label="Why (optional)")


class NoteForm(forms.ModelForm):
    class Meta:
        model = CreatorNote
        fields = ["body"]
        labels = {"body": "Add a note for the team"}
        widgets = {"body": forms.Textarea(attrs={"rows": 3})}


class AccountStatsForm(forms.Form):
    followers = forms.IntegerField(min_value=0)
    following = forms.IntegerField(min_value=0, required=False)
    posts_count = forms.IntegerField(min_value=0, required=False, label="Posts")
    total_views = forms.IntegerField(
        min_value=0, required=False, help_text="YouTube and TikTok profiles show this."
    )


class BlockedKeywordForm(forms.Form):
    keyword = forms.CharField(
        max_length=100,
        help_text="A word or phrase; matched as whole words, case-insensitive.",
    )

    def __init__(self, *args, workspace, **kwargs):
        super().__init__(*args, **kwargs)
        self.workspace = workspace

    def clean_keyword(self) -> str:
        # Matching ignores case, so one lower-case spelling per keyword keeps the list unique.
        keyword = " ".join(self.cleaned_data["keyword"].split()).lower()
        if not keyword:
            raise forms.ValidationError("Enter a word or phrase.")
        taken = BlockedKeyword.objects.for_workspace(self.workspace).filter(keyword=keyword)
        if taken.exists():
            raise forms.ValidationError(f"“{keyword}” is already on the blocklist.")
        return keyword


# --- Adding creators (form and CSV import) ----------------------------------------

from django.utils.html import format_html  # noqa: E402

from .csv_import import COUNTRY_CODES, LANGUAGE_CODES  # noqa: E402
from .handles import InvalidHandle, ProfileRef, _looks_like_url, parse_profile  # noqa: E402
from .importing import existing_accounts, match_existing  # noqa: E402
from .models import Platform  # noqa: E402

MAX_IMPORT_BYTES = 5 * 1024 * 1024
NO_PLATFORM = [("", "Only full profile URLs")]


class CreatorAddForm(forms.Form):
    name = forms.CharField(max_length=200)
    profiles = forms.CharField(
        label="Handles or profile URLs",
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false"}),
        strip=False,  # line numbers in the errors must match what the user sees
        help_text="One per line: a profile URL (Instagram, TikTok or YouTube), "
        "or @handle with the platform chosen below.",
    )
    platform = forms.ChoiceField(
        label="Platform of bare handles",
        choices=NO_PLATFORM + Platform.choices,
        required=False,
        help_text="Used for lines like @jane; URLs say their platform themselves.",
    )
    email = forms.EmailField(required=False)
    country = forms.CharField(
        max_length=2, required=False, help_text="Two letters (ISO 3166), e.g. GB"
    )
    language = forms.CharField(
        max_length=5, required=False, help_text="Two letters (ISO 639-1), e.g. en"
    )
    niches = forms.CharField(
        required=False, max_length=500, help_text="Comma-separated, e.g. beauty, skincare"
    )
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, workspace, **kwargs):
        super().__init__(*args, **kwargs)
        self.workspace = workspace

    def clean_country(self) -> str:
        value = self.cleaned_data["country"].strip().upper()
        value = {"UK": "GB"}.get(value, value)
        if value and value not in COUNTRY_CODES:
            raise forms.ValidationError("Use the two-letter country code, e.g. GB or US.")
        return value

    def clean_language(self) -> str:
        value = self.cleaned_data["language"].strip().lower().split("-")[0]
        if value and value not in LANGUAGE_CODES:
            raise forms.ValidationError("Use the two-letter language code, e.g. en or de.")
        return value

    def clean_niches(self) -> list[str]:
        names = split_names(self.cleaned_data["niches"])
        if too_long := [name for name in names if len(name) > 50]:
            raise forms.ValidationError(f"Niche names stay under 50 characters: {too_long[0]}")
        return names

    def clean(self):
        cleaned = super().clean()
        text = cleaned.get("profiles")
        if text is None:
            return cleaned
        platform = cleaned.get("platform") or None
        errors: list = []
        profiles: list[tuple[int, ProfileRef]] = []
        first_line: dict[tuple[str, str], int] = {}
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                # A URL names its platform; the select only applies to bare handles.
                profile = parse_profile(line, None if _looks_like_url(line.strip()) else platform)
            except InvalidHandle as exc:
                errors.append(f"Line {number}: {exc.message}")
                continue
            key = (str(profile.platform), profile.handle or "#" + profile.external_id)
            if key in first_line:
                errors.append(f"Line {number}: the same profile as line {first_line[key]}")
                continue
            first_line[key] = number
            profiles.append((number, profile))
        if not profiles and not errors:
            errors.append("Enter at least one handle or profile URL.")
        found = existing_accounts(
            workspace=self.workspace,
            profiles=((str(p.platform), p.handle, p.external_id) for _, p in profiles),
        )
        for number, profile in profiles:
            row = {
                "platform": str(profile.platform),
                "handle": profile.handle,
                "external_id": profile.external_id,
            }
            account = match_existing(row, found)
            if account is not None:
                errors.append(
                    format_html(
                        'Line {}: {} @{} is already in this workspace, on <a href="{}">{}</a>',
                        number,
                        profile.platform.label,
                        profile.handle or profile.external_id,
                        account.creator.get_absolute_url(),
                        account.creator.name,
                    )
                )
        if errors:
            self.add_error("profiles", errors)
        else:
            cleaned["profiles"] = [profile for _, profile in profiles]
        return cleaned


class CreatorImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
        help_text="At most 5 MB and 10,000 rows. Nothing is written until you confirm the preview.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(
                f"The file is {upload.size / 1024 / 1024:.1f} MB: the limit is 5 MB "
                "(about 10,000 rows). Split it into smaller files."
            )
        return upload
