import pytest

from travelers.services import stay_rule_set


@pytest.fixture
def stay_rules(supervisor):
    for nationality in ("JOR", "SYR", "IRN"):
        stay_rule_set(actor=supervisor, nationality=nationality, regime="visa_exempt", max_stay_days=30,
                      period_days=180)
