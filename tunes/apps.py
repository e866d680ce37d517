from django.apps import AppConfig
from django.db.models.signals import post_migrate


class TunesConfig(AppConfig):
    name = "tunes"

    def ready(self) -> None:
        post_migrate.connect(_seed_catalog, sender=self)


def _seed_catalog(sender, **kwargs) -> None:
    # After every migrate, so that a fresh database (the test database too)
    # has the catalog without a separate step.
    from .catalog import sync_catalog
    from .models import Backbone, Template

    sync_catalog(Backbone, Template)
