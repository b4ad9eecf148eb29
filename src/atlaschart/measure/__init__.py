"""The pure measurement core of AtlasChart.

Nothing under this package may import Django (tests/measure/test_core_is_pure.py enforces it).
Functions take plain values and return frozen, validated value objects with units in their names;
every derived number carries the algorithm id that produced it (see ``provenance``).
"""
