"""What the import tests share: a class of the center open for nominations."""

import pytest

from tests import factories


@pytest.fixture
def course(world):
    """A class of the center open for nominations for another week, with seats for committees A and B."""
    return factories.open_course(world, capacity=200, seats={world.committee_a: 100, world.committee_b: 100})
