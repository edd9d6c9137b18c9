"""What incidents does with the events border devices send (registered in IncidentsConfig.ready):
a camera's detection is attached to its incident (in the background, on the devices queue); a
patrol handset's position may be its contact with the incident or report the outcome (at once,
so that the handset hears the answer)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError

from devices.hooks import EventRejected
from incidents.services import incident_apply_position, incident_attach_detection


def _fields(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {field: [str(m) for e in errors for m in e.messages] for field, errors in exc.error_dict.items()}
    return {"non_field_errors": [str(m) for m in exc.messages]}


def on_detection(event) -> dict:
    incident, created = incident_attach_detection(detection=event.detection)
    return {"incident": incident.pk, "incident_status": incident.status, "incident_created": created}


def on_position(event) -> dict:
    try:
        effect = incident_apply_position(position=event.position)
    except ValidationError as exc:
        fields = _fields(exc)
        # An outcome that cannot be understood is bad input (400, in the message); a position
        # for an incident that is not this patrol's, or is closed, conflicts with the state (409).
        if set(fields) <= {"message", "persons", "outcome"}:
            text = "; ".join(m for ms in fields.values() for m in ms)
            raise EventRejected("invalid", text, fields={"message": [text]}, status=400)
        text = "; ".join(m for ms in fields.values() for m in ms)
        raise EventRejected("incident_conflict", text, fields=fields, status=409)
    except PermissionDenied as exc:
        raise EventRejected("forbidden", str(exc), fields={"incident": [str(exc)]}, status=403)
    if effect.incident is None:
        return {"incident": None}
    return {"incident": effect.incident.pk, "incident_status": effect.incident.status,
            "contact": effect.contact, "closed": effect.closed}
