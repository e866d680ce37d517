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
    _schedule_lost_tune_check()


def _schedule_lost_tune_check() -> None:
    from django_q.models import Schedule

    Schedule.objects.update_or_create(
        name="Fail tunes whose worker was lost",
        defaults={
            "func": "tunes.jobs.fail_lost_tunes",
            "schedule_type": Schedule.MINUTES,
            "minutes": 1,
            "repeats": -1,
        },
    )
