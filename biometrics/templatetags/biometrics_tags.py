"""`{% biometrics_panel inspection_id %}`: the biometric part of the inspection screen.

The travelers app renders it without knowing biometrics' models; each modality fills its own
partial (templates/biometrics/face/_panel.html, templates/biometrics/fingerprint/_panel.html) from
the context its `panel_context` function returns."""

from django import template

register = template.Library()


@register.inclusion_tag("biometrics/_inspection_panel.html", takes_context=True)
def biometrics_panel(context, inspection_id):
    from biometrics.views import face, fingerprint

    request = context.get("request")
    from biometrics.access import inspection_is_closed

    # Capture controls are hidden on a closed inspection (the services refuse such captures too).
    result = {"inspection_id": inspection_id, "request": request, "inspection_closed": inspection_is_closed(inspection_id)}
    for module in (face, fingerprint):
        panel_context = getattr(module, "panel_context", None)
        if panel_context is not None:
            result.update(panel_context(request, inspection_id))
    return result


@register.filter
def verification_reason(reason):
    """A stored 1:1 verification reason (English data) in the reader's language."""
    from biometrics.messages import verification_reason as translated

    return translated(reason) if reason else reason


@register.filter
def face_quality(quality):
    """A stored face quality report (English data) as one sentence in the reader's language."""
    from biometrics.messages import face_quality_message

    return face_quality_message(quality) if quality else ""
