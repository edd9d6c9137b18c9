from django.utils.translation import gettext_lazy as _

from core.nav import NavItem

_HUMANS = frozenset({"officer", "supervisor", "admin"})
_STAFF = frozenset({"supervisor", "admin"})

ITEMS = [
    NavItem(_("Checkpoint"), "travelers:checkpoint", _HUMANS, order=10,
            description=_("Read a travel document, see the checks, decide")),
    NavItem(_("Secondary inspection"), "travelers:secondary-queue", _HUMANS, order=20,
            description=_("Travelers referred for a closer look")),
    NavItem(_("Inspections"), "travelers:inspection-list", _STAFF, order=30,
            description=_("Recent inspections and booth timings")),
    NavItem(_("Overstays"), "travelers:overstay-list", _STAFF, order=40,
            description=_("Persons whose permitted stay ended without an exit")),
    NavItem(_("Stay rules"), "travelers:stay-rules", _STAFF, order=50,
            description=_("Visa regimes and maximum stays per nationality")),
    NavItem(_("Possible duplicates"), "travelers:candidate-list", _STAFF, order=60,
            description=_("Persons who may be one: compare and decide")),
]
