"""Officer-facing wording of what the pure modules (MRZ parser, stay rules) report in English:
translated field names and problem kinds, the place in the MRZ, the stay verdict's basis and
notes, post names in the reader's language, and the MRZ with the faulty characters marked."""

from __future__ import annotations

import re

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.translation import get_language, get_language_bidi, gettext_lazy
from django.utils.translation import gettext as _

from travelers import labels

register = template.Library()

PROBLEM_KINDS = {
    "format": gettext_lazy("not the lines of a passport, identity card or visa zone (count or length of lines)"),
    "character": gettext_lazy("a character an MRZ cannot hold"),
    "check_digit": gettext_lazy("the check digit does not match"),
    "date": gettext_lazy("not a valid date"),
    "document_code": gettext_lazy("not a known document code"),
    "document_number": gettext_lazy("malformed document number"),
    "name": gettext_lazy("malformed name"),
    "sex": gettext_lazy("must be M, F or X"),
    "unknown_code": gettext_lazy("not an ICAO country or organisation code"),
    "expired": gettext_lazy("the document has expired"),
    "birth_in_future": gettext_lazy("the date of birth is in the future"),
    "date_order": gettext_lazy("the date of birth is after the date of expiry"),
    "required": gettext_lazy("required"),
    "lowercase": gettext_lazy("lowercase letters were read as capitals"),
    "whitespace": gettext_lazy("spaces or blank lines were removed"),
}

STAY_BASIS = {
    "national": gettext_lazy("National: enters as of right, no limit of stay."),
    "visa": gettext_lazy("On a valid visa or permit."),
    "visa_required": gettext_lazy("A visa is required and none is valid today."),
    "no_rule": gettext_lazy("No stay rule applies to this nationality."),
}

VISA_PROBLEMS = {
    "revoked": gettext_lazy("revoked"),
    "not yet valid": gettext_lazy("not yet valid"),
    "expired": gettext_lazy("expired"),
    "entries used": gettext_lazy("all entries used"),
}
_VISA_NOTE = re.compile(r"^visa (?P<number>\S+): (?P<why>.+)$")


def _is_english() -> bool:
    return (get_language() or "en").split("-")[0] == "en"


@register.simple_tag
def field_label(name: str) -> str:
    return labels.field_label(name)


def _place(problem: dict) -> str:
    line, start, end = problem.get("line"), problem.get("start"), problem.get("end")
    if line is None:
        return ""
    if start is None:
        return _("line %(line)s") % {"line": line}
    if end is None or end == start:
        return _("line %(line)s, position %(start)s") % {"line": line, "start": start}
    return _("line %(line)s, positions %(start)s-%(end)s") % {"line": line, "start": start, "end": end}


@register.simple_tag
def mrz_problem(problem) -> str:
    """One problem of a document read (a FieldError or its dict): in English the parser's own
    precise message; in another language the field, the kind of problem and the place."""
    if hasattr(problem, "as_dict"):
        problem = problem.as_dict()
    if _is_english() or problem.get("kind") not in PROBLEM_KINDS:
        return format_html("<bdi>{}</bdi>", problem.get("message", ""))  # as_dict's message holds the place
    place = _place(problem)
    body = format_html("{}: {}", field_label(problem.get("field", "")), PROBLEM_KINDS[problem["kind"]])
    return format_html("{}{}{}", place, " · " if place else "", body)


@register.simple_tag
def stay_basis(verdict: dict) -> str:
    code = verdict.get("code")
    if code == "visa_exempt":
        text = _("Visa exempt: %(days)s days.") % {"days": verdict.get("days_left")}
    elif code == "visa_on_arrival":
        text = _("Visa on arrival, issued with the admission: %(days)s days.") % {"days": verdict.get("days_left")}
    elif code == "stay_exhausted":
        text = (_("The permitted days in the period are used up (%(days)s days already stayed).")
                % {"days": verdict.get("days_used")})
    else:
        text = str(STAY_BASIS.get(code, STAY_BASIS["no_rule"]))
    if verdict.get("days_used") and code != "stay_exhausted":
        text += " " + _("%(days)s days already stayed in the period.") % {"days": verdict["days_used"]}
    return text


@register.simple_tag
def stay_note(note: str) -> str:
    if note == "permitted stay limited to the document's expiry":
        return _("The permitted stay ends when the document expires.")
    match = _VISA_NOTE.match(note or "")
    if match and match["why"] in VISA_PROBLEMS:
        return format_html(_("Visa {number}: {why}"), number=format_html("<bdi>{}</bdi>", match["number"]),
                           why=VISA_PROBLEMS[match["why"]])
    return format_html("<bdi>{}</bdi>", note)


@register.simple_tag
def post_name(post) -> str:
    """A border post's code and name; its local (Arabic-script) name in the right-to-left UIs
    (Arabic, Kurdish Sorani) where it has one."""
    if post is None:
        return ""
    name = post.name_local if get_language_bidi() and post.name_local else post.name
    return format_html('<bdi dir="ltr">{}</bdi> <bdi>{}</bdi>', post.code, name)


@register.simple_tag
def mrz_marked(lines, problems) -> str:
    """The MRZ lines as read in a monospace block, 44 characters wide for a passport, with each
    character a problem points at marked (a failed check digit: the digit itself)."""
    marks: dict[int, set[int]] = {}
    for problem in problems or ():
        if hasattr(problem, "as_dict"):
            problem = problem.as_dict()
        line, start = problem.get("line"), problem.get("start")
        if line is None or start is None:
            continue
        end = problem.get("end") or start
        marks.setdefault(line, set()).update(range(start, end + 1))
    rows = []
    for number, text in enumerate(lines or (), start=1):
        marked = marks.get(number, set())
        cells = format_html_join("", "{}", (
            (format_html('<mark title="{}">{}</mark>', _("line %(line)s, position %(start)s")
                         % {"line": number, "start": i}, ch) if i in marked else ch,)
            for i, ch in enumerate(text, start=1)))
        rows.append(format_html('<span class="mrz-line">{}</span>', cells))
    return format_html('<pre class="mrz-marked" dir="ltr" aria-label="{}">{}</pre>', _("MRZ as read"),
                       format_html_join("\n", "{}", ((r,) for r in rows)))


@register.simple_tag
def reason_label(reason) -> str:
    """A reason code with its label in the reader's language."""
    label = reason.label_ar if get_language() == "ar" and reason.label_ar else reason.label
    return format_html('<bdi dir="ltr">{}</bdi> {}', reason.code, label)
