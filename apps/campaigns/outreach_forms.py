"""Forms for outreach: the template editor, the send form and "mark replied"."""

from django import forms

from . import templating
from .models import MessageTemplate


def template_error_text(error: templating.TemplateError) -> str:
    """An editor error with its position, e.g. "Line 2, column 7: Unknown field …"."""
    return f"Line {error.line}, column {error.column}: {error.message}"


class MessageTemplateForm(forms.ModelForm):
    class Meta:
        model = MessageTemplate
        fields = ["name", "offer_type", "subject", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 12})}
        help_texts = {"offer_type": "The offer this template is usually sent with (optional)."}

    def _clean_template(self, name: str) -> str:
        text = self.cleaned_data[name]
        errors = templating.validate(text)
        if errors:
            raise forms.ValidationError([template_error_text(error) for error in errors])
        return text

    def clean_subject(self) -> str:
        return self._clean_template("subject")

    def clean_body(self) -> str:
        return self._clean_template("body")


class SendForm(forms.Form):
    template = forms.ModelChoiceField(queryset=MessageTemplate.objects.none())
    offer_type = forms.ChoiceField(
        choices=[("", "No offer")] + templating.OfferType.choices(), required=False
    )
    offer_value = forms.CharField(
        max_length=200,
        required=False,
        help_text="Cash: the amount (e.g. 250). Product: its name. Discount: e.g. 20%. "
        "Early access: to what.",
    )

    def __init__(self, *args, workspace, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = MessageTemplate.objects.for_workspace(workspace)
        self.currency = "USD"

    def clean(self):
        cleaned = super().clean()
        offer_type, value = cleaned.get("offer_type"), (cleaned.get("offer_value") or "").strip()
        if offer_type and not value:
            self.add_error("offer_value", "Enter the offer's value.")
        elif value and not offer_type:
            self.add_error("offer_type", "Choose what kind of offer this is.")
        elif offer_type:
            try:
                templating.offer_values(offer_type, value, self.currency)
            except ValueError as exc:
                self.add_error("offer_value", str(exc))
        cleaned["offer_value"] = value
        return cleaned


class ReplyForm(forms.Form):
    body = forms.CharField(
        label="Their reply",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=20000,
        help_text="Paste the creator's answer; it is kept on their timeline.",
    )
