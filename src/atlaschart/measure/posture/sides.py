"""Left and right on a frontal photo: does the model's labelling fit the declared view?

Why: on a posterior photo the pose model, trained mostly on people facing the camera, may label
the patient's left shoulder on the image's right as if the patient faced the camera. Every line
angle is then measured on swapped points: a tilt the other way, or a large one that is not there.
The declared view fixes the side of the image the patient's left must be on (anterior: image
right; posterior: image left); the face says which way the patient faces (nose and eyes seen on
an anterior photo, hidden on a posterior one). This module checks one against the other before
any metric is computed.

Frame and names as in ``landmarks``: image pixels, x right, y down; names are the patient's left
and right. Only **model** points are judged: a point a clinician placed or moved is the
clinician's statement and is never re-labelled.

Rules (each decision names its evidence in ``SideCheck.evidence``):

* Torso order: the sign of ``left.x - right.x`` for the shoulders and for the hips (counted when
  both points have visibility >= ``min_visibility`` and lie more than ``MIN_SEPARATION`` of the
  image width apart). Expected ``+1`` on an anterior photo, ``-1`` on a posterior one. Shoulders
  and hips that disagree make the photo *unclear*.
* Face: *toward the camera* when the nose and both eyes have visibility >= ``FACE_SEEN``;
  *away* when the nose and both eyes are below ``FACE_HIDDEN``; otherwise not known.
* A face that contradicts the declared view gives ``wrong_view`` with the view it suggests
  (a face seen on a "posterior" photo: choose anterior; a hidden face on an "anterior" one:
  choose posterior). Nothing is re-labelled then: the declared view is the clinician's and only
  the clinician can change it.
* Torso order as expected: ``consistent``. Torso order reversed and the face agreeing with the
  declared view: the evidence is unambiguous and every model point's left/right is swapped
  (``relabelled``). Reversed with the face not known: ``reversed``; nothing is re-labelled and
  the metrics' own pair check refuses every crossed pair, naming its points
  (``geometry.not_left_of``), so no number is measured on swapped points either.

Thresholds are project choices **[unverified]**: ``FACE_SEEN`` is the metrics' own visibility
gate (0.8); ``FACE_HIDDEN`` 0.5 is BlazePose's own default presence threshold for drawing a
landmark (``min_detection_confidence`` 0.5, MediaPipe Pose documentation).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from atlaschart.measure.posture.landmarks import (
    Landmark,
    LandmarkSet,
    LandmarkSource,
    View,
    mirror_name,
)

FACE_SEEN = 0.8
FACE_HIDDEN = 0.5
#: A pair closer than this fraction of the image width along x tells no order (a side-on torso).
MIN_SEPARATION = 0.01

_TORSO_PAIRS = (("left_shoulder", "right_shoulder"), ("left_hip", "right_hip"))
_FACE_POINTS = ("nose", "left_eye", "right_eye")


class SideVerdict(StrEnum):
    """The outcome of ``check_sides``."""

    NOT_CHECKED = "not_checked"  # lateral view, or no model torso points to judge
    CONSISTENT = "consistent"
    RELABELLED = "relabelled"
    REVERSED = "reversed"  # torso order reversed, the face cannot tell why: pairs refused
    WRONG_VIEW = "wrong_view"
    UNCLEAR = "unclear"  # shoulders and hips in opposite orders

    @property
    def blocks_metrics(self) -> bool:
        """Whether no metric may be computed from these points."""
        return self in (SideVerdict.WRONG_VIEW, SideVerdict.UNCLEAR)


@dataclass(frozen=True)
class SideCheck:
    """``points`` are the input, or with ``relabelled`` the model points' names swapped.

    ``suggested_view`` is set with ``wrong_view``. ``evidence`` are short stable tokens
    (``shoulders:+1``, ``hips:-1``, ``face:toward``, ``face:away``, ``face:unknown``), also
    written to the access log and the CLI output.
    """

    verdict: SideVerdict
    points: LandmarkSet
    suggested_view: View | None = None
    evidence: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if (self.suggested_view is not None) != (self.verdict is SideVerdict.WRONG_VIEW):
            raise ValueError("a suggested view comes with wrong_view, and only with it")

    @property
    def english(self) -> str:
        """One sentence for people (the CLI's ``sides.message``)."""
        if self.verdict is SideVerdict.WRONG_VIEW and self.suggested_view is not None:
            looks = "a back view" if self.suggested_view is View.POSTERIOR else "a front view"
            return f"this looks like {looks}; choose {self.suggested_view.value}"
        if self.verdict is SideVerdict.UNCLEAR:
            return (
                "the model's shoulders and hips have left and right in opposite orders: "
                "place the shoulder and hip points by hand or check the view"
            )
        if self.verdict is SideVerdict.REVERSED:
            return (
                f"left and right are reversed for an {self.points.view.value} view and the face "
                "cannot tell why: check the view or place the points by hand"
            )
        if self.verdict is SideVerdict.RELABELLED:
            return (
                f"the model had left and right swapped for an {self.points.view.value} view; "
                "they were re-labelled"
            )
        return "left and right fit the view" if self.verdict is SideVerdict.CONSISTENT else ""


def _model(points: LandmarkSet, name: str, min_visibility: float) -> Landmark | None:
    lm = points.get(name)
    if lm is None or lm.source is not LandmarkSource.MODEL or lm.visibility < min_visibility:
        return None
    return lm


def _face(points: LandmarkSet) -> str:
    seen = [points.get(n) for n in _FACE_POINTS]
    if any(lm is None or lm.source is not LandmarkSource.MODEL for lm in seen):
        return "unknown"
    visibilities = [lm.visibility for lm in seen if lm is not None]
    if all(v >= FACE_SEEN for v in visibilities):
        return "toward"
    if all(v < FACE_HIDDEN for v in visibilities):
        return "away"
    return "unknown"


def relabel(points: LandmarkSet) -> LandmarkSet:
    """Swap left and right in the names of every model point (coordinates unchanged)."""
    swapped = tuple(
        Landmark(
            mirror_name(lm.name),
            lm.x_px,
            lm.y_px,
            lm.visibility,
            lm.source,
            lm.moved_by,
            lm.uncertainty_px,
        )
        if lm.source is LandmarkSource.MODEL
        else lm
        for lm in points.landmarks
    )
    return LandmarkSet(points.view, points.width_px, points.height_px, swapped)


def check_sides(points: LandmarkSet, *, min_visibility: float = 0.8) -> SideCheck:
    """Check (and where unambiguous correct) the model's left/right against the declared view.

    See the module docstring for the rules. A clinician point among the four torso points means
    the clinician has set the sides: ``not_checked``.

    >>> from atlaschart.measure.posture.landmarks import Landmark, LandmarkSet, View
    >>> back = LandmarkSet(View.POSTERIOR, 400, 600, (
    ...     Landmark("nose", 200, 60, 0.1), Landmark("left_eye", 210, 55, 0.1),
    ...     Landmark("right_eye", 190, 55, 0.1),
    ...     Landmark("left_shoulder", 260, 150), Landmark("right_shoulder", 140, 150)))
    >>> check = check_sides(back)
    >>> check.verdict.value, check.points.get("left_shoulder").x_px
    ('relabelled', 140.0)
    """
    if not points.view.is_frontal:
        return SideCheck(SideVerdict.NOT_CHECKED, points)
    torso_names = [n for pair in _TORSO_PAIRS for n in pair]
    if any(
        (lm := points.get(n)) is not None and lm.source is LandmarkSource.CLINICIAN
        for n in torso_names
    ):
        return SideCheck(SideVerdict.NOT_CHECKED, points, evidence=("torso:clinician",))
    expected = 1 if points.view is View.ANTERIOR else -1
    face = _face(points)
    evidence: list[str] = []
    signs: list[int] = []
    for label, (left_name, right_name) in zip(("shoulders", "hips"), _TORSO_PAIRS, strict=True):
        left = _model(points, left_name, min_visibility)
        right = _model(points, right_name, min_visibility)
        if left is None or right is None:
            continue
        dx = left.x_px - right.x_px
        if abs(dx) <= MIN_SEPARATION * points.width_px:
            continue
        sign = 1 if dx > 0 else -1
        signs.append(sign)
        evidence.append(f"{label}:{sign:+d}")
    evidence.append(f"face:{face}")
    found = tuple(evidence)

    face_says = {"toward": View.ANTERIOR, "away": View.POSTERIOR}.get(face)
    if face_says is not None and face_says is not points.view:
        return SideCheck(SideVerdict.WRONG_VIEW, points, face_says, found)
    if not signs:
        return SideCheck(SideVerdict.NOT_CHECKED, points, evidence=found)
    if len(set(signs)) > 1:
        return SideCheck(SideVerdict.UNCLEAR, points, evidence=found)
    if signs[0] == expected:
        return SideCheck(SideVerdict.CONSISTENT, points, evidence=found)
    if face_says is points.view:
        return SideCheck(SideVerdict.RELABELLED, relabel(points), evidence=found)
    return SideCheck(SideVerdict.REVERSED, points, evidence=found)
