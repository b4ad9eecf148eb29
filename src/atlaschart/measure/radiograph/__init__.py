"""Radiograph measurement: calibration, geometry, upper cervical analysis profiles, pre/post.

Public API (what the web layer and the CLI call)::

    landmarks_from_dict(data) -> LandmarkSet        # validate the JSON landmark form
    analyse(marks, profile=GENERIC_ORTHOGONAL) -> Analysis   # Analysis.to_json() = CLI contract
    compare(pre, post, error=None) -> Comparison    # beyond / within measurement error
    construct_errors(marks, analysis) -> {NAME: ConstructError}   # ± of one analysis (1 SD)
    calibration_from_dicom(...) / manual_calibration(...) -> Calibration
    quarter_deg(x), format_quarter_deg(x)           # ¼° display
    profile_from_dict(data, IMPLEMENTED) -> Profile; listing.evaluate(table, values)
"""

from atlaschart.measure.radiograph.analysis import (
    GENERIC_ORTHOGONAL,
    IMPLEMENTED,
    Analysis,
    DerivedValue,
    analyse,
    analyse_dict,
    format_quarter_deg,
    quarter_deg,
)
from atlaschart.measure.radiograph.calibration import (
    Calibration,
    calibration_from_dicom,
    magnification_factor,
    manual_calibration,
)
from atlaschart.measure.radiograph.compare import DEFAULT_ERROR, Change, Comparison, compare
from atlaschart.measure.radiograph.geometry import GeometryError
from atlaschart.measure.radiograph.landmarks import LandmarkError, LandmarkSet, landmarks_from_dict
from atlaschart.measure.radiograph.listing import ListingOutcome, RuleTable, evaluate
from atlaschart.measure.radiograph.profiles import Profile, ProfileError, profile_from_dict
from atlaschart.measure.radiograph.uncertainty import (
    DEFAULT_EXAMINER_SD_DEG,
    ConstructError,
    construct_errors,
)

__all__ = [
    "DEFAULT_ERROR",
    "DEFAULT_EXAMINER_SD_DEG",
    "GENERIC_ORTHOGONAL",
    "IMPLEMENTED",
    "Analysis",
    "Calibration",
    "Change",
    "Comparison",
    "ConstructError",
    "DerivedValue",
    "GeometryError",
    "LandmarkError",
    "LandmarkSet",
    "ListingOutcome",
    "Profile",
    "ProfileError",
    "RuleTable",
    "analyse",
    "analyse_dict",
    "calibration_from_dicom",
    "compare",
    "construct_errors",
    "evaluate",
    "format_quarter_deg",
    "landmarks_from_dict",
    "magnification_factor",
    "manual_calibration",
    "profile_from_dict",
    "quarter_deg",
]
