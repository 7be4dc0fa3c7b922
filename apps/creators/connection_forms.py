"""Forms of the Connections page. Secrets are write-only: the inputs never render a value."""

from django import forms
from django.conf import settings

from .models import Connection, Platform, SocialAccount

SECRET_LABELS = {
    Connection.Kind.YOUTUBE_KEY: "API key",
    Connection.Kind.INSTAGRAM_GRAPH: "Access token",
    Connection.Kind.TIKTOK_OAUTH: "Access token",
}


def kind_choices() -> list[tuple[str, str]]:
    choices = [
        (kind, label)
        for kind, label in Connection.Kind.choices
        if kind != Connection.Kind.DEMO or settings.DEMO_PROVIDER
    ]
    return choices


class ConnectionForm(forms.Form):
    """Add or edit one connection; which fields show depends on its kind."""

    name = forms.CharField(max_length=100)
    secret = forms.CharField(
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )
    ig_user_id = forms.RegexField(
        regex=r"^\d{5,30}$",
        required=False,
        label="Instagram business account id",
        help_text="The numeric id of your own Instagram business account (Graph API).",
        error_messages={"invalid": "The account id is a number, e.g. 17841400000000001."},
    )
    ig_username = forms.RegexField(
        regex=r"^@?[A-Za-z0-9._]{1,30}$",
        required=False,
        label="Instagram business username",
        help_text="Your own business account's username: the connection test looks it up.",
    )
    refresh_token = forms.CharField(
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text="From the creator's TikTok authorisation; used to renew the access token.",
    )
    token_expires_at = forms.DateTimeField(
        required=False,
        label="Access token expires at",
        help_text="As given with the token (UTC), e.g. 2026-12-01 14:00.",
    )
    account = forms.ModelChoiceField(
        queryset=SocialAccount.objects.none(),
        required=False,
        label="TikTok account",
        help_text="The creator's account this authorisation reads.",
    )
    platform = forms.ChoiceField(choices=Platform.choices, required=False)
    daily_quota = forms.IntegerField(
        required=False,
        min_value=1,
        label="Daily quota (units)",
        help_text="Leave blank for the standard 10,000 units; set it if Google raised yours.",
    )

    def __init__(self, *args, workspace, kind: str, connection: Connection | None = None, **kw):
        super().__init__(*args, **kw)
        self.workspace, self.kind, self.connection = workspace, kind, connection
        if kind in SECRET_LABELS:
            self.fields["secret"].label = SECRET_LABELS[kind]
        if connection is not None and connection.secret_hint:
            hint = connection.secret_hint
            self.fields["secret"].help_text = f"Stored, ending in …{hint}. Leave blank to keep it."
        keep = {"name"}
        if kind == Connection.Kind.YOUTUBE_KEY:
            keep |= {"secret", "daily_quota"}
        elif kind == Connection.Kind.INSTAGRAM_GRAPH:
            keep |= {"secret", "ig_user_id", "ig_username"}
        elif kind == Connection.Kind.TIKTOK_OAUTH:
            keep |= {"secret", "refresh_token", "token_expires_at"}
            if connection is None:
                keep.add("account")
                self.fields["account"].queryset = (
                    SocialAccount.objects.for_workspace(workspace)
                    .filter(platform=Platform.TIKTOK, connection__isnull=True)
                    .select_related("creator")
                    .order_by("handle")
                )
        elif connection is None:
            keep.add("platform")
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]

    def clean(self):
        data = super().clean()
        new = self.connection is None
        if "secret" in self.fields and new and not data.get("secret"):
            self.add_error("secret", "Enter the credential.")
        if self.kind == Connection.Kind.INSTAGRAM_GRAPH:
            for field in ("ig_user_id", "ig_username"):
                if not data.get(field) and field not in self.errors:
                    self.add_error(field, "Needed for Instagram business discovery.")
        if self.kind == Connection.Kind.TIKTOK_OAUTH and new and not data.get("account"):
            self.add_error("account", "Choose the creator's TikTok account.")
        platform = {
            Connection.Kind.YOUTUBE_KEY: Platform.YOUTUBE,
            Connection.Kind.INSTAGRAM_GRAPH: Platform.INSTAGRAM,
        }.get(self.kind, data.get("platform"))
        if new and platform and self.kind != Connection.Kind.TIKTOK_OAUTH:
            existing = (
                Connection.objects.for_workspace(self.workspace)
                .shared()
                .filter(platform=platform)
                .exclude(kind=Connection.Kind.DEMO)
            )
            if self.kind == Connection.Kind.DEMO:
                existing = Connection.objects.for_workspace(self.workspace).shared()
                existing = existing.filter(platform=platform)
            if existing.exists():
                raise forms.ValidationError(
                    f"This workspace already has a {Platform(platform).label} connection: "
                    "edit that one instead."
                )
        return data
