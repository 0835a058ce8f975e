"""The periods within which a certificate counts ("trained in this period"): a term of the bloc's party committees,
kept as data (Term), or a calendar year. The current term follows today's date in Asia/Ho_Chi_Minh.

Compliance (oversight/compliance.py), the nomination rule (enrollments/nominations.py), the dashboard and the yearly
workbook all take their default period from default_period() here."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from organizations.models import Term


@dataclass(frozen=True)
class Period:
    """The dates within which a certificate counts: [start, end], both included; end None for the last term."""

    start: datetime.date
    end: datetime.date | None
    label: str
    year: int | None = None  # set when the period is one calendar year
    term: str | None = None  # the term's name when the period is a term

    def __contains__(self, day: datetime.date) -> bool:
        return day >= self.start and (self.end is None or day <= self.end)


def year_period(year: int) -> Period:
    return Period(datetime.date(year, 1, 1), datetime.date(year, 12, 31), _("năm %(year)d") % {"year": year}, year)


def term_periods() -> list[Period]:
    """Every term as a period, oldest first: each ends the day before the next one starts; one query."""
    terms = list(Term.objects.order_by("start").values_list("name", "start"))
    periods = []
    for index, (name, start) in enumerate(terms):
        end = terms[index + 1][1] - datetime.timedelta(days=1) if index + 1 < len(terms) else None
        periods.append(Period(start, end, _("nhiệm kỳ %(term)s") % {"term": name}, term=name))
    return periods


def current_term(today: datetime.date | None = None) -> Period | None:
    """The term today falls in (the last one started), or None when no term has started yet."""
    today = today or timezone.localdate()
    started = [period for period in term_periods() if period.start <= today]
    return started[-1] if started else None


def term_period(name: str | None = None) -> Period:
    """The term of this name, else the current one, else (no term has started) the current year."""
    chosen = next((period for period in term_periods() if period.term == name), None) if name else None
    return chosen or current_term() or year_period(timezone.localdate().year)


def default_period(year: int | None = None, term: str | None = None) -> Period:
    """The period a page reports when the user has not chosen one: a year given by the user means that calendar
    year, a term named by the user that term; else the current term (COMPLIANCE_PERIOD=term, the default) or the
    current year (COMPLIANCE_PERIOD=year, or when no term has started)."""
    if year is not None:
        return year_period(year)
    if term or settings.COMPLIANCE_PERIOD != "year":
        return term_period(term)
    return year_period(timezone.localdate().year)
