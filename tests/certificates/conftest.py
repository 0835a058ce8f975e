"""Certificate tests keep their files in a temporary folder and start with fresh rate-limit counters."""

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()
