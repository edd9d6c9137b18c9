import pytest

from travelers.services import stay_rule_set


@pytest.fixture
def rules(supervisor):
    """Stay rules used across the tests: Jordan visa-exempt 30 days in 180, Iran visa on arrival
    30 days, Syria visa required."""
    stay_rule_set(actor=supervisor, nationality="JOR", regime="visa_exempt", max_stay_days=30, period_days=180)
    stay_rule_set(actor=supervisor, nationality="IRN", regime="visa_on_arrival", max_stay_days=30)
    stay_rule_set(actor=supervisor, nationality="SYR", regime="visa_required")
