"""Importing a nomination list: finding members by name, birth date and organization, creating them when
asked, and nominating through the same rules as the nomination form (quotas, deadline, duplicates, the
program already completed), all or nothing, in a fixed number of queries."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from common.imports.report import Outcome
from common.imports.spreadsheets import SpreadsheetError
from courses.models import Course
from enrollments import nomination_import
from enrollments.models import Enrollment
from enrollments.nomination_import import import_nominations
from enrollments.nominations import is_already_listed, nominate, nominate_many, withdraw
from organizations.models import ImportRecord, Member, Post
from tests import factories
from tests.imports.workbooks import xlsx
from tests.imports.world import new_uploads

HEADER = ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Chức vụ", "Chi bộ / Đảng bộ", "Đơn vị công tác"]


@pytest.fixture
def today():
    return timezone.localdate()


def dmy(day):
    return day.strftime("%d/%m/%Y")


def nomination_list(*rows, title=True):
    heading = [["DANH SÁCH CỬ ĐI HỌC"], []] if title else []
    return xlsx(("Danh sách", [*heading, HEADER, *[[n, *row] for n, row in enumerate(rows, 1)]]))


def run(data, course, by, **kwargs):
    return import_nominations(data, course=course, by=by, file_name="cu-di-hoc.xlsx", **kwargs)


def messages(report):
    return [*report.errors, *(message for row in report.refused_rows for message in row.messages)]


def listed(course):
    return set(
        Enrollment.objects.filter(course=course)
        .exclude(status=Enrollment.Status.WITHDRAWN)
        .values_list("member__full_name", flat=True)
    )


# -- Finding members ---------------------------------------------------------------------------------------


def test_members_are_found_whatever_the_accents_case_spaces_and_date_shape(world, course):
    data = nomination_list(
        ["LÊ  MINH CHÂU", world.secretary_a.birth_date, "Nam", "Bí thư", "du-a-cs1-cb1", ""],
        ["nguyen thi ha", str(world.member_x.birth_date.year), "Nữ", "", "Đảng bộ Vụ Tổng hợp Bộ Ngoại giao", ""],
    )

    report = run(data, course, world.officer_a)

    assert report.imported, messages(report)
    assert report.counts == {"created": 2, "changed": 0, "unchanged": 0, "refused": 0}
    enrollments = {e.member: e for e in Enrollment.objects.filter(course=course)}
    assert set(enrollments) == {world.secretary_a, world.member_x}
    assert enrollments[world.secretary_a].nominated_by == world.committee_a
    assert enrollments[world.member_x].post == Post.COMMITTEE_MEMBER  # the current post, as the form takes it


def test_a_member_not_found_is_refused_unless_new_members_are_asked_for(world, course):
    data = nomination_list(["Phạm Văn Mới", "01/02/1990", "Nam", "Trưởng phòng", "DU-A-CS1-CB1", "Vụ Lễ tân"])

    refused = run(data, course, world.officer_a)
    created = run(data, course, world.officer_a, create_members=True)

    assert messages(refused) == [
        "Dòng 4: không tìm thấy đảng viên này trong Chi bộ Phòng Hành chính Bộ Ngoại giao; kiểm tra họ tên, ngày "
        "sinh, hoặc chọn tạo đảng viên mới"
    ]
    assert created.imported
    member = Member.objects.get(full_name="Phạm Văn Mới")
    assert (member.organization, member.birth_date, member.job_title, member.workplace) == (
        world.cell_a,
        datetime.date(1990, 2, 1),
        "Trưởng phòng",
        "Vụ Lễ tân",
    )
    assert member.history.get().history_user == world.officer_a
    assert listed(course) == {"Phạm Văn Mới"}


def test_an_organization_named_ambiguously_asks_for_its_code(world, course):
    factories.OrganizationFactory(parent=world.grassroots_a, code="DU-A-CS1-CB9", name="Chi bộ Phòng Hành chính")
    factories.OrganizationFactory(parent=world.grassroots_a, code="DU-A-CS1-CB8", name="Chi bộ Phòng Hành chính")
    data = nomination_list(["Lê Minh Châu", world.secretary_a.birth_date, "", "", "Chi bộ Phòng Hành chính", ""])

    report = run(data, course, world.officer_a)

    assert messages(report) == [
        "Dòng 4, cột Chi bộ / Đảng bộ: có 2 tổ chức đảng cùng tên 'Chi bộ Phòng Hành chính'; hãy ghi mã tổ chức"
    ]


def test_an_officer_cannot_reach_another_committees_members_nor_learn_they_exist(world, course):
    data = nomination_list(
        ["Trần Văn Đức", world.member_y.birth_date, "", "", "DU-B-CS1-CB1", ""],
        ["Trần Văn Đức", world.member_y.birth_date, "", "", "KHONG-CO", ""],
    )

    report = run(data, course, world.officer_a, create_members=True)

    assert messages(report) == [
        "Dòng 4, cột Chi bộ / Đảng bộ: 'DU-B-CS1-CB1' không có trong phạm vi tổ chức của tài khoản",
        "Dòng 5, cột Chi bộ / Đảng bộ: 'KHONG-CO' không có trong phạm vi tổ chức của tài khoản",
    ]


def test_the_same_member_twice_in_a_list_is_refused_the_second_time(world, course):
    row = ["Lê Minh Châu", world.secretary_a.birth_date, "", "", "DU-A-CS1-CB1", ""]

    report = run(nomination_list(row, row), course, world.officer_a)

    assert messages(report) == ["Dòng 5: đồng chí này đã có ở dòng 4"]


def test_a_bad_cell_is_refused_naming_the_row_and_column(world, course):
    data = nomination_list(["Lê Minh Châu", "31/02/1980", "", "", "DU-A-CS1-CB1", ""])

    report = run(data, course, world.officer_a)

    assert messages(report) == ["Dòng 4, cột Ngày sinh: '31/02/1980' không phải ngày hợp lệ"]


def test_a_file_without_the_list_headers_is_refused_naming_them(world, course):
    with pytest.raises(SpreadsheetError) as raised:
        run(xlsx(("Sheet1", [["Họ và tên", "Quê quán"]])), course, world.officer_a)

    assert "Họ và tên, Ngày sinh, Chi bộ / Đảng bộ" in raised.value.messages[0]


# -- The nomination rules, as the form applies them ----------------------------------------------------------


def test_rows_past_the_committees_quota_are_refused_with_the_forms_message(world, course):
    course.seat_quotas.filter(organization=world.committee_a).update(seats=1)
    data = nomination_list(
        ["Lê Minh Châu", world.secretary_a.birth_date, "", "", "DU-A-CS1-CB1", ""],
        ["Nguyễn Thị Hà", world.member_x.birth_date, "", "", "DU-A-CS1-CB1", ""],
    )

    report = run(data, course, world.officer_a)

    assert messages(report) == ["Dòng 5: Đảng ủy Bộ Ngoại giao đã cử đủ 1 chỉ tiêu của lớp 2030-K1-L1."]
    assert not report.imported
    assert listed(course) == set()


def test_choosing_only_the_valid_rows_nominates_up_to_the_quota(world, course):
    course.seat_quotas.filter(organization=world.committee_a).update(seats=1)
    data = nomination_list(
        ["Lê Minh Châu", world.secretary_a.birth_date, "", "", "DU-A-CS1-CB1", ""],
        ["Nguyễn Thị Hà", world.member_x.birth_date, "", "", "DU-A-CS1-CB1", ""],
        ["Phạm Văn Mới", "01/02/1990", "", "", "DU-A-CS1-CB1", ""],
    )

    report = run(data, course, world.officer_a, valid_only=True, create_members=True)

    assert report.imported
    assert listed(course) == {"Lê Minh Châu"}
    # A member created for a refused row is not created at all.
    assert not Member.objects.filter(full_name="Phạm Văn Mới").exists()


def test_a_member_trained_this_term_is_refused(world, course, in_the_2020_term):
    # member_x holds certificate_a of the program, issued in 2021.
    data = nomination_list(["Nguyễn Thị Hà", world.member_x.birth_date, "", "", "DU-A-CS1-CB1", ""])

    report = run(data, course, world.officer_a)

    assert messages(report) == [
        f"Dòng 4: Đồng chí Nguyễn Thị Hà đã được cấp giấy chứng nhận số {world.certificate_a.register_number} "
        f"(lớp {world.course_a.code}, ngày 15/03/2021) trong nhiệm kỳ 2020–2025."
    ]


def test_after_the_deadline_an_officers_list_is_refused_whole(world, course, today):
    course.nomination_deadline = today - datetime.timedelta(days=1)
    course.save()
    data = nomination_list(["Lê Minh Châu", world.secretary_a.birth_date, "", "", "DU-A-CS1-CB1", ""])

    report = run(data, course, world.officer_a)

    assert report.errors == [
        f"Đã quá hạn cử học viên của lớp 2030-K1-L1 ({dmy(course.nomination_deadline)}); chỉ Trung tâm được thay "
        "đổi danh sách."
    ]
    assert not report.imported


def test_after_the_deadline_the_center_imports_with_a_reason_the_history_keeps(world, course, today):
    course.nomination_deadline = today - datetime.timedelta(days=1)
    course.save()
    data = nomination_list(["Lê Minh Châu", world.secretary_a.birth_date, "", "", "DU-A-CS1-CB1", ""])

    without = run(data, course, world.center_staff)
    with_reason = run(data, course, world.center_staff, reason="Bổ sung theo công văn 45")

    assert "hãy ghi lý do" in without.errors[0]
    assert with_reason.imported
    record = Enrollment.objects.get(course=course).history.get()
    assert (record.history_user, record.history_change_reason) == (world.center_staff, "Bổ sung theo công văn 45")


def test_a_member_already_on_the_list_is_left_unchanged_and_a_withdrawn_one_nominated_again(world, course):
    on_list = nominate(course, world.secretary_a, by=world.officer_a)
    withdrawn = nominate(course, world.member_x, by=world.officer_a)
    withdraw(withdrawn, by=world.officer_a)
    data = nomination_list(
        ["Lê Minh Châu", world.secretary_a.birth_date, "", "", "DU-A-CS1-CB1", ""],
        ["Nguyễn Thị Hà", world.member_x.birth_date, "", "", "DU-A-CS1-CB1", ""],
    )

    report = run(data, course, world.officer_a)

    assert [row.outcome for row in report.rows] == [Outcome.UNCHANGED, Outcome.CHANGED]
    withdrawn.refresh_from_db()
    assert withdrawn.status == Enrollment.Status.REGISTERED
    assert on_list.history.count() == 1


# -- Twice, all or nothing ---------------------------------------------------------------------------------------


def test_the_same_file_imported_twice_changes_nothing_the_second_time(world, course):
    row = ["Lê Minh Châu", world.secretary_a.birth_date, "", "", "DU-A-CS1-CB1", ""]
    data = nomination_list(row)
    run(data, course, world.officer_a)

    again = run(data, course, world.officer_a)
    resaved = run(nomination_list(row, title=False), course, world.officer_a)

    assert again.previous is not None and not again.imported
    assert resaved.counts == {"created": 0, "changed": 0, "unchanged": 1, "refused": 0}
    assert Enrollment.objects.filter(course=course).count() == 1


def test_the_same_file_for_another_course_is_another_import(world, course):
    other = factories.CourseFactory(
        code="2030-K1-L2",
        program=factories.ProgramFactory(),
        organizer=world.root,
        status=Course.Status.OPEN,
        nomination_deadline=course.nomination_deadline,
        start_date=course.start_date,
        end_date=course.end_date,
    )
    data = nomination_list(["Lê Minh Châu", world.secretary_a.birth_date, "", "", "DU-A-CS1-CB1", ""])

    assert run(data, course, world.officer_a).imported
    assert run(data, other, world.officer_a).imported
    assert ImportRecord.objects.filter(imported_at__isnull=False).count() == 2


def test_a_dry_run_writes_nothing_not_even_new_members(world, course):
    data = nomination_list(["Phạm Văn Mới", "01/02/1990", "", "", "DU-A-CS1-CB1", ""])

    report = run(data, course, world.officer_a, create_members=True, dry_run=True)

    assert report.counts["created"] == 1
    assert "thêm đảng viên mới vào Chi bộ Phòng Hành chính Bộ Ngoại giao" in report.rows[0].description
    assert not Member.objects.filter(full_name="Phạm Văn Mới").exists()
    assert not Enrollment.objects.filter(course=course).exists()


def test_a_crash_halfway_leaves_the_database_as_it_was(world, course, monkeypatch):
    def crash(*args, **kwargs):
        raise RuntimeError("mất kết nối giữa chừng")

    real = nomination_import.nominate_many
    calls = []

    def second_pass_crashes(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs) if len(calls) == 1 else crash()

    monkeypatch.setattr(nomination_import, "nominate_many", second_pass_crashes)
    data = nomination_list(["Phạm Văn Mới", "01/02/1990", "", "", "DU-A-CS1-CB1", ""])

    with pytest.raises(RuntimeError):
        run(data, course, world.officer_a, create_members=True)

    assert not Member.objects.filter(full_name="Phạm Văn Mới").exists()
    assert not Enrollment.objects.filter(course=course).exists()
    assert not new_uploads().exists()


# -- Bulk: nominate_many and the number of queries --------------------------------------------------------------


def test_nominate_many_returns_each_refusal_beside_the_nominations_it_writes(world, course):
    nominate(course, world.secretary_a, by=world.officer_a)

    outcomes = nominate_many(
        course, [(world.secretary_a, ""), (world.member_x, ""), (world.member_y, "")], by=world.officer_a
    )

    assert is_already_listed(outcomes[0])
    assert isinstance(outcomes[1], Enrollment) and outcomes[1].pk
    assert isinstance(outcomes[2], ValidationError) and not is_already_listed(outcomes[2])
    assert outcomes[2].message_dict == {
        "member": ["Đồng chí Trần Văn Đức không thuộc tổ chức đảng do tài khoản này phụ trách."]
    }


def sized_list(size, first):
    return nomination_list(
        *[
            [f"Nguyễn Văn Số {n}", f"01/01/{1960 + n % 30}", "Nam", "", "DU-A-CS1-CB1", ""]
            for n in range(first, first + size)
        ]
    )


@pytest.mark.parametrize("dry_run", [True, False])
def test_the_number_of_queries_does_not_grow_with_the_list(world, course, dry_run):
    run(sized_list(1, 0), course, world.officer_a, create_members=True, dry_run=True)  # permissions, read once
    counted = []
    for size, first in ((3, 100), (40, 200)):
        with CaptureQueriesContext(connection) as captured:
            report = run(sized_list(size, first), course, world.officer_a, create_members=True, dry_run=dry_run)
        assert report.counts["created"] == size
        counted.append(len(captured))

    assert counted[0] == counted[1]
