from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm

from .models import Membership, Role, Workspace


class SignInForm(AuthenticationForm):
    username = forms.EmailField(
        label="Email", widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "That email and password do not match an account. Check both and try again.",
    }


class WorkspaceForm(forms.ModelForm):
    class Meta:
        model = Workspace
        fields = ["name"]
        labels = {"name": "Workspace name"}
        help_texts = {"name": "Usually the brand or agency name."}


class InvitationForm(forms.Form):
    email = forms.EmailField()
    role = forms.ChoiceField(choices=Role.choices, initial=Role.MEMBER)

    def __init__(self, *args, workspace: Workspace, inviter_membership: Membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.workspace = workspace
        # Nobody can hand out a role above their own.
        allowed = [
            (value, label) for value, label in Role.choices if inviter_membership.has_role(value)
        ]
        self.fields["role"].choices = allowed

    def clean_email(self):
        email = self.cleaned_data["email"].lower()
        if Membership.objects.filter(workspace=self.workspace, user__email=email).exists():
            raise forms.ValidationError("This person is already a member of the workspace.")
        return email


class MembershipRoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)


class AcceptInvitationForm(forms.Form):
    full_name = forms.CharField(max_length=150, label="Your name")
    password = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        label="Choose a password",
    )

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean_password(self):
        from .models import User

        password = self.cleaned_data["password"]
        password_validation.validate_password(
            password, User(email=self.email, full_name=self.data.get("full_name", ""))
        )
        return password
