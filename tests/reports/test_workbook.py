"""The yearly workbook: each sheet's numbers against data built here, sheets that agree with each other,
the officer's copy restricted to its sub-tree, a fixed number of queries, and no formula from user text."""

import datetime
import io
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from common.workbook_cells import clean_text
from courses.models import Course
from enrollments.models import Enrollment
from organizations.models import Post
from reports.workbook import Column, Sheet, YearWorkbook, new_workbook
from tests import factories

# The world counts 2021 certificates: the current term is 2020–2025 here (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("in_the_2020_term")

SHEETS = [
    "Tổng hợp",
    "Theo đảng ủy",
    "Theo chức vụ",
    "Các lớp",
    "Học viên",
    "Giảng viên",
    "Chưa bồi dưỡng",
    "Lũy kế",
    "Lớp tự tổ chức",
    "Kiểm tra",
]
FIRST_DATA_ROW = 5


def export(user, year=2021):
    buffer = io.BytesIO()
    YearWorkbook(user, year).save(buffer)
    buffer.seek(0)
    return buffer


def rows(workbook, title):
    sheet = workbook[title]
    return [list(row) for row in sheet.iter_rows(min_row=FIRST_DATA_ROW, values_only=True)]


def summary(workbook):
    return {
        label: value for label, value, *_rest in workbook["Tổng hợp"].iter_rows(min_row=5, values_only=True) if label
    }


@pytest.fixture
def year(world, settings):
    """The world's three 2021 classes with results: x completed (post committee member, certificate revoked and
    replaced), y withdrawn, a not completed, x in class A completed, b completed; ratings for the lecturer;
    and a 2019 class so the cumulative sheet has a gap year."""
    w = world
    # The world's class has two forms; the minimum a figure needs has its own tests (test_evaluation_anonymity).
    settings.EVALUATION_MIN_FORMS = 2
    set_status = Enrollment.objects.filter
    set_status(pk=w.enrollment_x.pk).update(status="completed", post=Post.COMMITTEE_MEMBER, attended_percent=100)
    set_status(pk=w.enrollment_y.pk).update(status="withdrawn")
    set_status(pk=w.enrollment_a.pk).update(status="not_completed", attended_percent=50, final_score=Decimal("4.5"))
    set_status(pk=w.enrollment_x_in_a.pk).update(status="completed", attended_percent=90)
    set_status(pk=w.enrollment_b.pk).update(status="completed", attended_percent=80)
    w.revoked_x = factories.CertificateFactory(
        enrollment=w.enrollment_x,
        issuer=w.issuer_center,
        status="revoked",
        revoke_reason="Sai họ tên",
        revoked_at=timezone.now(),
    )
    w.certificate_x = factories.CertificateFactory(
        enrollment=w.enrollment_x, issuer=w.issuer_center, replaces=w.revoked_x
    )
    factories.LecturerRatingFactory(evaluation=w.evaluation_x, lecturer=w.lecturer, topic=w.topic, rating=4)
    factories.LecturerRatingFactory(evaluation=w.evaluation_y, lecturer=w.lecturer, topic=w.topic, rating=5)
    old = factories.CourseFactory(
        code="2019-K1-L1",
        program=w.program,
        organizer=w.root,
        year=2019,
        start_date=datetime.date(2019, 5, 6),
        end_date=datetime.date(2019, 5, 10),
    )
    factories.EnrollmentFactory(course=old, member=w.secretary_a, status="completed")
    # Results are stored when a class closes: these classes are closed.
    Course.objects.update(status=Course.Status.CLOSED)
    return w


def test_workbook_has_its_sheets_printable_with_frozen_headers(year):
    data = export(year.center_staff)
    workbook = openpyxl.load_workbook(data)
    assert workbook.sheetnames == SHEETS
    for sheet in workbook.worksheets:
        assert sheet.freeze_panes == "A5"
        assert sheet.print_title_rows == "$4:$4"
        assert sheet.page_setup.paperSize == 9  # A4; orientation and fitting: test_workbook_print.py
        assert sheet["A4"].font.b, sheet.title
        assert all(sheet.column_dimensions[letter].width for letter in "AB")
    with zipfile.ZipFile(data) as archive:
        assert "xl/charts/chart1.xml" in archive.namelist()


