from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import Agency, ApiClient, ApiToken, User
from accounts.services import api_token_issue, api_token_revoke
from audit.admin import AuditedModelAdmin


@admin.register(User)
class UserAdmin(AuditedModelAdmin, DjangoUserAdmin):
    list_display = ("username", "role", "agency", "is_national", "is_active")
    list_filter = ("role", "agency", "is_active", "is_national")
    fieldsets = DjangoUserAdmin.fieldsets + (
        (_("Border management"), {"fields": ("role", "agency", "posts", "is_national")}),
    )
    filter_horizontal = ("posts", "groups", "user_permissions")


@admin.register(Agency)
class AgencyAdmin(AuditedModelAdmin):
    list_display = ("code", "name", "kind", "is_active")
    list_filter = ("kind", "is_active")


@admin.register(ApiClient)
class ApiClientAdmin(AuditedModelAdmin):
    list_display = ("name", "agency", "is_active")
    list_filter = ("agency", "is_active")
    readonly_fields = ("user",)
    actions = ["issue_token"]

    def has_add_permission(self, request):
        # Clients are created with `manage.py create_api_client`, which creates their machine user.
        return False

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
