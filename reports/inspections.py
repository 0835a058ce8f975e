"""The inspections of a year's plan as a user may see them, for the yearly workbook's "Kiểm tra" sheet: each
inspection with its number of findings and its corrections (all, done, overdue on a given day), and their totals.
Three queries whatever the number of inspections."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q

from oversight.models import Correction, Finding, Inspection


@dataclass
class InspectionRow:
    organization: str
    start_date: datetime.date | None
    end_date: datetime.date | None
    status: str
    concluded_on: datetime.date | None
    findings: int = 0
    corrections: int = 0
    done: int = 0  # accepted by the team
    overdue: int = 0  # past their due date and not accepted


@dataclass
class InspectionTotals:
    inspections: int = 0
    held: int = 0  # opened or concluded
    findings: int = 0
    corrections: int = 0
    done: int = 0
    overdue: int = 0


def inspection_rows(user, year: int, today: datetime.date) -> tuple[list[InspectionRow], InspectionTotals]:
    """The rows of the inspections of `year`'s plan that `user` may see (Inspection.objects.for_user), by start date,
    and their totals; a correction is done once accepted, overdue when its due date is before `today` and it is
    not (CorrectionQuerySet.overdue)."""
    inspections = list(
        Inspection.objects.for_user(user)
        .filter(plan__year=year)
        .order_by("start_date", "organization__path", "pk")
        .values_list("pk", "organization__name", "start_date", "end_date", "status", "concluded_on")
    )
    ids = [row[0] for row in inspections]
    findings = dict(
        Finding.objects.filter(inspection_id__in=ids)
        .values("inspection_id")
        .annotate(n=Count("pk"))
        .values_list("inspection_id", "n")
        .order_by()
    )
    overdue = Correction.objects.overdue(today).values("pk")
    corrections = {
        row.pop("inspection_id"): row
        for row in Correction.objects.filter(inspection_id__in=ids)
        .values("inspection_id")
        .annotate(
            corrections=Count("pk"),
            done=Count("pk", filter=Q(status=Correction.Status.ACCEPTED)),
            overdue=Count("pk", filter=Q(pk__in=overdue)),
        )
        .order_by()
    }
    statuses = {value: str(label) for value, label in Inspection.Status.choices}
    rows, totals = [], InspectionTotals()
    for pk, organization, start, end, status, concluded_on in inspections:
        row = InspectionRow(
            organization,
            start,
            end,
            statuses.get(status, status),
            concluded_on,
            findings.get(pk, 0),
            **corrections.get(pk, {}),
        )
        rows.append(row)
        totals.inspections += 1
        totals.held += status != Inspection.Status.PLANNED
        for name in ("findings", "corrections", "done", "overdue"):
            setattr(totals, name, getattr(totals, name) + getattr(row, name))
    return rows, totals
