"""The civil-registry adapter interface: what BMIS asks a registry and what it gets back.

Pure Python: no Django import. An adapter is any object with the two methods of ``Registry``;
``travelers.civil_registry.http.HttpRegistry`` is the reference one (HTTP/JSON).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol, runtime_checkable


class RegistryUnavailable(Exception):
    """The registry did not answer (timeout, unreachable, refused, a server error): the lookup is
    recorded as "registry not checked" and retried later. ``kind`` names why, with no personal
    data: ``timeout``, ``unreachable``, ``unauthorised``, ``http_<status>``, ``bad_answer``."""

    def __init__(self, kind: str, message: str = ""):
        self.kind = kind
        super().__init__(message or kind)


@dataclass(frozen=True)
class RegisteredIdentity:
    """An identity as the civil registry holds it."""

    national_id: str
    surname_latin: str
    given_names_latin: str
    name_ar: str = ""
    surname_ar: str = ""
    given_names_ar: str = ""
    date_of_birth: date | None = None
    sex: str = ""
    place_of_birth_ar: str = ""
    place_of_birth_latin: str = ""
    status: str = "alive"  # alive | deceased
    face_shared: bool = False
    face_image: bytes | None = field(default=None, repr=False)

    @property
    def deceased(self) -> bool:
        return self.status == "deceased"

    def as_dict(self) -> dict:
        """JSON-ready, without the face image (kept apart)."""
        return {
            "national_id": self.national_id, "surname_latin": self.surname_latin,
            "given_names_latin": self.given_names_latin, "name_ar": self.name_ar, "surname_ar": self.surname_ar,
            "given_names_ar": self.given_names_ar,
            "date_of_birth": self.date_of_birth.isoformat() if self.date_of_birth else None,
            "sex": self.sex, "place_of_birth_ar": self.place_of_birth_ar,
            "place_of_birth_latin": self.place_of_birth_latin, "status": self.status,
            "face_shared": self.face_shared,
        }

    @classmethod
    def from_dict(cls, data: dict, face_image: bytes | None = None) -> RegisteredIdentity:
        born = data.get("date_of_birth")
        return cls(
            national_id=str(data["national_id"]), surname_latin=data.get("surname_latin") or "",
            given_names_latin=data.get("given_names_latin") or "", name_ar=data.get("name_ar") or "",
            surname_ar=data.get("surname_ar") or "", given_names_ar=data.get("given_names_ar") or "",
            date_of_birth=date.fromisoformat(born) if born else None, sex=data.get("sex") or "",
            place_of_birth_ar=data.get("place_of_birth_ar") or "",
            place_of_birth_latin=data.get("place_of_birth_latin") or "",
            status=data.get("status") or "alive", face_shared=bool(data.get("face_shared") or face_image),
            face_image=face_image,
        )


@runtime_checkable
class Registry(Protocol):
    """A civil registry. Both methods raise RegistryUnavailable when the registry does not answer."""

    def lookup_by_national_id(self, number: str, *, with_face: bool = True) -> RegisteredIdentity | None:
        """The registered identity with this national ID number, or None when there is none."""
        ...

    def search(self, *, names: str, date_of_birth: date | None = None, sex: str = "") -> list[RegisteredIdentity]:
        """Identities whose names contain every word of ``names`` (Latin or Arabic), with this
        date of birth and sex when given."""
        ...


_NOT_LETTERS = re.compile(r"[^A-Z ]+")


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).upper()
    text = _NOT_LETTERS.sub(" ", text.replace("<", " ").replace("-", " ").replace("'", ""))
    return " ".join(text.split())


def differences(identity: RegisteredIdentity, *, surname: str, given_names: str,
                date_of_birth: str, sex: str) -> list[str]:
    """The fields of a document that differ from the registry: ``surname``, ``given_names``,
    ``date_of_birth``, ``sex``, and ``status`` when the registry records the holder as deceased.

    Names are compared in Latin letters ignoring case, accents, punctuation and spacing; the
    document's given names may go on after the registry's (a card may add the grandfather's
    name). ``date_of_birth`` is ISO (possibly partial, which then differs)."""
    found = []
    if _norm(surname) != _norm(identity.surname_latin):
        found.append("surname")
    doc_given, reg_given = _norm(given_names).split(), _norm(identity.given_names_latin).split()
    if doc_given[: len(reg_given)] != reg_given or not reg_given and doc_given:
        found.append("given_names")
    registered_birth = identity.date_of_birth.isoformat() if identity.date_of_birth else ""
    if (date_of_birth or "") != registered_birth:
        found.append("date_of_birth")
    if sex not in ("", "X") and identity.sex and sex != identity.sex:
        found.append("sex")
    if identity.deceased:
        found.append("status")
    return found
