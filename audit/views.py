from django.core.paginator import Paginator
from django.shortcuts import render

from accounts.permissions import Role, role_required
from audit.filters import AuditEventFilter
from audit.models import AuditEvent


@role_required(Role.SUPERVISOR, Role.ADMIN)
def event_list(request):
    queryset = AuditEvent.objects.restrict(request.user, "view").select_related("actor_agency")
    filterset = AuditEventFilter(request.GET, queryset=queryset)
    page = Paginator(filterset.qs.order_by("-seq"), 50).get_page(request.GET.get("page"))
    template = "audit/_event_rows.html" if request.htmx else "audit/event_list.html"
    return render(request, template, {"filter": filterset, "page": page})
