"""Quality scorecards: weighted criteria, auto-fail items, evaluations, KPIs, calibration."""

from callcore.quality._scorecard import (
    Calibration,
    Criterion,
    Evaluation,
    QualityKpi,
    Scorecard,
    calibration,
    quality_kpis,
)

__all__ = [
    "Calibration",
    "Criterion",
    "Evaluation",
    "QualityKpi",
    "Scorecard",
    "calibration",
    "quality_kpis",
]
