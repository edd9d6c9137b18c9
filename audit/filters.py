import django_filters
from django.utils.translation import gettext_lazy as _

from audit.models import AuditEvent


class AuditEventFilter(django_filters.FilterSet):
    action = django_filters.CharFilter(lookup_expr="startswith", label=_("Action starts with"))
    object_type = django_filters.CharFilter(label=_("Object type"))
    object_id = django_filters.CharFilter(label=_("Object id"))
    actor = django_filters.CharFilter(field_name="actor_label", label=_("User"))
    since = django_filters.DateTimeFilter(field_name="created_at", lookup_expr="gte", label=_("Since"))

    class Meta:
        model = AuditEvent
        fields = ["action", "object_type", "object_id"]
