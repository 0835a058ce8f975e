"""Compliance: which current post holders who must be trained hold a valid qualifying certificate in the
period. One query set computes it for the compliance page, the yearly workbook and the exported list; the counts
of a whole sub-tree are read from tallies it keeps up to date (oversight/tallies.py).

Due dates: a holder not trained is due by the later of the current term's start and their appointment's start,
plus COMPLIANCE_GRACE_MONTHS; computed in the database (with_due_dates), so lists filter and count by it."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import BooleanField, Count, DateField, Exists, ExpressionWrapper, F, OuterRef, Q, Sum, Value
from django.db.models.functions import Greatest, Substr

from certificates.models import Certificate
from certificates.training import certificates_that_train
from common.localtime import local_today
from common.months import AddMonths
from enrollments.training import qualifying_programs
from organizations.access import scope_of
from organizations.models import Appointment, Organization
from organizations.terms import Period
from organizations.terms import default_period as default_period  # the periods are data in organizations now
from organizations.terms import term_period as term_period
from organizations.terms import term_periods as term_periods
from organizations.terms import year_period as year_period
from oversight.models import ComplianceTally, CountedPost

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User
    from django.db.models import QuerySet

# Posts are tallied per organization down to this depth (the districts of a country, the grassroots organizations
# of a bloc); below it, in the ancestor at this depth.
UNIT_DEPTH = 3
# A holder is "due soon" within this many days of their due date.
DUE_SOON_DAYS = 60
DUE_BUCKETS = ("overdue", "due_soon")


def qualifying_certificates(program_ids: Iterable[int], period: Period | None = None) -> "QuerySet[Certificate]":
    """The certificates that make the member of the appointment (OuterRef) being checked trained in the period:
    the one definition, certificates.training.certificates_that_train(), which the nomination rule asks too."""
    return certificates_that_train(program_ids, period).filter(enrollment__member_id=OuterRef("member_id"))


def post_holders(
    user: "User | AnonymousUser | None", period: Period, *, tallied: bool = False
) -> "QuerySet[Appointment]":
    """Current appointments the user may see whose post requires training (some program qualifies for it),
    each annotated `certified`: the holder has a valid certificate of a qualifying program in the period.

    `tallied`: read it from the post's CountedPost, one row by primary key, instead of searching the holder's
    certificates; the same answer whenever tallies_answer(period), and what keeps a country's list fast."""
    programs = qualifying_programs()
    if tallied:
        certified = Q(Exists(CountedPost.objects.filter(_certified_dates(period), appointment_id=OuterRef("pk"))))
    else:
        certified = Q(pk__in=[])
        for post, program_ids in programs.items():
            certified |= Q(post=post) & Q(Exists(qualifying_certificates(program_ids, period)))
    return (
        Appointment.objects.for_user(user)
        .filter(is_current=True, requires_training=True, post__in=list(programs))
        .annotate(certified=ExpressionWrapper(certified, output_field=BooleanField()))
    )


class Holders:
    """The post holders a user may see in a period, within an organization's sub-tree (None: all the user sees)
    and holding one post ("" for all): `rows()` lists them, the functions below count them.

    Counting reads the compliance tallies (oversight/tallies.py) when they answer the period exactly, a few hundred
    rows for a whole country; else it adds up the rows themselves, as it always does on other scopes (a trainee's).
    Both are kept by the one definition above: post_holders() and qualifying_certificates()."""

    def __init__(self, user, period, organization=None, post=""):
        self.user, self.period, self.organization, self.post = user, period, organization, post

    def rows(self):
        holders = post_holders(self.user, self.period, tallied=self.base_path is not None)
        if self.organization is not None:
            holders = holders.filter(organization__path__startswith=self.organization.path)
        if self.post:
            holders = holders.filter(post=self.post)
        return holders

    @cached_property
    def base_path(self):
        """What every counted post's organization path starts with, or None when counting must read the rows."""
        scope = scope_of(self.user)
        if not scope.is_staff_scope or not tallies_answer(self.period):
            return None
        paths = [path for path in (scope.path, self.organization and self.organization.path) if path]
        return max(paths, key=len, default="")

    @cached_property
    def posts(self):
        programs = qualifying_programs()
        return [self.post] if self.post in programs else [] if self.post else list(programs)


