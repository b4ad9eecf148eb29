"""Posture from photos: landmarks in, metrics with uncertainty and change judgements out.

Pure Python (no Django, no image libraries). The pose model adapter lives in
``atlaschart.imaging.pose``; metric definitions are in docs/posture.md.
"""

from atlaschart.measure.posture.change import (
    DEFAULT_MDC95,
    Change,
    MdcSource,
    Verdict,
    compare_metric,
    compare_results,
    mdc95_from_repeats,
    mdc95_from_sem,
    sem_from_icc,
    sem_from_repeats,
)
from atlaschart.measure.posture.combine import combine_estimates, combine_passes, combine_shots
from atlaschart.measure.posture.landmarks import (
    CLINICIAN_LANDMARK_NAMES,
    LANDMARK_NAMES,
    MODEL_LANDMARK_NAMES,
    Calibration,
    Landmark,
    LandmarkSet,
    LandmarkSource,
    View,
    mirror_name,
)
from atlaschart.measure.posture.metrics import (
    ALGORITHM,
    DEFAULT_CONFIG,
    FRONTAL_METRICS,
    LATERAL_METRICS,
    Metric,
    PostureConfig,
    PostureResult,
    compute_metrics,
    metric_names,
    unit_of,
)

__all__ = [
    "ALGORITHM",
    "CLINICIAN_LANDMARK_NAMES",
    "DEFAULT_CONFIG",
    "DEFAULT_MDC95",
    "FRONTAL_METRICS",
    "LANDMARK_NAMES",
    "LATERAL_METRICS",
    "MODEL_LANDMARK_NAMES",
    "Calibration",
    "Change",
    "Landmark",
    "LandmarkSet",
    "LandmarkSource",
    "MdcSource",
    "Metric",
    "PostureConfig",
    "PostureResult",
    "Verdict",
    "View",
    "combine_estimates",
    "combine_passes",
    "combine_shots",
    "compare_metric",
    "compare_results",
    "compute_metrics",
    "mdc95_from_repeats",
    "mdc95_from_sem",
    "metric_names",
    "mirror_name",
    "sem_from_icc",
    "sem_from_repeats",
    "unit_of",
]
