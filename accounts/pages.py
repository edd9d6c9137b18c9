"""Pages of the ground apps that depend on who is looking: the home page, the border posts and
the audit trail. core and audit import nothing of ours (they sit below accounts, which owns the
roles), so their role-gated pages live here and are mounted under their own URL namespaces
("core", "audit") by `accounts.page_urls`."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import render

from accounts.permissions import HUMAN_ROLES, STAFF_ROLES, role_required
from audit.filters import AuditEventFilter
from audit.models import AuditEvent
from core.models import BorderPost


@role_required(*HUMAN_ROLES)
def home(request):
    return render(request, "core/home.html")


@role_required(*STAFF_ROLES)
def post_list(request):
    posts = BorderPost.objects.restrict(request.user, "view").prefetch_related("booths").order_by("code")
    return render(request, "core/post_list.html", {"posts": posts})


@role_required(*STAFF_ROLES)
def audit_event_list(request):
    queryset = AuditEvent.objects.restrict(request.user, "view").select_related("actor_agency")
    filterset = AuditEventFilter(request.GET, queryset=queryset)
    page = Paginator(filterset.qs.order_by("-seq"), 50).get_page(request.GET.get("page"))
    template = "audit/_event_rows.html" if request.htmx else "audit/event_list.html"
    return render(request, template, {"filter": filterset, "page": page})
