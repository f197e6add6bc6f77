from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommandConfig(AppConfig):
    name = "command"
    verbose_name = _("Command centre")

    def ready(self) -> None:
        from django.conf import settings

        from core.clock import Job, register

        def refresh_facts() -> object:
            from command.facts import refresh

            return refresh()

        def monthly_reports() -> object:
            from command.tasks import monthly_reports

            return monthly_reports.enqueue()

        def forecasts() -> object:
            from command.tasks import forecasts

            return forecasts.enqueue()

        register(Job("command-facts", lambda: settings.COMMAND_FACTS_SECONDS, refresh_facts))
        register(Job("command-monthly-report", lambda: 3600, monthly_reports))
        register(Job("command-forecasts", lambda: 6 * 3600, forecasts))
