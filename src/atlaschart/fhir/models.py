"""The fhir app's models. The API tokens live in models_tokens.py (the read API's own file)."""

from atlaschart.fhir.models_tokens import ApiToken, TokenScope  # noqa: F401
