from analytics.models.anomalies import Departure, FlowAlert  # noqa: F401
from analytics.models.rollups import InspectionRollup, MovementRollup  # noqa: F401
