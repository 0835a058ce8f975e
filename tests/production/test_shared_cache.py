"""With REDIS_URL set, every server process counts the verification rate limit in the same Redis: two processes
share one client's budget instead of granting it once each."""

import os
import uuid

import pytest
import redis

from tests.production.processes import production_environment, run_python

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")

THREE_LOOKUPS = """
import django; django.setup()
from django.core.cache import caches
from django.test import RequestFactory
from config.ratelimit import over_limit
request = RequestFactory().get("/verify/", REMOTE_ADDR="192.0.2.77")
# One window for the whole test (a window edge between the two processes would reset the count).
print(type(caches["default"]).__name__, *[over_limit(request, "{scope}", limit=5, window=10**9) for _ in range(3)])
"""


@pytest.fixture
def redis_scope():
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.ConnectionError:
        pytest.fail(f"no Redis at {REDIS_URL}: start redis-server (.ci/run does) or set TEST_REDIS_URL")
    scope = f"test-{uuid.uuid4().hex}"
    yield scope
    for key in client.scan_iter(match=f"*{scope}*"):
        client.delete(key)


def test_two_processes_share_one_rate_limit_counter_in_redis(redis_scope):
    environment = production_environment(REDIS_URL=REDIS_URL)
    code = THREE_LOOKUPS.replace("{scope}", redis_scope)

    first = run_python(code, environment)
    second = run_python(code, environment)

    assert first.stdout.split() == ["RedisCache", "False", "False", "False"], first.stderr
    # The second process goes on from the first one's count: its third look-up is the sixth, over the limit of 5.
    assert second.stdout.split() == ["RedisCache", "False", "False", "True"], second.stderr


def test_without_redis_each_process_counts_alone():
    """Why production sets REDIS_URL: the default memory cache is per process."""
    environment = production_environment(REDIS_URL=None)
    code = THREE_LOOKUPS.replace("{scope}", "alone")

    first = run_python(code, environment)
    second = run_python(code, environment)

    assert first.stdout.split() == second.stdout.split() == ["LocMemCache", "False", "False", "False"]
