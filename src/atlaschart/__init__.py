"""AtlasChart: an open clinic system for upper cervical and spinal rehabilitation care."""

__version__ = "0.1.0"
