"""The one definition of "trained", as the apps to the left of certificates see it.

A member is trained for a post in a period when they hold a valid certificate (not revoked; a replacement counts,
a revoked one without replacement does not) of a program that qualifies for the post, issued within the period.
Certificates are to the right of enrollments (tests/test_import_direction.py), so this module only declares the
hook: certificates/apps.py registers certificates.training.trained_members() at start-up, and the nomination rule
(enrollments/nominations.py) and compliance (oversight/compliance.py) both ask through it."""

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured

from courses.models import Program
from organizations.terms import Period


@dataclass(frozen=True)
class Training:
    """What proves a member trained: the certificate's register number, issue date and class."""

    member_id: int
    register_number: str
    issued_on: datetime.date
    course_code: str


TrainedMembers = Callable[[Iterable[int], Iterable[int], Period], dict[int, Training]]
_trained_members: TrainedMembers | None = None


def register_trained_members(function: TrainedMembers) -> None:
    """Called once by the app that keeps certificates (certificates/apps.py)."""
    global _trained_members
    _trained_members = function


def trained_members(member_ids: Iterable[int], program_ids: Iterable[int], period: Period) -> dict[int, Training]:
    """{member id: the newest certificate that proves it} for those of these members trained in the period by
    one of these programs; members not trained are left out. A fixed number of queries whatever the count."""
    if _trained_members is None:
        raise ImproperlyConfigured("No app has registered the trained_members hook (certificates/apps.py does).")
    return _trained_members(member_ids, program_ids, period)


def qualifying_programs() -> dict[str, list[int]]:
    """{post: [ids of the programs whose certificate satisfies it]}; programs are a short catalog: one query."""
    programs = defaultdict(list)
    for pk, posts in Program.objects.order_by("pk").values_list("pk", "qualifying_posts"):
        for post in posts or []:
            programs[post].append(pk)
    return dict(programs)


def trained_for_posts(holders: Iterable[tuple[int, str]], period: Period) -> dict[int, Training]:
    """ "Was this member trained for this post in this period", for many (member id, post) pairs at once:
    {member id: proof} for the trained ones. Two queries per post at most, whatever the number of members."""
    programs = qualifying_programs()
    by_post = defaultdict(set)
    for member_id, post in holders:
        by_post[post].add(member_id)
    trained: dict[int, Training] = {}
    for post, member_ids in by_post.items():
        if programs.get(post):
            trained.update(trained_members(member_ids, programs[post], period))
    return trained
