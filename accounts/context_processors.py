from django.conf import settings

from accounts.permissions import Role
from core.nav import nav_items


def bmis(request):
    user = getattr(request, "user", None)
    booth = None
    if user is not None and user.is_authenticated and hasattr(request, "session"):
        booth = request.session.get("bmis_booth_label")
    return {
        "BMIS_ROLE": getattr(user, "role", None) if user is not None and user.is_authenticated else None,
        "BMIS_ROLES": Role,
        "BMIS_BOOTH": booth,
        "BMIS_DEBUG": settings.DEBUG,
        "BMIS_IDLE_SECONDS": settings.BMIS_SESSION_IDLE_MINUTES * 60,
        "BMIS_NAV": nav_items(user) if user is not None and user.is_authenticated else [],
    }
