from analytics.models.rollups import InspectionRollup, MovementRollup  # noqa: F401
