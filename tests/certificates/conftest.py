"""Certificate tests keep their files in a temporary folder and start with fresh rate-limit counters.

Tests marked `postgresql` prove locking under real concurrency, which only PostgreSQL can show: SQLite
ignores select_for_update and lets one writer in at a time, so such a test there would pass without
proving anything. They are deselected (reported as such, not skipped) unless DATABASE_URL points to
PostgreSQL, as it does in CI's second run.
"""

import pytest
from django.conf import settings
from django.core.cache import cache


def pytest_configure(config):
    config.addinivalue_line("markers", "postgresql: needs PostgreSQL (deselected on any other database)")


def pytest_collection_modifyitems(config, items):
    if "postgresql" in settings.DATABASES["default"]["ENGINE"]:
        return
    deselected = [item for item in items if item.get_closest_marker("postgresql")]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if not item.get_closest_marker("postgresql")]


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()
