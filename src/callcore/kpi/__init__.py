"""KPIs: interaction records, metric definitions and streaming aggregation.

Feed :class:`InteractionRecord` values (and :class:`AgentStateRecord` spans)
to an :class:`Aggregator` grouped by interval, queue, agent and/or channel;
each call returns an :class:`AggregatorUpdate` with one event. Read each
group's :class:`Aggregate` totals and compute metrics from them. Records and
spans speak the shared vocabulary of :mod:`callcore.contacts`
(:class:`ContactOutcome`, :class:`AgentState`, re-exported here).
Aggregators merge exactly, so shards can be counted apart and combined.
Undefined metric values (an average over nothing) are ``None``.
"""

from callcore.contacts import AgentState, ContactOutcome
from callcore.kpi import _serialization
from callcore.kpi._aggregate import Aggregate, Thresholds
from callcore.kpi._aggregator import Aggregator
from callcore.kpi._chart import interval_chart
from callcore.kpi._distributions import MAX_READ_THRESHOLD, Distributions
from callcore.kpi._events import AgentStateAdded, AggregatorUpdate, RecordsAdded, TotalsMerged
from callcore.kpi._export import Row, rows, to_csv, to_markdown, write_csv
from callcore.kpi._grouping import Dimension, GroupKey, IntervalGrid
from callcore.kpi._limits import (
    MAX_AGENT_STATE_SPAN,
    MAX_RECORD_COUNT,
    MAX_TOTAL,
    MAX_WINDOW_SLOTS,
)
from callcore.kpi._live import AgentNow, EventsObserved, LiveView, QueueNow
from callcore.kpi._metrics import BUILTIN_METRICS, Metric, MetricValue, Unit, evaluate
from callcore.kpi._percentiles import EXACT_LIMIT, RELATIVE_ERROR, Percentiles
from callcore.kpi._records import AgentStateRecord, InteractionRecord, InvalidRecordError
from callcore.kpi._repeat import RepeatContactMarker
from callcore.kpi._service_level import (
    DEFAULT_SERVICE_LEVEL,
    ServiceLevelVariant,
    service_level,
)
from callcore.kpi._window import RollingWindow

__all__ = [
    "BUILTIN_METRICS",
    "DEFAULT_SERVICE_LEVEL",
    "EXACT_LIMIT",
    "MAX_AGENT_STATE_SPAN",
    "MAX_READ_THRESHOLD",
    "MAX_RECORD_COUNT",
    "MAX_TOTAL",
    "MAX_WINDOW_SLOTS",
    "RELATIVE_ERROR",
    "AgentNow",
    "AgentState",
    "AgentStateAdded",
    "AgentStateRecord",
    "Aggregate",
    "Aggregator",
    "AggregatorUpdate",
    "ContactOutcome",
    "Dimension",
    "Distributions",
    "EventsObserved",
    "GroupKey",
    "InteractionRecord",
    "IntervalGrid",
    "InvalidRecordError",
    "LiveView",
    "Metric",
    "MetricValue",
    "Percentiles",
    "QueueNow",
    "RecordsAdded",
    "RepeatContactMarker",
    "RollingWindow",
    "Row",
    "ServiceLevelVariant",
    "Thresholds",
    "TotalsMerged",
    "Unit",
    "evaluate",
    "interval_chart",
    "rows",
    "service_level",
    "to_csv",
    "to_markdown",
    "write_csv",
]

_serialization.register()
