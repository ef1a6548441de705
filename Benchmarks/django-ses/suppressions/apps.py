"""App config: connects the django-ses signal receivers."""
from django.apps import AppConfig


class SuppressionsConfig(AppConfig):
    name = "suppressions"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (connects the signal handlers)
