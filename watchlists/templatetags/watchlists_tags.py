"""Template tags for hits: the explanation an officer reads, and the inspection panel.

The travelers app shows the hits of an inspection with
``{% load watchlists_tags %}{% inspection_hits inspection.id %}`` (most serious first)."""

from django import template

from watchlists.explain import explanation_lines, phrase
from watchlists.selectors import hits_for_inspection

register = template.Library()


@register.inclusion_tag("watchlists/_hit_explanation.html")
def hit_explanation(hit):
    """The hit's explanation as sentences in the reader's language (see watchlists.explain)."""
    return {"lines": explanation_lines(hit.explanation)}


@register.filter
def stored_phrase(text):
    """A phrase stored in English by a service (an import row's reason), in the reader's language."""
    return phrase(text) if text else text


@register.inclusion_tag("watchlists/_inspection_hits.html", takes_context=True)
def inspection_hits(context, inspection_id, unavailable=None):
    request = context.get("request")
    hits = hits_for_inspection(user=request.user, inspection_id=inspection_id) if request is not None else []
    return {"hits": hits, "unavailable": unavailable or [], "request": request}


@register.simple_tag
def hit_evidence_url(hit):
    """The page showing a hit's evidence (both faces or fingerprints), when its source has one."""
    from watchlists.hooks import hit_evidence_url as url_for

    return url_for(hit)
