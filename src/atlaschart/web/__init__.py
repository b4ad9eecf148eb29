"""The Django project: settings, URLs, base templates and the pieces shared by every app."""
