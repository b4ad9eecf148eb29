"""Clinic outcomes: how the clinic's patients fare on each questionnaire over a date range."""
