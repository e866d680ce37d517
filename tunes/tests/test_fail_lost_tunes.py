from datetime import timedelta

import pytest
from django.utils import timezone

from tunes.jobs import fail_lost_tunes
from tunes.models import Tune

from .factories import make_tune

pytestmark = pytest.mark.django_db


class TestFailLostTunes:
    def test_it_fails_a_running_tune_whose_heartbeat_stopped(self, user, settings):
        settings.TUNE_HEARTBEAT_TIMEOUT_SECONDS = 60
        now = timezone.now()
        lost = make_tune(user, status="running", heartbeat=now - timedelta(seconds=61))
        alive = make_tune(user, status="running", heartbeat=now - timedelta(seconds=5))

        assert fail_lost_tunes() == 1

        lost.refresh_from_db()
        alive.refresh_from_db()
        assert lost.status == Tune.Status.FAILED
        assert "no heartbeat for over 60 s" in lost.status_message
        assert lost.events.get().status == Tune.Status.FAILED
        assert alive.status == Tune.Status.RUNNING

    def test_it_is_scheduled_every_minute(self):
        from django_q.models import Schedule

        schedule = Schedule.objects.get(func="tunes.jobs.fail_lost_tunes")
        assert schedule.schedule_type == Schedule.MINUTES
        assert schedule.minutes == 1
