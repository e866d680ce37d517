"""The database and broker settings read from URLs."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from studio_site.settings import broker_from_url, database_from_url


class TestEngineSettings:
    def test_it_reads_a_postgresql_url(self):
        database = database_from_url(
            "postgres://studio:p%40ss@db.internal:5433/tuning?sslmode=require"
        )
        assert database["ENGINE"] == "django.db.backends.postgresql"
        assert database["NAME"] == "tuning"
        assert database["USER"] == "studio"
        assert database["PASSWORD"] == "p@ss"
        assert database["HOST"] == "db.internal"
        assert database["PORT"] == "5433"
        assert database["OPTIONS"] == {"sslmode": "require"}

    def test_it_reads_a_socket_folder_as_the_host(self):
        database = database_from_url("postgresql://studio@%2Fvar%2Frun%2Fpg/tuning")
        assert database["HOST"] == "/var/run/pg"
        assert database["PORT"] == ""
        assert database["PASSWORD"] == ""

    def test_it_refuses_other_databases_and_a_missing_name(self):
        with pytest.raises(ImproperlyConfigured, match="postgres://"):
            database_from_url("mysql://studio@127.0.0.1/tuning")
        with pytest.raises(ImproperlyConfigured, match="no database"):
            database_from_url("postgres://studio@127.0.0.1:5432/")

    def test_the_broker_is_the_database_unless_a_redis_url_is_set(self):
        assert broker_from_url("") == {"orm": "default"}
        url = "redis://:secret@127.0.0.1:6379/2"
        assert broker_from_url(url) == {"redis": url}
        with pytest.raises(ImproperlyConfigured, match="Redis URL"):
            broker_from_url("amqp://127.0.0.1/")
