from analytics.models.rules import RiskFiring, RiskRule, RiskRuleVersion  # noqa: F401
