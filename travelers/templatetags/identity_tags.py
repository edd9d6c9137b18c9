"""The checkpoint's "known under other identities" line (issue 15)."""

from django import template

from travelers.person_page import known_under as _known_under

register = template.Library()


@register.simple_tag
def known_under(person, document=None):
    """{"other_names": n, "merged": m, "any": bool} for ``person``, names compared with the name on
    ``document`` (the one being inspected) when given."""
    if person is None:
        return {"any": False}
    name = (document.primary_identifier, document.secondary_identifier) if document is not None else None
    return _known_under(person, name=name)
