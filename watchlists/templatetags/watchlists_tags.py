"""Template tags for hits: the explanation an officer reads, and the inspection panel.

The travelers app shows the hits of an inspection with
``{% load watchlists_tags %}{% inspection_hits inspection.id %}`` (most serious first)."""

from django import template

from watchlists.names.score import explanation_lines
from watchlists.selectors import hits_for_inspection

register = template.Library()


@register.inclusion_tag("watchlists/_hit_explanation.html")
def hit_explanation(hit):
    ex = hit.explanation or {}
    if "name_parts" in ex and "evidence" in ex:
        lines = explanation_lines(ex)
    else:
        lines = [str(n) for n in ex.get("notes", [])]
        if ex.get("status"):
            lines.insert(0, f"{ex.get('kind', '')} {ex.get('status')}".strip())
    return {"lines": lines}


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
