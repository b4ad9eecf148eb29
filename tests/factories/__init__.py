"""Test factories: records made the way the product makes them, through the services and an
acting user (``Actor``), never as raw ORM rows that copy what a service does.

One module per domain (people, care, posture, imaging, ...); import from the module, e.g.
``from tests.factories.care import booked_appointment``.
"""
