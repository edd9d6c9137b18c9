import pytest

from watchlists.hooks import RecentTraveler, register_recent_travelers_provider, unregister_recent_travelers_provider
from watchlists.models import Hit
from watchlists.services import person_entry_create, person_entry_update

pytestmark = pytest.mark.django_db


@pytest.fixture
def travelers(post_a):
    seen = []

    def provider(since):
        seen.append(since)
        return [
            RecentTraveler(person_id=1, inspection_id=101, names=["Sinan Thamir Al-Lami"], date_of_birth="1981-05-05",
                           nationality="IRQ", gender="M", post_id=post_a.pk),
            {"person_id": 2, "inspection_id": 102, "names": ["Kawa Ahmed"], "date_of_birth": "1990", "gender": "M",
             "last_movement_at": None},
            {"person_id": 3, "inspection_id": 103, "names": ["Sinan Thamer Al-Lami"], "date_of_birth": "1981-00-00"},
        ]

    register_recent_travelers_provider(provider)
    yield seen
    unregister_recent_travelers_provider(provider)


def test_new_entry_rescreens_recent_travelers(travelers, wanted, supervisor, django_capture_on_commit_callbacks, settings):
    settings.WATCHLISTS_RESCREEN_DAYS = 30
    with django_capture_on_commit_callbacks(execute=True):
        entry = person_entry_create(actor=supervisor, watchlist=wanted, names=["Sinan Thamer Al-Lami"],
                                    date_of_birth="1981", gender="M")
    hits = list(Hit.objects.filter(person_entry=entry))
    # traveler 3 has an unreadable date of birth: screened on the name alone
    assert sorted((h.person_id, h.inspection_id, h.status) for h in hits) == [(1, 101, "pending"), (3, 103, "pending")]
    first = next(h for h in hits if h.person_id == 1)
    assert first.post.code == "PA" and first.explanation["rescreened"] is True
    assert len(travelers) == 1
    # the window is the configured number of days
    from django.utils import timezone

    assert 29 <= (timezone.now() - travelers[0]).days <= 30
    # changing the entry re-screens again without duplicating the hit of the same inspection
    with django_capture_on_commit_callbacks(execute=True):
        person_entry_update(actor=supervisor, entry=entry, remarks="seen at post A")
    assert Hit.objects.filter(person_entry=entry).count() == 2


def test_no_provider_means_no_rescreen_hits(wanted, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        person_entry_create(actor=None, watchlist=wanted, names=["Kawa Ahmed"])
    assert Hit.objects.count() == 0
