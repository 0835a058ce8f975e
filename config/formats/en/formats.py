"""English formats: the center reads dates as dd/mm/yyyy in either language."""

from config.formats.vi.formats import *  # noqa: F403

DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
