from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TravelersConfig(AppConfig):
    name = "travelers"
    verbose_name = _("Travelers and inspections")

    def ready(self):
        # Biometric endpoints and pages resolve the traveler and inspection they are given
        # through these (refused with 404 for ones the user may not see).
        from biometrics.access import register_inspection_lookup, register_person_lookup
        from travelers.providers import inspection_for_biometrics, person_for_biometrics

        register_inspection_lookup(inspection_for_biometrics)
        register_person_lookup(person_for_biometrics)

        # Biometric captures are refused on a closed inspection; the fingerprint capture page finds
        # the traveler from the document number the officer types.
        from biometrics.access import register_document_lookup, register_inspection_closed_check
        from travelers.providers import inspection_closed_for_biometrics, persons_by_document_for_biometrics

        register_inspection_closed_check(inspection_closed_for_biometrics)
        register_document_lookup(persons_by_document_for_biometrics)
        # 1:N candidates (face and fingerprints) name only travelers the caller may see.
        from biometrics.visibility import register_visible_persons
        from travelers.providers import visible_person_ids

        register_visible_persons(visible_person_ids)

        # A new or changed watchlist entry re-screens the travelers of the last days.
        from travelers.providers import recent_travelers
        from watchlists.hooks import register_recent_travelers_provider

        register_recent_travelers_provider(recent_travelers)

        # Hit cards of the supervisors' queue show the traveler beside the list entry.
        from travelers.hit_context import hit_context_for
        from watchlists.hooks import register_hit_context_provider

        register_hit_context_provider(hit_context_for)

        # Booth routing: a read on a booth's reader is held for the officer's screen at that booth;
        # a capture from its camera or scanner lands on the booth's open inspection.
        from devices.hooks import register_event_handler
        from travelers.device_events import capture, document_read

        register_event_handler("document", document_read)
        register_event_handler("capture", capture)

        # A traveler's face or fingers enrolled at a checkpoint: look for duplicates (deduplication).
        from travelers.dedupe_hooks import connect as connect_dedupe

        connect_dedupe()
