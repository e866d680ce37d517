"""Under `make test`, the second run's jobs and rows really are in Redis and
PostgreSQL, and two workers racing for one tune leave it with one winner."""

import threading

import pytest
import redis
from django.db import connection

from tunes.jobs import queue_tune
from tunes.lifecycle import move
from tunes.models import Tune
from tunes.tests.factories import make_tune

pytestmark = pytest.mark.services


class TestEngines:
    @pytest.mark.django_db
    def test_jobs_travel_through_redis_and_rows_live_in_postgresql(
        self, postgres_and_redis, settings, user, django_capture_on_commit_callbacks
    ):
        settings.TUNE_QUEUE = "gpu"
        server = redis.from_url(settings.Q_CLUSTER["redis"])
        server.delete("django_q:gpu:q")
        with django_capture_on_commit_callbacks(execute=True):
            queue_tune(make_tune(user))
        assert server.llen("django_q:gpu:q") == 1
        server.delete("django_q:gpu:q")
        assert connection.vendor == "postgresql"

    @pytest.mark.django_db(transaction=True)
    def test_of_two_workers_claiming_a_tune_at_once_one_wins(self, user):
        tune = make_tune(user, status=Tune.Status.QUEUED)
        start = threading.Barrier(2)
        claims = []

        def claim() -> None:
            start.wait()
            try:
                claims.append(move(tune.pk, [Tune.Status.QUEUED], Tune.Status.RUNNING))
            finally:
                connection.close()

        threads = [threading.Thread(target=claim) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(claims) == [False, True]
        assert tune.events.filter(status=Tune.Status.RUNNING).count() == 1
