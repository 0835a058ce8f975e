"""Portal tests start with fresh rate-limit counters (the password-reset form's are kept in the cache)."""

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()
