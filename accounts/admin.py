from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import transaction
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from accounts.models import Agency, ApiClient, ApiToken, User
from accounts.scopes import SCOPES
from accounts.services import (
    api_client_create,
    api_client_set_active,
    api_client_set_scopes,
    api_token_issue,
    api_token_revoke,
)
from audit.admin import AuditedModelAdmin
from audit.services import audit_log
from core.models import Booth, BorderPost, Sector

# Role and posts decide what a user may see and do: they come first on the user forms.
_BORDER_MANAGEMENT = (_("Role and posts"), {"fields": ("role", "posts", "agency", "is_national")})


def _plain(value):
    """A form value as the audit trail stores it: posts by code, objects by their label."""
    if hasattr(value, "model") and hasattr(value, "values_list"):
        return sorted(str(item) for item in value)
    if isinstance(value, list | tuple | set):
        return sorted(str(item) for item in value)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


@admin.register(User)
class UserAdmin(AuditedModelAdmin, DjangoUserAdmin):
    def _changes(self, form) -> dict:
        # Never a password (the add form's password1/password2 are in the clear); querysets
        # (posts, groups) as lists of names.
        return {
            name: [_plain(form.initial.get(name)), _plain(form.cleaned_data.get(name))]
            for name in form.changed_data if "password" not in name
        }

    list_display = ("username", "role", "agency", "is_national", "is_active")
    list_filter = ("role", "agency", "is_active", "is_national")
    fieldsets = (_BORDER_MANAGEMENT, *DjangoUserAdmin.fieldsets)
    add_fieldsets = (_BORDER_MANAGEMENT, *DjangoUserAdmin.add_fieldsets)
    filter_horizontal = ("posts", "groups", "user_permissions")


@admin.register(Agency)
class AgencyAdmin(AuditedModelAdmin):
    list_display = ("code", "name", "kind", "is_active")
    list_filter = ("kind", "is_active")


def scope_choices() -> list[tuple[str, str]]:
    return [(scope, f"{description} ({scope})") for scope, description in SCOPES.items()]


class ApiClientForm(forms.ModelForm):
    """Scopes as checkboxes of the known scopes, each with what it allows (never raw JSON)."""

    scopes = forms.MultipleChoiceField(
        label=capfirst(_("scopes")), choices=scope_choices, required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("What this client may read and write. Grant only what the agency's agreement covers."),
    )

    class Meta:
        model = ApiClient
        fields = ["agency", "name", "scopes", "is_active"]
        labels = {"agency": capfirst(_("agency"))}

    class Media:
        css = {"all": ["css/admin-scopes.css"]}

    def clean(self):
        cleaned = super().clean()
        agency, name = cleaned.get("agency"), cleaned.get("name")
        if self.instance.pk is None and agency is not None and name:
            taken = ApiClient.objects.filter(agency=agency, name=name).exists() or User.objects.filter(
                username=ApiClient.machine_username(agency, name)).exists()
            if taken:
                self.add_error("name", _("This agency already has a client of this name."))
        return cleaned


@admin.register(ApiClient)
class ApiClientAdmin(AuditedModelAdmin):
    form = ApiClientForm
    list_display = ("name", "agency", "is_active")
    list_filter = ("agency", "is_active")
    actions = ["issue_token"]

    def get_readonly_fields(self, request, obj=None):
        # A client's agency and machine user are fixed once it exists.
        return ("agency", "user") if obj is not None else ()

    def get_fields(self, request, obj=None):
        fields = ["agency", "name", "scopes", "is_active"]
        return [*fields, "user"] if obj is not None else fields

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if not change:
            # The service creates the client's machine user and audits the creation.
            client = api_client_create(actor=request.user, agency=data["agency"], name=data["name"],
                                       scopes=data["scopes"])
            if not data["is_active"]:
                client = api_client_set_active(actor=request.user, client=client, active=False)
            for field in ApiClient._meta.concrete_fields:
                setattr(obj, field.attname, getattr(client, field.attname))
            obj._state.adding = False
            return
        current = ApiClient.objects.select_for_update().get(pk=obj.pk)
        if "scopes" in form.changed_data:
            api_client_set_scopes(actor=request.user, client=current, scopes=data["scopes"])
        if "is_active" in form.changed_data:
            api_client_set_active(actor=request.user, client=current, active=data["is_active"])
        others = [name for name in form.changed_data if name not in ("scopes", "is_active")]
        if others:
            obj.save(update_fields=others)
            audit_log(actor=request.user, action="apiclient.change", obj=obj,
                      changes={name: [form.initial.get(name), data.get(name)] for name in others},
                      metadata={"via": "admin"})

    @admin.action(description=_("Issue a new token (shown once)"))
    def issue_token(self, request, queryset):
        for client in queryset:
            _token, raw = api_token_issue(actor=request.user, client=client, label="admin")
            self.message_user(request, _("Token for %(c)s (copy it now, it is not stored): %(t)s") % {"c": client, "t": raw}, messages.WARNING)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("key_id", "client", "label", "created_at", "expires_at", "revoked_at", "last_used_at")
    list_filter = ("client__agency",)
    readonly_fields = ("client", "key_id", "label", "created_at", "created_by", "expires_at", "revoked_at", "last_used_at")
    exclude = ("secret_hash",)
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset):
        with transaction.atomic():
            for token in queryset:
                api_token_revoke(actor=request.user, token=token)
        self.message_user(request, _("Revoked."))


# Border posts and booths (core) are administered here: core is the ground layer and imports
# nothing of ours, so the audited admin (audit) is wired from above.
class BoothInline(admin.TabularInline):
    model = Booth
    extra = 0


@admin.register(BorderPost)
class BorderPostAdmin(AuditedModelAdmin):
    list_display = ("code", "name", "kind", "country", "neighbour_country", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("code", "name", "name_local")
    inlines = [BoothInline]


@admin.register(Sector)
class SectorAdmin(AuditedModelAdmin):
    """Green-border sectors: the geometry is a GeoJSON LineString or Polygon ([longitude, latitude])."""

    list_display = ("code", "name", "post", "buffer_m", "is_active")
    list_filter = ("post", "is_active")
    search_fields = ("code", "name", "name_local")
