from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BiometricsConfig(AppConfig):
    name = "biometrics"
    verbose_name = _("Biometrics")

    def ready(self):
        from django.urls import reverse

        from watchlists.hooks import register_hit_evidence

        register_hit_evidence("face", lambda hit: reverse("biometrics:face-hit-evidence", args=[hit.pk]))
        register_hit_evidence("fingerprint", _fingerprint_evidence)


def _fingerprint_evidence(hit) -> str | None:
    from django.urls import reverse

    search_id = (hit.query or {}).get("fingerprint_search_id")
    return reverse("biometrics:fingerprint-search", args=[search_id]) if search_id else None
