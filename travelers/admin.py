"""Reference data editable by administrators (audited). Persons, documents, inspections and
movements are not in the admin: every read of a person goes through the restricted, audited
pages and API."""

from django.contrib import admin

from audit.admin import AuditedModelAdmin
from travelers.models import ReasonCode, StayRule


@admin.register(ReasonCode)
class ReasonCodeAdmin(AuditedModelAdmin):
    list_display = ("code", "label", "label_ar", "use", "is_active")
    list_filter = ("use", "is_active")


@admin.register(StayRule)
class StayRuleAdmin(AuditedModelAdmin):
    list_display = ("nationality", "regime", "max_stay_days", "period_days", "note", "updated_at")
    list_filter = ("regime",)
    readonly_fields = ("updated_by",)

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)
