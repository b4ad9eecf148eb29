"""Landmarks placed on a radiograph, as the analysis editor posts them (image pixels, flat
names: ``skull_pairs.1.right``, ``apl_left``, ...), with the values they give worked by hand."""

from __future__ import annotations

# Synthetic nasium landmarks (image px, spacing 0.5 mm both ways, no plumb line -> image up).
# Skull pair midpoints all at x = 160: the central skull line is vertical, c = up = (0, 1) in the
# y-up mm frame, patient-left l = +x, so p = (1, 0). APL: right end (100, 200), left (212, 180):
# a = (112*0.5, (200-180)*0.5) = (56, 10) mm; s = atan2(a.c, a.p) = atan2(10, 56)
# = atan(0.178571) = 10.1247 deg -> 10.12, left (s > 0: the left end is higher; docs/radiograph.md).
NASIUM = {
    "skull_pairs.1.right": [80, 60],
    "skull_pairs.1.left": [240, 60],
    "skull_pairs.2.right": [80, 260],
    "skull_pairs.2.left": [240, 260],
    "apl_right": [100, 200],
    "apl_left": [212, 180],
}
