from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from accounts.permissions import Role
from accounts.services import officer_booths
from core.models import Booth


class BoothChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Booth) -> str:
        return f"{obj.post.code} · {obj.post.name} — {obj.name}"


class LoginForm(AuthenticationForm):
    """Username and password, and for officers the booth they are signing in to."""

    booth = BoothChoiceField(
        label=_("Booth"),
        queryset=Booth.objects.filter(is_active=True, post__is_active=True).select_related("post"),
        required=False,
        empty_label=_("— select your booth —"),
        help_text=_("Officers sign in to a booth at one of their assigned posts."),
    )

    error_messages = {
        **AuthenticationForm.error_messages,
        "booth_required": _("Officers must select the booth they are working at."),
        "booth_not_assigned": _("You are not assigned to the post of this booth."),
        "machine_account": _("This account is for API access only."),
    }

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
        if user.role == Role.OFFICER and booth is None:
            self.add_error("booth", forms.ValidationError(self.error_messages["booth_required"], code="booth_required"))
        elif booth is not None and not officer_booths(user).filter(pk=booth.pk).exists():
            self.add_error("booth", forms.ValidationError(self.error_messages["booth_not_assigned"], code="booth_not_assigned"))
        return cleaned
