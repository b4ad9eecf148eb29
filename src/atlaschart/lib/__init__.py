"""Shared building blocks of the Django layer: the acting user, the role policy and the one door
to patient data. Nothing here is specific to one kind of record."""
