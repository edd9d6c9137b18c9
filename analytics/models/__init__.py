from analytics.models.rollups import InspectionRollup, MovementRollup  # noqa: F401
from analytics.models.rules import RiskFiring, RiskRule, RiskRuleVersion  # noqa: F401
