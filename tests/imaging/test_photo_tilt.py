"""``vertical_tilt_deg``: the lean of a photo's background verticals, a sign of a tilted camera.

Hand-made scenes: four dark vertical lines on a light wall, then the whole scene rotated by a
known angle with the same enlarged-canvas rotation the pose adapter uses. Rotating the photo
counter-clockwise (as displayed) by θ tips every vertical's top to the image's left, so the
expected lean is -θ (the sign convention in the function's docstring).
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from numpy.typing import NDArray

from atlaschart.imaging.photos import vertical_tilt_deg
from atlaschart.imaging.pose import _rotate


def wall_with_verticals() -> NDArray[np.uint8]:
    image = np.full((900, 600, 3), 200, np.uint8)
    for x in (80, 200, 420, 520):
        cv2.line(image, (x, 50), (x, 850), (30, 30, 30), 3)
    return image


def test_level_camera_reads_zero() -> None:
    assert vertical_tilt_deg(wall_with_verticals()) == pytest.approx(0.0, abs=0.3)


@pytest.mark.parametrize("rotation_deg", [3.0, -4.0, 1.5])
def test_rotated_camera_reads_the_rotation(rotation_deg: float) -> None:
    rotated, _ = _rotate(wall_with_verticals(), rotation_deg)
    assert vertical_tilt_deg(rotated) == pytest.approx(-rotation_deg, abs=0.3)


def test_plain_background_tells_nothing() -> None:
    assert vertical_tilt_deg(np.full((400, 300, 3), 128, np.uint8)) is None


def test_steep_lines_are_scenery_not_tilt() -> None:
    # Lines leaning 25°: beyond the 10° search band, so no evidence at all.
    image = np.full((900, 600, 3), 200, np.uint8)
    for x in (100, 250, 400):
        cv2.line(image, (x, 50), (x + 373, 850), (30, 30, 30), 3)
    assert vertical_tilt_deg(image) is None
