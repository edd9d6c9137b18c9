"""The identity migration gives every travel document read before it an identity of its person."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from travelers.tests.factories import at, passport


@pytest.mark.django_db(transaction=True)
def test_existing_documents_get_one_identity_each(officer_a, booth_a):
    from travelers.services import inspection_start

    inspection = inspection_start(actor=officer_a, post=booth_a.post, booth=booth_a, direction="entry",
                                  mrz=passport(), now=at(2026, 3, 1))
    executor = MigrationExecutor(connection)
    executor.migrate([("travelers", "0005_national_id_card_and_civil_registry")])
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([("travelers", "0006_identity")])
    from travelers.models import PersonIdentity

    rows = list(PersonIdentity.objects.filter(source="document"))
    assert [(r.person_id, r.source_ref, r.post_id) for r in rows] == [
        (inspection.person_id, f"document:{inspection.document_id}", booth_a.post_id)]
    assert rows[0].primary_identifier == inspection.document.primary_identifier
    assert rows[0].birth_precision == "exact"
