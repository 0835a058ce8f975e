"""Post holders appointed at different times, so that every due-date bucket of the compliance page is filled
(oversight/compliance.py): holders of the term's start and not trained are overdue a grace period after it; a few
holders are moved to recent appointments, some due within the due-soon window and some not yet due. A separate
random stream, so the rest of the demo stays the same for a seed."""

import random
from datetime import date, timedelta

from django.conf import settings

from common.months import add_months
from demo.tree import Holding
from oversight.compliance import DUE_SOON_DAYS

# Of today's holders of posts that require training, this share took their post recently.
RECENT_SHARE = 0.03
MINIMUM = 3  # of each kind, however small the demo


def appoint_recently(holdings: list[Holding], keep: Holding, seed: int, today: date) -> None:
    """Move some current holders' start dates: half due soon, half not yet due, as of `today` (when the term's
    start plus the grace period is not itself in the window). `keep` (the demo trainee's post) is left as it is."""
    rng = random.Random(f"due-dates-{seed}")
    grace = settings.COMPLIANCE_GRACE_MONTHS
    candidates = [h for h in holdings if h.is_current and h.requires_training and h is not keep]
    count = min(len(candidates), max(2 * MINIMUM, round(len(candidates) * RECENT_SHARE)))
    chosen = rng.sample(candidates, count)
    for index, holding in enumerate(chosen):
        if index % 2 == 0:  # due soon: due between 5 and DUE_SOON_DAYS - 5 days from today
            due = today + timedelta(days=rng.randint(5, DUE_SOON_DAYS - 5))
            start = add_months(due, -grace)
        else:  # not yet due: appointed within the last months
            start = today - timedelta(days=rng.randint(7, 120))
        holding.start_date = min(start, today)
