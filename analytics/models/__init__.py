from analytics.models.anomalies import Departure, FlowAlert  # noqa: F401
from analytics.models.rollups import InspectionRollup, MovementDayRollup, MovementRollup  # noqa: F401
from analytics.models.rules import RiskFiring, RiskRule, RiskRuleVersion  # noqa: F401
