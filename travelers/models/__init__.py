"""Persons, travel documents, visas and stay rules, inspections, movements (issue 3)."""

from travelers.models.booth_read import BoothRead, BoothReadOutcome, BoothReadStatus
from travelers.models.civil_registry import RegistryAnswer, RegistryCheck, RegistryStatus
from travelers.models.identity import BirthPrecision, IdentitySource, PersonIdentity, PersonMerge
from travelers.models.inspection import (
    AbandonReason,
    Decision,
    Inspection,
    InspectionStatus,
    Movement,
    MovementDecision,
    ReasonCode,
    ReasonUse,
    SecondaryInspection,
    SecondaryOutcome,
    SecondaryStatus,
    TransportMode,
)
from travelers.models.person import DocumentKind, MatchRule, Person, Sex, TravelDocument
from travelers.models.stay import Overstay, StayRegime, StayRule, Visa, VisaCategory

__all__ = [
    "AbandonReason",
    "BirthPrecision",
    "BoothRead",
    "BoothReadOutcome",
    "BoothReadStatus",
    "Decision",
    "DocumentKind",
    "IdentitySource",
    "Inspection",
    "InspectionStatus",
    "MatchRule",
    "Movement",
    "MovementDecision",
    "Overstay",
    "Person",
    "PersonIdentity",
    "PersonMerge",
    "ReasonCode",
    "ReasonUse",
    "RegistryAnswer",
    "RegistryCheck",
    "RegistryStatus",
    "SecondaryInspection",
    "SecondaryOutcome",
    "SecondaryStatus",
    "Sex",
    "StayRegime",
    "StayRule",
    "TransportMode",
    "TravelDocument",
    "Visa",
    "VisaCategory",
]
