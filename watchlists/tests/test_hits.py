import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from audit.models import AuditEvent
from watchlists.models import HitStatus, PersonEntry, PersonEntryName, Visibility, Watchlist
from watchlists.selectors import false_positive_rates, hits_for_inspection
from watchlists.services import hit_adjudicate, hit_raise


@pytest.fixture
def wanted(border_agency):
    return Watchlist.objects.create(code="WANTED", name="Wanted persons", owner_agency=border_agency, action="arrest")


@pytest.fixture
def monitor_list(border_agency):
    return Watchlist.objects.create(code="MON", name="Monitor", owner_agency=border_agency, action="monitor")


@pytest.fixture
def secret_list(police_agency):
    return Watchlist.objects.create(code="SECRET", name="Police only", owner_agency=police_agency,
                                    visibility=Visibility.AGENCIES, action="notify")


def _entry(watchlist, name="Ahmed Jabir"):
    entry = PersonEntry.objects.create(watchlist=watchlist, gender="M", birth_year=1974)
    PersonEntryName.objects.create(entry=entry, full_name=name, is_primary=True)
    return entry


@pytest.mark.django_db
def test_hits_are_pending_audited_and_deduplicated_per_inspection(wanted, post_a):
    entry = _entry(wanted)
    hit, created = hit_raise(actor=None, source="name", score=0.91, threshold=0.8, entry=entry,
                             inspection_id=7, person_id=3, post=post_a, matched_name="Ahmed Jabir")
    assert created and hit.status == HitStatus.PENDING and hit.action == "arrest"
    again, created_again = hit_raise(actor=None, source="name", score=0.91, threshold=0.8, entry=entry,
                                     inspection_id=7, person_id=3, post=post_a)
    assert not created_again and again.pk == hit.pk
    assert AuditEvent.objects.filter(action="hit.raise").count() == 1


@pytest.mark.django_db
def test_hit_targets_exactly_one_thing(wanted):
    with pytest.raises(ValidationError):
        hit_raise(actor=None, source="face", score=0.9, threshold=0.5)
    with pytest.raises(ValidationError):
        hit_raise(actor=None, source="face", score=0.9, threshold=0.5, entry=_entry(wanted), matched_person_id=4)
    with pytest.raises(ValidationError):
        hit_raise(actor=None, source="telepathy", score=0.9, threshold=0.5, matched_person_id=4)
    with pytest.raises(ValidationError):
        hit_raise(actor=None, source="face", score=1.5, threshold=0.5, matched_person_id=4)


@pytest.mark.django_db
def test_inspection_hits_most_serious_first(wanted, monitor_list, officer_a, post_a):
    hit_raise(actor=None, source="name", score=0.99, threshold=0.8, entry=_entry(monitor_list), inspection_id=1, post=post_a)
    hit_raise(actor=None, source="name", score=0.85, threshold=0.8, entry=_entry(wanted), inspection_id=1, post=post_a)
    hit_raise(actor=None, source="face", score=0.95, threshold=0.6, matched_person_id=99, inspection_id=1, post=post_a)
    hits = list(hits_for_inspection(user=officer_a, inspection_id=1))
    assert [h.action for h in hits] == ["arrest", "refer", "monitor"]


@pytest.mark.django_db
def test_hits_respect_list_visibility_and_posts(wanted, secret_list, officer_a, officer_b, post_a, make_partner):
    hit_raise(actor=None, source="name", score=0.9, threshold=0.8, entry=_entry(wanted), inspection_id=5, post=post_a)
    hit_raise(actor=None, source="name", score=0.9, threshold=0.8, entry=_entry(secret_list), inspection_id=5, post=post_a)
    assert [h.watchlist.code for h in hits_for_inspection(user=officer_a, inspection_id=5)] == ["WANTED"]
    assert list(hits_for_inspection(user=officer_b, inspection_id=5)) == []  # another post
    client, _raw = make_partner(["hits:read"])
    assert {h.watchlist.code for h in hits_for_inspection(user=client.user, inspection_id=5)} == {"WANTED", "SECRET"}


@pytest.mark.django_db
def test_adjudication_by_supervisor_only_with_reason(wanted, officer_a, supervisor):
    hit, _ = hit_raise(actor=None, source="name", score=0.9, threshold=0.8, entry=_entry(wanted))
    with pytest.raises(PermissionDenied):
        hit_adjudicate(actor=officer_a, hit=hit, decision="dismissed", reason="different_person")
    with pytest.raises(ValidationError, match="reason"):
        hit_adjudicate(actor=supervisor, hit=hit, decision="dismissed")
    with pytest.raises(ValidationError, match="note"):
        hit_adjudicate(actor=supervisor, hit=hit, decision="dismissed", reason="other")
    done = hit_adjudicate(actor=supervisor, hit=hit, decision="dismissed", reason="different_dob")
    assert done.status == "dismissed" and done.adjudicated_by == supervisor
    with pytest.raises(ValidationError, match="already dismissed"):
        hit_adjudicate(actor=supervisor, hit=hit, decision="confirmed")
    event = AuditEvent.objects.get(action="hit.adjudicate")
    assert event.changes == {"status": ["pending", "dismissed"]}


