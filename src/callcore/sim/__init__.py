"""The simulator: seeded days of traffic through the real contact centre."""

from callcore.sim._campaign_sim import CampaignDay, simulate_campaign
from callcore.sim._center_sim import DRAIN, DayRun, simulate_day
from callcore.sim._distributions import (
    Distribution,
    Empirical,
    Exponential,
    Fixed,
    LogNormal,
    handle_times,
    read_distribution,
)
from callcore.sim._queue_model import (
    QueueModel,
    QueueResult,
    QueueStudy,
    replicate_queue,
    run_queue,
)
from callcore.sim._report import REPORT_METRICS, DayReport, ReportLine, run_scenario
from callcore.sim._scenario import (
    MAX_AGENTS,
    MAX_INTERVALS,
    AgentGroup,
    Choice,
    Scenario,
    Stream,
    forecast_stream,
    read_scenario,
)
from callcore.sim._staffing import SimulatedStaffing, simulated_staffing
from callcore.sim._stats import Estimate, t_quantile

__all__ = [
    "DRAIN",
    "MAX_AGENTS",
    "MAX_INTERVALS",
    "REPORT_METRICS",
    "AgentGroup",
    "CampaignDay",
    "Choice",
    "DayReport",
    "DayRun",
    "Distribution",
    "Empirical",
    "Estimate",
    "Exponential",
    "Fixed",
    "LogNormal",
    "QueueModel",
    "QueueResult",
    "QueueStudy",
    "ReportLine",
    "Scenario",
    "SimulatedStaffing",
    "Stream",
    "forecast_stream",
    "handle_times",
    "read_distribution",
    "read_scenario",
    "replicate_queue",
    "run_queue",
    "run_scenario",
    "simulate_campaign",
    "simulate_day",
    "simulated_staffing",
    "t_quantile",
]
