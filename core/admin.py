from django.contrib import admin

from audit.admin import AuditedModelAdmin
from core.models import Booth, BorderPost


class BoothInline(admin.TabularInline):
    model = Booth
    extra = 0


@admin.register(BorderPost)
class BorderPostAdmin(AuditedModelAdmin):
    list_display = ("code", "name", "kind", "country", "neighbour_country", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("code", "name", "name_local")
    inlines = [BoothInline]