def tallies_answer(period: Period) -> bool:
    """Whether the tallies give this period's counts exactly. They keep, for each post, the year its holder was
    last certified: enough for a period that starts on the first of January (terms and years do) unless a holder
    was certified again after its end, and so may or may not have been within it."""
    if (period.start.month, period.start.day) != (1, 1):
        return False
    return period.end is None or not CountedPost.objects.filter(certified_on__gt=period.end).exists()


def holders_in(
    user: "User | AnonymousUser | None", period: Period, organization: Organization | None = None, post: str = ""
) -> "Holders":
    """The holders the compliance page shows: within an organization's sub-tree, for one post or all."""
    return Holders(user, period, organization, post)


def _group_counts(rows, group, required, certified):
    counts = rows.annotate(group=group).values("group").annotate(required=required, certified=certified).order_by()
    return {row["group"]: (row["required"], row["certified"]) for row in counts if row["required"]}


def _certified_years(period):
    years = Q(certified_year__gte=period.start.year)
    return years & Q(certified_year__lte=period.end.year) if period.end is not None else years


def _certified_dates(period):
    dates = Q(certified_on__gte=period.start)
    return dates & Q(certified_on__lte=period.end) if period.end is not None else dates


def counts_by(holders: "Holders", width: int | None = None, by_post: bool = False) -> dict:
    """{group: (required, certified)}: the holders grouped by the first `width` characters of their
    organization's path (None: all in one group, keyed ""), or by post. Three queries at most, whatever the size:
    tallies for groups no deeper than a tally unit, the counted posts of one unit below that, else the rows."""

    def group(path):
        return F("post") if by_post else Substr(path, 1, width or 0)

    base = holders.base_path
    if base is None:
        rows = holders.rows()
        return _group_counts(rows, group("organization__path"), Count("pk"), Count("pk", filter=Q(certified=True)))
    unit_width = UNIT_DEPTH * Organization.steplen
    if len(base) <= unit_width and (width or 0) <= unit_width:
        rows = ComplianceTally.objects.filter(unit__path__startswith=base, post__in=holders.posts)
        certified = Sum("holders", filter=_certified_years(holders.period), default=0)
        return _group_counts(rows, group("unit__path"), Sum("holders"), certified)
    rows = CountedPost.objects.filter(organization__path__startswith=base, post__in=holders.posts)
    certified = Count("pk", filter=_certified_dates(holders.period))  # type: ignore[assignment]
    return _group_counts(rows, group("organization__path"), Count("pk"), certified)


def due_basis() -> datetime.date:
    """The date due dates count from at the latest: the current term's start (the current year's when no term has
    started)."""
    return term_period().start


def with_due_dates(holders: "QuerySet[Appointment]", basis: datetime.date | None = None) -> "QuerySet[Appointment]":
    """The holders annotated `due_date`: the later of `basis` (the current term's start) and the appointment's
    start, plus the grace period (settings.COMPLIANCE_GRACE_MONTHS); meant for those not trained."""
    basis = basis or due_basis()
    start = Greatest(F("start_date"), Value(basis, output_field=DateField()))
    return holders.annotate(due_date=AddMonths(start, settings.COMPLIANCE_GRACE_MONTHS))


def _soon(today):
    return today + datetime.timedelta(days=DUE_SOON_DAYS)


def due_bucket(bucket: str, today: datetime.date) -> Q:
    """The condition on `due_date` of a bucket: "overdue" (past) or "due_soon" (within DUE_SOON_DAYS)."""
    if bucket == "overdue":
        return Q(due_date__lt=today)
    if bucket == "due_soon":
        return Q(due_date__gte=today, due_date__lte=_soon(today))
    raise ValueError(bucket)


