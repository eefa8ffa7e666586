"""The cache throttles count in: the database by default, Redis when CACHE_URL says so."""

from __future__ import annotations

import uuid

import pytest
from django.core.cache import CacheHandler
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection

from config.env import env_cache
from tests.config.test_settings import run_manage

REDIS_URL = "redis://127.0.0.1:6379/0"


def test_a_redis_url_configures_djangos_redis_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CACHE_URL", REDIS_URL)
    config = env_cache("CACHE_URL", table="cache_table_name")
    assert config["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert config["LOCATION"] == REDIS_URL


def test_without_a_url_the_database_cache_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CACHE_URL", raising=False)
    config = env_cache("CACHE_URL", table="cache_table_name")
    assert config["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
    assert config["LOCATION"] == "cache_table_name"


@pytest.mark.parametrize("url", ["memcached://127.0.0.1:11211", "locmem://", "redis"])
def test_a_cache_url_that_is_not_redis_is_refused_with_its_name(
    monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    monkeypatch.setenv("CACHE_URL", url)
    with pytest.raises(ImproperlyConfigured, match="CACHE_URL"):
        env_cache("CACHE_URL", table="cache_table_name")


def test_the_redis_cache_round_trips_a_value_through_the_real_server(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis server at 127.0.0.1:6379")
    monkeypatch.setenv("CACHE_URL", REDIS_URL)
    one, other = (
        CacheHandler({"default": env_cache("CACHE_URL", table="unused")})["default"]
        for _ in range(2)
    )
    key = f"test-round-trip-{uuid.uuid4()}"
    try:
        one.add(key, 0, timeout=30)
        one.incr(key)
        assert other.incr(key) == 2  # two workers, one counter
    finally:
        one.delete(key)


@pytest.mark.django_db
def test_migrate_makes_the_database_cache_table(settings: object) -> None:
    table = settings.CACHES["default"]["LOCATION"]
    assert table in connection.introspection.table_names()
    call_command("createcachetable")  # already there: nothing to do, no error


def test_sessions_last_as_long_as_configured() -> None:
    code = "from django.conf import settings; print(settings.SESSION_COOKIE_AGE)"
    default = run_manage("shell", "-c", code)
    assert default.stdout.split()[-1] == str(14 * 24 * 60 * 60), default.stderr
    three_days = run_manage("shell", "-c", code, SESSION_COOKIE_DAYS="3")
    assert three_days.stdout.split()[-1] == str(3 * 24 * 60 * 60), three_days.stderr