def test_summary_sheet_counts_the_year(year):
    workbook = openpyxl.load_workbook(export(year.center_staff))
    figures = summary(workbook)
    assert figures["Số lớp đã mở"] == 3
    assert figures["— do Trung tâm tổ chức"] == 1
    assert figures["— do đảng ủy trực thuộc tự tổ chức"] == 2
    assert figures["Số lượt được cử đi học"] == 5
    assert figures["Số học viên theo học (trừ rút khỏi lớp)"] == 4
    assert figures["Số học viên hoàn thành"] == 3
    assert figures["— đang học (lớp chưa kết thúc)"] == 0
    assert figures["Tỷ lệ hoàn thành (lớp đã kết thúc)"] == pytest.approx(0.75)
    assert figures["Giấy chứng nhận đã cấp"] == 4
    assert figures["— đã thu hồi"] == 1
    assert figures["— còn hiệu lực"] == 3
    # Secretaries need training (the program qualifies them); secretary_b holds a certificate, secretary_a not.
    assert figures["Chức vụ phải bồi dưỡng (nhiệm kỳ 2020–2025)"] == 2
    assert figures["— đã có giấy chứng nhận"] == 1
    assert figures["Số phiếu đánh giá"] == 2
    assert figures["Đánh giá công tác tổ chức lớp (1–5)"] == 5
    assert figures["Đánh giá giảng viên (1–5)"] == 4.5
    months = [row for row in workbook["Tổng hợp"].iter_rows(values_only=True) if isinstance(row[0], int)]
    assert [row[:3] for row in months] == [
        (month, 3 if month == 3 else 0, 5 if month == 3 else 0) for month in range(1, 13)
    ]


def test_committee_and_post_sheets_roll_up_and_total_to_the_summary(year):
    workbook = openpyxl.load_workbook(export(year.center_staff))
    committees = rows(workbook, "Theo đảng ủy")
    assert committees == [
        ["Đảng ủy Bộ Ngoại giao", 3, 3, 0, 2, pytest.approx(2 / 3), 2, 1, 0, 0],
        ["Đảng ủy Bộ Tư pháp", 2, 1, 0, 1, 1, 1, 1, 1, 1],
        ["Tổng cộng", 5, 4, 0, 3, 0.75, 3, 2, 1, 0.5],
    ]
    posts = rows(workbook, "Theo chức vụ")
    assert posts == [
        ["Bí thư", 4, 3, 0, 2, pytest.approx(2 / 3), 2, 2, 1, 0.5],
        ["Cấp ủy viên", 1, 1, 0, 1, 1, 1, 0, 0, None],  # no program qualifies this post: nothing required
        ["Tổng cộng", 5, 4, 0, 3, 0.75, 3, 2, 1, 0.5],
    ]
    figures = summary(workbook)
    total = committees[-1]
    assert total[1:5] == [
        figures["Số lượt được cử đi học"],
        figures["Số học viên theo học (trừ rút khỏi lớp)"],
        figures["— đang học (lớp chưa kết thúc)"],
        figures["Số học viên hoàn thành"],
    ]
    assert total[6] == figures["— còn hiệu lực"] and total[7] == figures["Chức vụ phải bồi dưỡng (nhiệm kỳ 2020–2025)"]
    assert [sum(row[i] for row in committees[:-1]) for i in (1, 2, 3, 4, 6, 7, 8)] == [
        total[i] for i in (1, 2, 3, 4, 6, 7, 8)
    ]
    assert posts[-1] == total


def test_course_trainee_lecturer_missing_and_cumulative_sheets(year):
    w = year
    workbook = openpyxl.load_workbook(export(w.center_staff))
    courses = {row[0]: row for row in rows(workbook, "Các lớp")}
    assert set(courses) == {"2021-K1-L1", "2021-A-L1", "2021-B-L1"}
    root = courses["2021-K1-L1"]
    assert root[2] == "Đảng bộ Khối Các cơ quan Trung ương"
    assert root[3] == datetime.datetime(2021, 3, 1) and workbook["Các lớp"]["D5"].number_format == "DD/MM/YYYY"
    assert root[5:9] == [1, 2, 1, 1]  # sessions, nominated, enrolled (y withdrew), completed
    assert root[10] == pytest.approx(13 / 3, abs=0.01)  # (5 + 4 + 4) / 3 from both evaluations
    assert courses["2021-A-L1"][6:10] == [2, 2, 1, pytest.approx(0.7)]

    trainees = rows(workbook, "Học viên")
    assert len(trainees) == 5
    by_name = {(row[0], row[4]): row for row in trainees}
    x = by_name[("Nguyễn Thị Hà", "2021-K1-L1")]
    assert x[2] == "Cấp ủy viên" and x[8] == "Hoàn thành"
    assert x[9] == w.certificate_x.register_number  # the replacement, not the revoked one
    assert x[3] == "Đảng ủy Bộ Ngoại giao › " + w.grassroots_a.name + " › " + w.cell_a.name
    assert by_name[("Lê Minh Châu", "2021-A-L1")][6:9] == [4.5, None, "Không hoàn thành"]

    lecturers = rows(workbook, "Giảng viên")
    assert lecturers == [["PGS.TS. Đỗ Xuân Ánh", w.topic.title, 3, 12, 3, 4.5, 2]]

    missing = rows(workbook, "Chưa bồi dưỡng")
    assert [row[0] for row in missing] == ["Lê Minh Châu"]
    assert missing[0][2] == "Bí thư" and missing[0][3].endswith(w.cell_a.name)

    assert rows(workbook, "Lũy kế") == [[2019, 1, 1, 1, 1], [2020, 0, 0, 1, 1], [2021, 3, 5, 4, 6]]


