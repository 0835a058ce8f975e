"""Compliance: which current post holders who must be trained hold a valid qualifying certificate in the
period. One query set computes it for the compliance page, the yearly workbook and the exported list."""

import datetime
import re
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, OuterRef, Q
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from certificates.models import Certificate
from courses.models import Program
from organizations.models import Appointment, Organization


@dataclass(frozen=True)
class Period:
    """The dates within which a certificate counts: [start, end], end None for a term still running."""

    start: datetime.date
    end: datetime.date | None
    label: str
    year: int | None = None  # set when the period is one calendar year


def year_period(year):
    return Period(datetime.date(year, 1, 1), datetime.date(year, 12, 31), _("năm %(year)d") % {"year": year}, year)


def term_period(term=None):
    """The term of grassroots committees, e.g. "2020–2025": certificates count from its first year on,
    until the next term's congress (so a term that has run over still counts)."""
    term = term or settings.COMPLIANCE_TERM
    years = re.findall(r"\d{4}", term)
    if not years:
        raise ImproperlyConfigured(f"COMPLIANCE_TERM must name the term's years, e.g. 2020–2025, not {term!r}.")
    return Period(datetime.date(int(years[0]), 1, 1), None, _("nhiệm kỳ %(term)s") % {"term": term})


def default_period(year=None):
    """The period the setting asks for; a year given by the user always means that calendar year."""
    if year is not None:
        return year_period(year)
    if settings.COMPLIANCE_PERIOD == "year":
        return year_period(timezone.localdate().year)
    return term_period()


def qualifying_programs():
    """{post: [ids of the programs whose certificate satisfies it]}; programs are a short catalog."""
    programs = defaultdict(list)
    for pk, posts in Program.objects.values_list("pk", "qualifying_posts"):
        for post in posts or []:
            programs[post].append(pk)
    return dict(programs)


def post_holders(user, period):
    """Current appointments the user may see whose post requires training (some program qualifies for it),
    each annotated `certified`: the holder has a valid certificate of a qualifying program in the period."""
    programs = qualifying_programs()
    certificates = Certificate.objects.valid().filter(
        enrollment__member_id=OuterRef("member_id"), issued_on__gte=period.start
    )
    if period.end is not None:
        certificates = certificates.filter(issued_on__lte=period.end)
    certified = Q(pk__in=[])
    for post, program_ids in programs.items():
        certified |= Q(post=post) & Q(Exists(certificates.filter(enrollment__course__program_id__in=program_ids)))
    return (
        Appointment.objects.for_user(user)
        .filter(is_current=True, requires_training=True, post__in=list(programs))
        .annotate(certified=ExpressionWrapper(certified, output_field=BooleanField()))
    )


def holders_in(user, period, organization=None, post=""):
    """post_holders narrowed to an organization's sub-tree and one post, as the compliance page filters them."""
    holders = post_holders(user, period)
    if organization is not None:
        holders = holders.filter(organization__path__startswith=organization.path)
    if post:
        holders = holders.filter(post=post)
    return holders


def holder_counts():
    """Aggregates over post holders: posts requiring training, and those whose holder is certified. The second
    is named apart from the `certified` annotation it counts: an aggregate of the same name would shadow it."""
    return {"required": Count("pk"), "holders_certified": Count("pk", filter=Q(certified=True))}


def unit_counts(holders, prefix_field, width):
    """{path prefix of `width` characters: (required, certified)} over the holders, in one query."""
    rows = holders.annotate(unit=Substr(prefix_field, 1, width)).values("unit").annotate(**holder_counts()).order_by()
    return {row["unit"]: (row["required"], row["holders_certified"]) for row in rows}


@dataclass
class ComplianceRow:
    organization: Organization
    required: int = 0
    certified: int = 0
    is_parent: bool = False  # posts held in the parent organization itself, not in one of its children

    @property
    def missing(self):
        return self.required - self.certified

    @property
    def percent(self):
        return round(100 * self.certified / self.required, 1) if self.required else None

    @property
    def rate(self):
        return self.certified / self.required if self.required else None


def by_organization(holders, parent):
    """Compliance rolled up to each child of `parent` (plus the parent's own posts), in tree order,
    with the total: two queries whatever the size of the tree."""
    width = len(parent.path) + Organization.steplen
    counts = unit_counts(holders.filter(organization__path__startswith=parent.path), "organization__path", width)
    units = {org.path: org for org in Organization.objects.filter(path__in=list(counts))}
    rows = []
    for unit, (required, certified) in counts.items():
        organization = units.get(unit)
        if organization is None:
            continue
        rows.append(ComplianceRow(organization, required, certified, is_parent=unit == parent.path))
    rows.sort(key=lambda row: (not row.is_parent, row.organization.path))
    total = ComplianceRow(parent, sum(r.required for r in rows), sum(r.certified for r in rows))
    return rows, total


def missing(holders):
    """The holders without a qualifying certificate, by organization then in Vietnamese roster order."""
    return (
        holders.filter(certified=False)
        .select_related("member", "organization")
        .order_by("organization__path", "member__sort_key", "member__birth_date", "pk")
    )


def totals(holders):
    """(posts requiring training, of which certified)."""
    row = holders.aggregate(**holder_counts())
    return row["required"], row["holders_certified"]
