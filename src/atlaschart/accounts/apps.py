from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "atlaschart.accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        # Connects the sign-in receiver that decides whether the session owes a second factor,
        # and the deployment check on clinics' sign-in policies.
        from atlaschart.accounts import checks, reauth, two_factor  # noqa: F401
