"""Writes of the travelers app. Import from here: `from travelers.services import inspection_start`."""

from travelers.services.inspections import (
    OVERRIDABLE_KINDS,
    DocumentInvalid,
    inspection_abandon,
    inspection_decide,
    inspection_hit_resolve,
    inspection_override,
    inspection_start,
    read_document,
    secondary_decide,
    secondary_take,
)
from travelers.services.persons import document_resolve, person_split
from travelers.services.rules import Rules, decision_rules
from travelers.services.stay import overstay_scan, stay_rule_set, visa_issue

__all__ = [
    "OVERRIDABLE_KINDS",
    "DocumentInvalid",
    "Rules",
    "decision_rules",
    "document_resolve",
    "inspection_abandon",
    "inspection_decide",
    "inspection_hit_resolve",
    "inspection_override",
    "inspection_start",
    "overstay_scan",
    "person_split",
    "read_document",
    "secondary_decide",
    "secondary_take",
    "stay_rule_set",
    "visa_issue",
]
