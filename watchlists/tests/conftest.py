import pytest

from watchlists.models import Watchlist


@pytest.fixture
def wanted(border_agency):
    return Watchlist.objects.create(code="WANTED", name="Wanted persons", owner_agency=border_agency, action="arrest")


@pytest.fixture
def un_list(border_agency):
    return Watchlist.objects.create(code="UNSC", name="UN sanctions", owner_agency=border_agency, action="refer")


@pytest.fixture
def stolen_docs(border_agency):
    return Watchlist.objects.create(code="SLTD", name="Stolen and lost documents", owner_agency=border_agency,
                                    kind="documents", action="refer")


@pytest.fixture
def vehicles(border_agency):
    return Watchlist.objects.create(code="VEH", name="Vehicle alerts", owner_agency=border_agency,
                                    kind="vehicles", action="notify")