def in_bucket(holders: "QuerySet[Appointment]", bucket: str, today: datetime.date | None = None):
    """The holders (annotated by with_due_dates) in one bucket; "" for all of them."""
    return holders.filter(due_bucket(bucket, today or local_today())) if bucket else holders


def _due_aggregates(today):
    return {
        "overdue": Count("pk", filter=due_bucket("overdue", today)),
        "due_soon": Count("pk", filter=due_bucket("due_soon", today)),
    }


def due_counts(holders: "Holders", today: datetime.date | None = None) -> tuple[int, int]:
    """(overdue, due soon) among the holders not trained: one query."""
    counts = with_due_dates(holders.rows().filter(certified=False)).aggregate(**_due_aggregates(today or local_today()))
    return counts["overdue"], counts["due_soon"]


def due_counts_by(holders: "Holders", width: int, today: datetime.date | None = None) -> dict:
    """{organization path's first `width` characters: (overdue, due soon)}: one grouped query over the rows (the
    tallies do not know due dates)."""
    rows = with_due_dates(holders.rows().filter(certified=False))
    counts = (
        rows.annotate(group=Substr("organization__path", 1, width))
        .values("group")
        .annotate(**_due_aggregates(today or local_today()))
        .order_by()
    )
    return {row["group"]: (row["overdue"], row["due_soon"]) for row in counts}


@dataclass
class ComplianceRow:
    organization: Organization
    required: int = 0
    certified: int = 0
    is_parent: bool = False  # posts held in the parent organization itself, not in one of its children
    overdue: int | None = None  # not trained and past the due date; None: not counted
    due_soon: int | None = None

    @property
    def missing(self):
        return self.required - self.certified

    @property
    def percent(self):
        return round(100 * self.certified / self.required, 1) if self.required else None


def by_organization(
    holders: "Holders", parent: Organization, *, due: bool = False
) -> tuple[list[ComplianceRow], ComplianceRow]:
    """Compliance of the holders within `parent`'s sub-tree rolled up to each of its children (plus the parent's
    own posts), in tree order, with the total: two queries whatever the size of the tree, three with `due` (the
    overdue and due-soon counts)."""
    width = len(parent.path) + Organization.steplen
    within = Holders(holders.user, holders.period, parent, holders.post)
    counts = counts_by(within, width)
    due_counts = due_counts_by(within, width) if due else {}
    units = {org.path: org for org in Organization.objects.filter(path__in=list(counts))}
    rows = []
    for unit, (required, certified) in counts.items():
        organization = units.get(unit)
        if organization is None:
            continue
        row = ComplianceRow(organization, required, certified, is_parent=unit == parent.path)
        if due:
            row.overdue, row.due_soon = due_counts.get(unit, (0, 0))
        rows.append(row)
    rows.sort(key=lambda row: (not row.is_parent, row.organization.path))
    total = ComplianceRow(parent, sum(r.required for r in rows), sum(r.certified for r in rows))
    if due:
        total.overdue, total.due_soon = sum(r.overdue or 0 for r in rows), sum(r.due_soon or 0 for r in rows)
    return rows, total


def missing(holders: "Holders", bucket: str = "") -> "QuerySet[Appointment]":
    """The holders without a qualifying certificate, each with its `due_date`, by organization then in Vietnamese
    roster order; only those of a due bucket ("overdue", "due_soon") when one is given."""
    return (
        in_bucket(with_due_dates(holders.rows().filter(certified=False)), bucket)
        .select_related("member", "organization")
        .order_by("organization__path", "member__sort_key", "member__birth_date", "pk")
    )


def totals(holders: "Holders") -> tuple[int, int]:
    """(posts requiring training, of which certified)."""
    counts = counts_by(holders).values()
    return sum(required for required, _certified in counts), sum(certified for _required, certified in counts)
