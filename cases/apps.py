from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        from django.conf import settings

        from core.clock import Job, register

        def run_sweep() -> object:
            from cases.sweep import sweep

            return sweep()

        register(Job("case-deadlines", lambda: settings.CASE_SWEEP_SECONDS, run_sweep))

        def run_live_demo() -> object:
            from cases.demo import live_step

            return live_step()

        if settings.DEMO_LIVE_SECONDS > 0:  # scripts/demo.sh turns it on: new reports and moving cases
            register(Job("demo-live", lambda: settings.DEMO_LIVE_SECONDS, run_live_demo))
