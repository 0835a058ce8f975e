"""Inspections in the personas' world (tests/conftest.py): the Inspection Committee's 2021 plan inspects committee A
and committee B; each inspection is concluded with one correction, reported with a small PDF and waiting for the
team's verdict. The inspector persona is on both teams."""

import datetime

from django.core.files.base import ContentFile

from oversight.models import Correction, CorrectionReport, Finding, Inspection, InspectionPlan

PDF_BYTES = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _inspection(world, plan, organization, responsible, letter):
    inspection = Inspection.objects.create(
        plan=plan,
        organization=organization,
        start_date=datetime.date(2021, 6, 1),
        end_date=datetime.date(2021, 6, 5),
        topics="Việc cử cán bộ đi bồi dưỡng",
        status=Inspection.Status.CONCLUDED,
        conclusion="Còn cán bộ giữ chức danh chưa được bồi dưỡng.",
        concluded_on=datetime.date(2021, 6, 5),
    )
    inspection.team.set([world.inspector])
    finding = Finding.objects.create(inspection=inspection, text="Chưa cử đủ bí thư chi bộ đi bồi dưỡng.")
    correction = Correction.objects.create(
        inspection=inspection,
        organization=responsible,
        text="Cử các bí thư chi bộ chưa được bồi dưỡng vào lớp gần nhất.",
        due_date=datetime.date(2021, 12, 31),
        status=Correction.Status.REPORTED,
    )
    report = CorrectionReport(
        correction=correction, text="Đã cử đi học.", reported_by=getattr(world, f"officer_{letter}")
    )
    report.attachment.save(f"bao-cao-khac-phuc-{letter}.pdf", ContentFile(PDF_BYTES), save=False)
    report.save()
    setattr(world, f"finding_{letter}", finding)
    return inspection, correction, report


def add_inspections(world):
    world.inspection_plan = InspectionPlan.objects.create(year=2021, decision_number="12-QĐ/UBKT")
    world.inspection_a, world.correction_a, world.correction_report_a = _inspection(
        world, world.inspection_plan, world.committee_a, world.grassroots_a, "a"
    )
    world.inspection_b, world.correction_b, world.correction_report_b = _inspection(
        world, world.inspection_plan, world.committee_b, world.committee_b, "b"
    )
    return world
