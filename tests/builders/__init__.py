"""Test builders: the inputs a test hands the product (files, photos, request steps), made the
same way in every module that needs them.

Unlike ``tests.factories`` (records made through the services), nothing here writes to the
database: a builder makes bytes, or drives the test client as a browser would. Import from the
module, e.g. ``from tests.builders.dicom import ct_slices``; no test module imports another.
"""
