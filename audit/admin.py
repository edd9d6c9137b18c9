from django.contrib import admin

from audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit trail is never edited, not even by administrators."""

    list_display = ("seq", "created_at", "actor_label", "action", "object_type", "object_id", "client_ip")
    list_filter = ("action",)
    search_fields = ("action", "object_type", "object_id", "actor_label", "request_id")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AuditedModelAdmin(admin.ModelAdmin):
    """Admin changes are audited like any other: the admin views run in a transaction, and the
    event is written in it."""

    def _changes(self, form) -> dict:
        return {
            name: [form.initial.get(name), form.cleaned_data.get(name)]
            for name in form.changed_data
        }

    def save_model(self, request, obj, form, change):
        from audit.services import audit_log

        super().save_model(request, obj, form, change)
        action = f"{obj._meta.model_name}.{'change' if change else 'create'}"
        audit_log(actor=request.user, action=action, obj=obj, changes=self._changes(form),
                  metadata={"via": "admin"})

    def delete_model(self, request, obj):
        from audit.services import audit_log

        audit_log(actor=request.user, action=f"{obj._meta.model_name}.delete", obj=obj, metadata={"via": "admin"})
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        from audit.services import audit_log

        for obj in queryset:
            audit_log(actor=request.user, action=f"{obj._meta.model_name}.delete", obj=obj, metadata={"via": "admin"})
        super().delete_queryset(request, queryset)
