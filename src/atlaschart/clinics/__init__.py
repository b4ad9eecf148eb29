"""Clinics: the tenant. Every user and every patient belongs to exactly one clinic."""
