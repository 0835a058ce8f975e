"""Count every post holder into the compliance tallies again, e.g. after rows were loaded without the ORM."""

import time

from django.core.management.base import BaseCommand

from oversight.tallies import rebuild


class Command(BaseCommand):
    help = "Recount the compliance tallies from the posts and certificates (oversight/tallies.py)."

    def handle(self, *args, **options):
        started = time.perf_counter()
        counted = rebuild()
        self.stdout.write(f"Counted {counted} posts in {time.perf_counter() - started:.1f} s.")
