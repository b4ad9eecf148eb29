"""Patients: records, search, archive, and the chart page that later apps fill with sections."""
