"""Whose biometrics a request is about: the traveler and the inspection, resolved for the user.

Every face and fingerprint endpoint and page that takes a ``person_id`` or an ``inspection_id``
resolves it here first, before anything is stored or compared:

- a malformed id is a ``ValidationError`` naming the field (400);
- an id that does not exist, or that the user may not see (without the ``persons:read`` scope no
  traveler is visible), is a :class:`SubjectNotFound`
  (an ``Http404`` naming the field, 404): the same answer for both, so existence does not leak;
- a read of a traveler's biometric data (comparing against their stored prints or template,
  showing their enrolled fingers) is recorded with :meth:`Subject.record_read`
  (``audit.services.audit_read``: a ``person.view`` event).

biometrics never imports travelers (docs/architecture.md). The travelers app registers the two
lookups in ``TravelersConfig.ready``; each goes through the restricted queryset
(``Person.objects.restrict(user, "view")``, ``Inspection.objects.restrict(user, "view")``).
Without a registered lookup every id is refused: this module fails closed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _

from audit.services import audit_read

# (person_id, user) -> the person (a model instance) if it exists and the user may see it, else None.
PersonLookup = Callable[[int, Any], Any]
# (inspection_id, user) -> {"person_id", "post_id"} if it exists and the user may see it, else None.
InspectionLookup = Callable[[int, Any], "dict | None"]

# inspection_id -> True when the inspection is closed (decided): no capture is added to it.
InspectionClosedCheck = Callable[[int], bool]
# (document number, issuing state or "", user) -> the persons the user may see who hold a document of
# that number (at most a few; more than one means the officer must say which).
DocumentLookup = Callable[[str, str, Any], list]

_person_lookup: PersonLookup | None = None
_inspection_lookup: InspectionLookup | None = None
_inspection_closed: InspectionClosedCheck | None = None
_document_lookup: DocumentLookup | None = None


def register_person_lookup(lookup: PersonLookup | None) -> None:
    global _person_lookup
    _person_lookup = lookup


def register_inspection_lookup(lookup: InspectionLookup | None) -> None:
    global _inspection_lookup
    _inspection_lookup = lookup


def register_inspection_closed_check(check: InspectionClosedCheck | None) -> None:
    global _inspection_closed
    _inspection_closed = check


def register_document_lookup(lookup: DocumentLookup | None) -> None:
    global _document_lookup
    _document_lookup = lookup


def inspection_is_closed(inspection_id) -> bool:
    """Whether the inspection is closed (False when unknown or without travelers)."""
    if inspection_id is None or _inspection_closed is None:
        return False
    return bool(_inspection_closed(int(inspection_id)))


def refuse_closed_inspection(inspection_id, field: str = "inspection_id") -> None:
    """Captures and searches are attached to open inspections only: a decided inspection is a
    record, not a place to add evidence (ValidationError naming ``field``)."""
    if inspection_is_closed(inspection_id):
        raise ValidationError(
            {field: [_("This inspection is closed: no biometric capture can be added to it.")]},
            code="inspection_closed",
        )


def persons_by_document(*, user, number: str, issuing_state: str = "") -> list:
    """The travelers the user may see who hold a document of this number (none without travelers)."""
    cleaned = "".join(str(number).split()).replace("<", "").upper()[:35]
    if not cleaned or _document_lookup is None:
        return []
    return list(_document_lookup(cleaned, (issuing_state or "").strip().upper()[:3], user))


class SubjectNotFound(Http404):
    """No such traveler, inspection or watchlist entry, or not one the user may see."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Subject:
    person_id: int | None = None
    inspection_id: int | None = None
    post_id: int | None = None  # the inspection's post
    person: Any = None

    def record_read(self, *, actor, purpose: str) -> None:
        """Audit a read of this traveler's biometric data (no-op without a traveler)."""
        if self.person is not None:
            audit_read(actor=actor, obj=self.person, purpose=purpose[:60])


def _malformed(field: str) -> ValidationError:
    messages = {
        "person_id": _("The traveler id must be a positive integer."),
        "inspection_id": _("The inspection id must be a positive integer."),
    }
    return ValidationError({field: [messages.get(field) or _("The id must be a positive integer.")]})


def parse_id(raw, field: str) -> int | None:
    """A positive integer id, None when absent; a ValidationError naming ``field`` otherwise."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, bool):
        raise _malformed(field)
    try:
        value = int(str(raw).strip())
    except (TypeError, ValueError):
        raise _malformed(field) from None
    if value <= 0:
        raise _malformed(field)
    return value


def inspection_info(*, user, inspection_id) -> dict:
    """``{"person_id", "post_id"}`` of an inspection the user may see; SubjectNotFound otherwise."""
    iid = parse_id(inspection_id, "inspection_id")
    info = _inspection_lookup(iid, user) if (_inspection_lookup is not None and iid is not None) else None
    if info is None:
        raise SubjectNotFound("inspection_id", _("No such inspection, or not one you may see."))
    return {"person_id": info.get("person_id"), "post_id": info.get("post_id")}


def person_resolve(*, user, person_id):
    """The traveler if the user may see it; SubjectNotFound otherwise (no audit: see Subject)."""
    from biometrics.visibility import caller_scopes

    pid = parse_id(person_id, "person_id")
    person = _person_lookup(pid, user) if (_person_lookup is not None and pid is not None) else None
    if person is not None and "persons:read" not in caller_scopes(user):
        # Without persons:read no traveler is "one you may see": an existing id and a missing one
        # get the same 404, whatever would have followed (e.g. "no enrolled fingerprints").
        person = None
    if person is None:
        raise SubjectNotFound("person_id", _("No such traveler, or not one you may see."))
    return person


def subject_resolve(*, user, person_id=None, inspection_id=None, person_required: bool = False) -> Subject:
    """Resolve the traveler and/or inspection of a biometric request for ``user``.

    Malformed ids are checked first (400 for both fields at once), then the inspection and the
    traveler (404). When both are given, the inspection must be of that traveler (400)."""
    errors: dict[str, list[str]] = {}
    pid = iid = None
    for field, raw in (("person_id", person_id), ("inspection_id", inspection_id)):
        try:
            value = parse_id(raw, field)
        except ValidationError as exc:
            errors.update(exc.message_dict)
            continue
        if field == "person_id":
            pid = value
        else:
            iid = value
    if pid is None and person_required and "person_id" not in errors:
        errors["person_id"] = [_("Enter the traveler id.")]
    if errors:
        raise ValidationError(errors)
    post_id = None
    if iid is not None:
        info = inspection_info(user=user, inspection_id=iid)
        post_id = info["post_id"]
        if pid is not None and info["person_id"] is not None and info["person_id"] != pid:
            raise ValidationError({"inspection_id": [_("This inspection is of another traveler.")]})
    person = person_resolve(user=user, person_id=pid) if pid is not None else None
    return Subject(person_id=pid, inspection_id=iid, post_id=post_id, person=person)


def person_entry_resolve(*, user, entry_id, action: str = "view", field: str = "person_entry_id"):
    """A watchlist person entry through the watchlist's restricted queryset (``action`` "view" or
    "change"); SubjectNotFound for an entry that does not exist or the user may not see/change."""
    from watchlists.models import PersonEntry

    eid = parse_id(entry_id, field)
    entry = PersonEntry.objects.restrict(user, action).filter(pk=eid).first() if eid is not None else None
    if entry is None:
        raise SubjectNotFound(field, _("No such watchlist person entry, or not one you may use."))
    return entry
