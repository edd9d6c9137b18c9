from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from accounts.permissions import Role
from accounts.services import officer_booths
from core.models import Booth

BOOTH_NOT_ASSIGNED = _("You are not assigned to the post of this booth.")


class BoothChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Booth) -> str:
        return f"{obj.post.code} · {obj.post.name} — {obj.name}"


class LoginForm(AuthenticationForm):
    """Username and password. An officer then chooses a booth of their own posts (BoothForm, the
    second step); a terminal that knows its booth may send it with the credentials, and it is
    validated the same way. The page never lists booths to someone not yet signed in."""

    booth = BoothChoiceField(
        label=_("Booth"),
        queryset=Booth.objects.filter(is_active=True, post__is_active=True).select_related("post"),
        required=False,
        widget=forms.HiddenInput,
    )

    error_messages = {
        **AuthenticationForm.error_messages,
        "booth_not_assigned": BOOTH_NOT_ASSIGNED,
        "machine_account": _("This account is for API access only."),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        # Latin user names and passwords are typed left to right on an Arabic page too.
        for name in ("username", "password"):
            self.fields[name].widget.attrs["dir"] = "ltr"
        if self.is_bound and self.data.get("username"):
            # A wrong password: the name is kept, the cursor waits in the password field.
            self.fields["username"].widget.attrs.pop("autofocus", None)
            self.fields["password"].widget.attrs["autofocus"] = True

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if user.role == Role.PARTNER:
            raise forms.ValidationError(self.error_messages["machine_account"], code="machine_account")

    def clean(self):
        cleaned = super().clean()
        user = self.get_user()
        if user is None:
            return cleaned
        booth = cleaned.get("booth")
        if booth is not None and not officer_booths(user).filter(pk=booth.pk).exists():
            self.add_error("booth", forms.ValidationError(self.error_messages["booth_not_assigned"],
                                                         code="booth_not_assigned"))
        return cleaned


class BoothForm(forms.Form):
    """The second step of an officer's sign-in: one of the booths of their own posts."""

    booth = BoothChoiceField(
        label=_("Booth"),
        queryset=Booth.objects.none(),
        empty_label=None,
        widget=forms.RadioSelect(attrs={"autofocus": True}),
        error_messages={
            "required": _("Officers must select the booth they are working at."),
            "invalid_choice": BOOTH_NOT_ASSIGNED,
        },
    )

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["booth"].queryset = officer_booths(user).order_by("post__code", "code")
