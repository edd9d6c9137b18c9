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
    try:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate([("travelers", "0006_identity")])
        with connection.cursor() as cursor:
            cursor.execute("SELECT person_id, source_ref, post_id FROM travelers_personidentity WHERE source = %s",
                           ["document"])
            found = cursor.fetchall()
    finally:
        # Going back to 0005 unapplied everything that depends on it (later migrations of this and
        # other apps): the database goes forward to the latest state again for the tests after this one.
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
    from travelers.models import PersonIdentity

    assert [tuple(r) for r in found] == [
        (inspection.person_id, f"document:{inspection.document_id}", booth_a.post_id)]
    rows = list(PersonIdentity.objects.filter(source="document"))
    assert len(rows) == 1
    assert rows[0].primary_identifier == inspection.document.primary_identifier
    assert rows[0].birth_precision == "exact"
