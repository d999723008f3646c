from django.apps import AppConfig


class KernelConfig(AppConfig):
    """The kernel: settings, errors, provider registry, events, realtime. No models."""

    name = "tokoblitar"
    verbose_name = "TokoBLITAR kernel"

    def ready(self) -> None:
        from tokoblitar import checks  # noqa: F401 - registers the system checks