@pytest.mark.django_db
def test_false_positive_rate_per_list(wanted, supervisor):
    hits = [hit_raise(actor=None, source="name", score=0.9, threshold=0.8, entry=_entry(wanted))[0] for _ in range(4)]
    hit_adjudicate(actor=supervisor, hit=hits[0], decision="confirmed")
    for hit in hits[1:3]:
        hit_adjudicate(actor=supervisor, hit=hit, decision="dismissed", reason="different_person")
    row = next(r for r in false_positive_rates(user=supervisor) if r["watchlist"].code == "WANTED")
    assert (row["confirmed"], row["dismissed"], row["pending"]) == (1, 2, 1)
    assert row["false_positive_rate"] == pytest.approx(2 / 3)


@pytest.mark.django_db
def test_hits_of_one_screening_are_stored_together_each_audited(wanted, monitor_list, post_a):
    from watchlists.services import hit_raise_many

    first, second = _entry(wanted), _entry(monitor_list, "Ali Hassan")
    before = AuditEvent.objects.count()
    raised = hit_raise_many(actor=None, source="name", inspection_id=11, person_id=2, post=post_a,
                            query={"names": ["x"]}, found=[
        {"entry": first, "score": 0.95, "threshold": 0.8, "matched_name": "Ahmed Jabir"},
        {"entry": second, "score": 0.85, "threshold": 0.8},
        {"entry": first, "score": 0.90, "threshold": 0.8},  # the same entry twice: one hit
    ])
    assert [created for _hit, created in raised] == [True, True, False]
    assert raised[0][0].pk == raised[2][0].pk and raised[0][0].pk != raised[1][0].pk
    assert {h.action for h, _ in raised} == {"arrest", "monitor"}
    events = AuditEvent.objects.filter(action="hit.raise").order_by("seq")
    assert AuditEvent.objects.count() == before + 2
    assert [e.object_id for e in events] == [str(raised[0][0].pk), str(raised[1][0].pk)]
    # the same screening retried: nothing new
    again = hit_raise_many(actor=None, source="name", inspection_id=11, found=[
        {"entry": second, "score": 0.85, "threshold": 0.8}])
    assert again == [(raised[1][0], False)]
    assert AuditEvent.objects.count() == before + 2


@pytest.mark.django_db
def test_one_invalid_hit_writes_none_of_the_screening(wanted):
    from watchlists.services import hit_raise_many

    before_hits, before_events = _entry(wanted), AuditEvent.objects.count()
    with pytest.raises(ValidationError) as err:
        hit_raise_many(actor=None, source="name", found=[
            {"entry": before_hits, "score": 0.9, "threshold": 0.8},
            {"entry": _entry(wanted, "Omar"), "score": 1.7, "threshold": 0.8},
        ])
    assert "score" in err.value.message_dict
    assert not wanted.hits.exists() and AuditEvent.objects.count() == before_events


@pytest.mark.django_db
def test_hits_of_one_screening_insert_json_through_values(wanted):
    """A screening's hits are inserted in one statement with VALUES (core.fields.ValuesJSONField:
    Django 5.2's UNNEST form escapes every JSON text in Python), and their JSON comes back as
    written: quotes, backslashes, Arabic script."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from watchlists.models import Hit
    from watchlists.services import hit_raise_many

    explanation = {"query_name": 'Ahmed "Abu Ali" \\ Jabir', "matched_name": "أحمد جابر", "name_parts": [{"how": ["x"]}]}
    entries = [_entry(wanted, name) for name in ("Ahmed Jabir", "Ahmad Jaber", "Ahmet Cabir")]
    with CaptureQueriesContext(connection) as ctx:
        raised = hit_raise_many(actor=None, source="name", query={"names": ['"quoted"']}, found=[
            {"score": 0.9, "threshold": 0.87, "entry": e, "explanation": {**explanation, "n": i}}
            for i, e in enumerate(entries)
        ])
    inserts = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith('INSERT INTO "watchlists_hit"')]
    assert len(inserts) == 1 and "UNNEST" not in inserts[0].upper()
    for i, (hit, created) in enumerate(raised):
        stored = Hit.objects.get(pk=hit.pk)
        assert created and stored.explanation == {**explanation, "n": i} and stored.query == {"names": ['"quoted"']}
