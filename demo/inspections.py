"""The demo's inspection plan for the current year: the Inspection Committee's inspector has concluded the
inspection of the demo officer's committee (one correction overdue, one reported and waiting, one accepted), has
an inspection open (its checklist prepared) and one still planned. Made through oversight/inspections.py, as the
admin makes them."""

import datetime
from typing import Any

from django.core.files.base import ContentFile

from organizations.models import Organization
from oversight import inspections
from oversight.models import InspectionPlan

# A one-page PDF as the committee's attachment (what validate_attachment() accepts).
DEMO_ATTACHMENT = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
TOPICS = "Việc cử cán bộ giữ chức danh đi bồi dưỡng; các lớp tự tổ chức và đánh giá của học viên"


def _descendant(organization: Organization) -> Organization:
    """The first organization below `organization` (itself when it has none): a correction's responsible one."""
    return (
        Organization.objects.filter(path__startswith=organization.path, depth=organization.depth + 1)
        .order_by("path")
        .first()
        or organization
    )


def plan_demo_inspections(*, inspector: Any, officer: Any, committees: list[Organization], today: datetime.date):
    """The year's plan with a concluded, an open and a planned inspection (committees[0], [1], [2])."""
    plan = inspections.save_plan(
        InspectionPlan(
            year=today.year, decision_number=f"01-QĐ/UBKT-{today.year}", decision_date=today.replace(day=1, month=1)
        ),
        by=inspector,
    )
    days = datetime.timedelta

    def planned(organization, start):
        return inspections.plan_inspection(
            plan,
            inspections.Planned(organization, start, start + days(4), TOPICS, team=[inspector]),
            by=inspector,
        )

    concluded = planned(committees[0], today - days(90))
    inspections.open_inspection(concluded, by=inspector, today=today - days(90))
    inspections.add_finding(concluded, by=inspector, text="Một số bí thư chi bộ chưa được cử đi bồi dưỡng.")
    responsible = _descendant(committees[0])
    overdue, reported, accepted = inspections.conclude(
        concluded,
        by=inspector,
        conclusion="Cơ bản thực hiện tốt; còn cán bộ giữ chức danh chưa được bồi dưỡng.",
        corrections=[
            inspections.Required(
                responsible, "Cử các bí thư chi bộ chưa được bồi dưỡng vào lớp gần nhất", today - days(10)
            ),
            inspections.Required(committees[0], "Lập danh sách cán bộ phải bồi dưỡng theo nhiệm kỳ", today + days(30)),
            inspections.Required(committees[0], "Bổ sung hồ sơ lớp tự tổ chức", today + days(20)),
        ],
        today=today - days(86),
    )
    for correction in (reported, accepted):
        attachment = ContentFile(DEMO_ATTACHMENT, name="bao-cao-khac-phuc.pdf")
        inspections.report_correction(
            correction, by=officer, text="Đã thực hiện; gửi kèm báo cáo.", attachment=attachment
        )
    inspections.accept_report(accepted, by=inspector, note="Đạt yêu cầu.")

    opened = planned(committees[1], today - days(2))
    inspections.open_inspection(opened, by=inspector, today=today)
    if len(committees) > 2:
        planned(committees[2], today + days(60))
    return plan