def test_an_officers_workbook_holds_only_its_sub_tree(year):
    w = year
    workbook = openpyxl.load_workbook(export(w.officer_a))
    text = " ".join(
        str(value) for sheet in workbook.worksheets for row in sheet.iter_rows(values_only=True) for value in row
    )
    for outsider in ("Bộ Tư pháp", "Võ Thanh Bình", "Trần Văn Đức", "2021-B-L1"):
        assert outsider not in text
    assert summary(workbook)["Số lượt được cử đi học"] == 3
    committees = rows(workbook, "Theo đảng ủy")
    assert [row[0] for row in committees] == [w.grassroots_a.name, "Tổng cộng"]
    assert [row[0] for row in rows(workbook, "Chưa bồi dưỡng")] == ["Lê Minh Châu"]


def _grow(world, count):
    for _ in range(count):
        member = factories.MemberFactory(organization=world.cell_a)
        factories.AppointmentFactory(member=member, organization=world.cell_a)
        enrollment = factories.EnrollmentFactory(course=world.root_course, member=member, status="completed")
        factories.CertificateFactory(enrollment=enrollment, issuer=world.issuer_center)
        factories.EvaluationFactory(enrollment=enrollment)


def test_the_number_of_queries_does_not_grow_with_the_rows(year):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            export(year.center_staff)
        return len(captured)

    queries()  # the user's scope is then read once and kept on the user object
    _grow(year, 3)
    small = queries()
    _grow(year, 30)
    assert queries() == small


HOSTILE = ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1:A2)", "\t=1+1", "\r=1", "\n=1"]


def test_no_cell_holds_a_formula_built_from_user_text(year):
    w = year
    for text in HOSTILE:
        member = factories.MemberFactory(full_name=text, organization=w.cell_a)
        factories.EnrollmentFactory(course=w.root_course, member=member, status="completed")
        factories.AppointmentFactory(member=member, organization=w.cell_a, term_label=f"{text}")
    w.lecturer.name = '=cmd|" /C calc"!A0'
    w.lecturer.save()
    workbook = openpyxl.load_workbook(export(w.center_staff))
    values = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                values.append(cell.value)
    names = {value for value in values if isinstance(value, str)}
    assert any(value.startswith("=HYPERLINK") for value in names)
    assert any(value.startswith("@SUM") for value in names)
    assert any('=cmd|" /C calc"!A0' in value for value in names)


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=40))
def test_a_cell_is_never_a_formula_and_keeps_its_text(text):
    """Any text is stored as text (control characters the format cannot hold removed), never as a formula."""
    workbook = new_workbook()
    sheet = Sheet(workbook, "T", "x", "y", [Column("Tên", 10)])
    sheet.add([text])
    buffer = io.BytesIO()
    workbook.save(buffer)
    cell = openpyxl.load_workbook(buffer)["T"]["A5"]
    assert cell.data_type != "f"
    # XML turns a carriage return into a line feed when the file is read back.
    assert cell.value == (clean_text(text).replace("\r\n", "\n").replace("\r", "\n") or None)


def test_the_command_writes_the_workbook_and_refuses_bad_input(year, tmp_path):
    target = tmp_path / "bao-cao-2021.xlsx"
    call_command("export_year_report", "2021", "-o", str(target))
    assert openpyxl.load_workbook(target).sheetnames == SHEETS
    call_command("export_year_report", "2021", "-o", str(target), "--as-user", year.officer_a.username)
    assert "Bộ Tư pháp" not in str([c.value for row in openpyxl.load_workbook(target)["Theo đảng ủy"] for c in row])
    with pytest.raises(CommandError, match="không hợp lệ"):
        call_command("export_year_report", "1066", "-o", str(target))
    with pytest.raises(CommandError, match=".xlsx"):
        call_command("export_year_report", "2021", "-o", str(tmp_path / "a.csv"))
    with pytest.raises(CommandError, match="không-có-ai"):
        call_command("export_year_report", "2021", "-o", str(target), "--as-user", "không-có-ai")


def test_the_command_reports_compliance_in_the_term_asked_and_refuses_an_unknown_one(year, tmp_path):
    target = tmp_path / "bao-cao-2021.xlsx"
    call_command("export_year_report", "2021", "-o", str(target), "--term", "2015-2020")
    summary = [cell.value for row in openpyxl.load_workbook(target)[SHEETS[0]] for cell in row]
    assert any("nhiệm kỳ 2015–2020" in str(value) for value in summary)
    with pytest.raises(CommandError, match="Không có nhiệm kỳ 2040–2045. Các nhiệm kỳ: 2015–2020, 2020–2025"):
        call_command("export_year_report", "2021", "-o", str(target), "--term", "2040–2045")
