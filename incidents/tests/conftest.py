import pytest

from accounts.permissions import Role
from accounts.tests.factories import UserFactory
from core.tests.factories import SectorFactory
from devices.tests.factories import make_device


@pytest.fixture
def sector_a(post_a):
    # A straight stretch of border, 3 km buffer: (33.60, 45.90) to (33.40, 46.10).
    return SectorFactory(post=post_a, code="SA1", name="Sector A1", name_local="القاطع أ١")


@pytest.fixture
def sector_a2(post_a):
    return SectorFactory(post=post_a, code="SA2", geometry={"type": "LineString", "coordinates": [[46.10, 33.40],
                                                                                                  [46.30, 33.20]]})


@pytest.fixture
def sector_b(post_b):
    return SectorFactory(post=post_b, code="SB1")


@pytest.fixture
def camera(post_a, sector_a):
    device, _raw = make_device("thermal_camera", post=post_a, sector=sector_a, code="CAM-A1", latitude=33.50,
                               longitude=46.00)
    return device


@pytest.fixture
def camera_raw(post_a, sector_a):
    return make_device("thermal_camera", post=post_a, sector=sector_a, code="CAM-A1", latitude=33.50,
                       longitude=46.00)


@pytest.fixture
def camera_b(post_b, sector_b):
    device, _raw = make_device("thermal_camera", post=post_b, sector=sector_b, code="CAM-B1", latitude=33.50,
                               longitude=46.00)
    return device


@pytest.fixture
def handset(post_a):
    device, _raw = make_device("patrol_handset", post=post_a, code="HS-A1")
    return device


@pytest.fixture
def handset_raw(post_a):
    return make_device("patrol_handset", post=post_a, code="HS-A1")


@pytest.fixture
def supervisor_b(post_b, border_agency):
    return UserFactory(username="supervisor.b", role=Role.SUPERVISOR, agency=border_agency, posts=[post_b])
