"""The work the demo leaves waiting, so that every line of the admin's home pages (backoffice/home.py) shows
something to the demo's center staff and officer: a certificate print and a yearly workbook queued, and a
nomination list for the open class that each of them uploaded and has not confirmed yet. (The classes around the
day the demo is made, for the other lines, are planned in demo/classes.py.)"""

from datetime import date

from certificates.models import Certificate, PrintJob
from courses.models import Course
from demo.import_samples import nomination_samples
from organizations.models import ImportRecord
from organizations.uploads import store_upload
from reports.models import ReportJob


def leave_work_waiting(*, center, officer, root, committee, other_committee, today: date) -> None:
    """Jobs queued (as the admin's actions record them, never handed to a worker: the demo has none running) and
    uploads waiting on their preview page."""
    printed = Course.objects.filter(organizer=root, status=Course.Status.CERTIFIED).order_by("-end_date").first()
    if printed is not None:
        total = Certificate.objects.filter(enrollment__course=printed).count()
        PrintJob.objects.create(course=printed, kind=PrintJob.Kind.PDF, requested_by=center, total=total)
    ReportJob.objects.create(kind=ReportJob.Kind.YEAR_WORKBOOK, year=today.year, requested_by=center)
    # The class still taking nominations: of the open ones, the one starting last (as demo/import_samples.py takes).
    course = Course.objects.filter(status=Course.Status.OPEN).order_by("-start_date", "code").first()
    if course is None:
        return
    samples = nomination_samples(course, committee, other_committee)
    for user, file_name in ((officer, "cu-di-hoc-excel.xlsx"), (center, "cu-di-hoc-libreoffice.xlsx")):
        store_upload(
            samples[file_name],
            kind=ImportRecord.Kind.NOMINATIONS,
            file_name=file_name,
            by=user,
            target=course.code,
            options={"create_members": False, "reason": ""},
        )
