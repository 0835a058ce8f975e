"""The production settings plus one hello-world URL: what bench/load.sh serves, so the floor (the cheapest page
the same gunicorn, middleware and settings can serve) is measured on the same server as the real pages.
Never used outside the benchmark."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.floor_urls"
