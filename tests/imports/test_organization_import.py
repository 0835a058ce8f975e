"""Importing the party tree, members and posts: natural keys, yearly updates, every refusal with its row
and column, all-or-nothing, officers kept to their sub-tree, and a fixed number of queries."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from simple_history.utils import bulk_create_with_history

from common.imports.report import Outcome
from organizations import tree_import
from organizations.models import Appointment, ImportRecord, Member, Organization, Post
from organizations.tree_import import import_organizations
from tests import factories
from tests.imports.workbooks import xlsx
from tests.imports.world import new_uploads

ORGANIZATION_HEADER = ["Mã tổ chức", "Tên tổ chức", "Loại", "Mã tổ chức cấp trên"]
PEOPLE_HEADER = ["Họ và tên", "Ngày sinh", "Giới tính", "Mã tổ chức", "Chức vụ", "Nhiệm kỳ", "Từ ngày", "Đến ngày"]
PEOPLE_HEADER += ["Đơn vị công tác", "Chức danh", "Email", "Điện thoại"]
NEW_COMMITTEE = [
    ["DU-A-CS2", "Đảng bộ Cục Lãnh sự", "Đảng bộ cơ sở", "DU-A"],
    ["DU-A-CS2-CB2", "Chi bộ Phòng Hộ chiếu", "Chi bộ", "DU-A-CS2"],
    ["DU-A-CS2-CB1", "Chi bộ Phòng Thị thực", "Chi bộ", "DU-A-CS2"],
]


def person(name, born, code, post="Bí thư", term="2020-2025", start="15/06/2020", end=None, email=None, **extra):
    return [name, born, extra.get("gender", "Nam"), code, post, term, start, end, "Cục Lãnh sự", "Chuyên viên", email]


NEW_PEOPLE = [
    person("Hoàng Văn Minh", "12/09/1978", "DU-A-CS2"),
    person("Trịnh Thu Hà", "5/3/1985", "DU-A-CS2-CB1", gender="Nữ"),
    person("Hoàng Văn Minh", "12/09/1978", "DU-A-CS2-CB1", post="Chi ủy viên"),
]


def tree_file(organizations=(), people=(), *, title=True):
    sheets = []
    if organizations is not None:
        rows = [["CÁC TỔ CHỨC ĐẢNG"], []] if title else []
        sheets.append(("Tổ chức đảng", [*rows, ORGANIZATION_HEADER, *organizations]))
    if people is not None:
        sheets.append(("Đảng viên và chức vụ", [PEOPLE_HEADER, *people]))
    return xlsx(*sheets)


def run(data, by, **kwargs):
    return import_organizations(data, by=by, file_name="cap-nhat.xlsx", **kwargs)


def outcomes(report):
    return [(row.sheet, row.number, row.outcome) for row in report.rows]


def messages(report):
    return [message for row in report.refused_rows for message in row.messages]


def tree_problems():
    return Organization.objects.find_problems()


# -- What an import does ------------------------------------------------------------------------------


def test_a_new_grassroots_committee_with_its_cells_and_post_holders_is_added(world):
    report = run(tree_file(NEW_COMMITTEE, NEW_PEOPLE), world.center_staff)

    assert report.imported
    assert report.counts == {"created": 6, "changed": 0, "unchanged": 0, "refused": 0}
    committee = Organization.objects.get(code="DU-A-CS2")
    assert Organization.objects.get_parent(committee) == world.committee_a
    cells = Organization.objects.get_children(committee)
    assert [cell.code for cell in cells] == ["DU-A-CS2-CB1", "DU-A-CS2-CB2"]  # siblings in code order
    assert tree_problems() == ([], [], [], [], [])
    world.committee_a.refresh_from_db()
    assert world.committee_a.numchild == 2


def test_one_person_on_several_rows_is_one_member_holding_each_post(world):
    run(tree_file(NEW_COMMITTEE, NEW_PEOPLE), world.center_staff)

    minh = Member.objects.get(full_name="Hoàng Văn Minh")
    assert minh.birth_date == datetime.date(1978, 9, 12)
    assert minh.organization.code == "DU-A-CS2-CB1"  # the deepest organization of the rows: the cell
    posts = set(minh.appointments.values_list("organization__code", "post", "term_label", "is_current"))
    assert posts == {
        ("DU-A-CS2", Post.SECRETARY, "2020–2025", True),
        ("DU-A-CS2-CB1", Post.COMMITTEE_MEMBER, "2020–2025", True),
    }


def test_rows_written_before_their_parents_are_placed_under_them(world):
    report = run(tree_file(list(reversed(NEW_COMMITTEE))), world.center_staff)

    assert report.imported
    assert Organization.objects.get_parent(Organization.objects.get(code="DU-A-CS2-CB2")).code == "DU-A-CS2"
    assert tree_problems() == ([], [], [], [], [])


def test_the_history_says_who_imported_which_file(world):
    run(tree_file(NEW_COMMITTEE, NEW_PEOPLE[:1]), world.center_staff)

    record = Member.objects.get(full_name="Hoàng Văn Minh").history.get()
    assert record.history_user == world.center_staff
    assert record.history_change_reason == "Nhập từ tệp cap-nhat.xlsx"


def test_a_whole_tree_loads_into_an_empty_database(db):
    organizations = [
        ["KHOI", "Đảng bộ Khối Các cơ quan Trung ương", "Đảng bộ Khối", None],
        ["DU-1", "Đảng ủy Bộ Tư pháp", "Đảng ủy trực thuộc", "KHOI"],
        ["DU-1-01", "Chi bộ Vụ Pháp chế", "Chi bộ cơ sở", "DU-1"],
    ]
    people = [person("Lê Văn Tám", "1970", "DU-1-01")]

    report = run(tree_file(organizations, people), None)

    assert report.imported
    root = Organization.objects.get(code="KHOI")
    assert (root.depth, root.path) == (1, "0001")
    assert Member.objects.get().birth_date == datetime.date(1970, 1, 1)
    assert tree_problems() == ([], [], [], [], [])


# -- Imported twice, and yearly updates ---------------------------------------------------------------


def test_the_same_file_imported_twice_changes_nothing_the_second_time(world):
    data = tree_file(NEW_COMMITTEE, NEW_PEOPLE)
    run(data, world.center_staff)
    counts = (Organization.objects.count(), Member.objects.count(), Appointment.objects.count())
    histories = Member.history.count()

    again = run(data, world.center_staff)

    assert not again.imported
    assert again.previous is not None
    assert "nhập lại không thay đổi gì" in again.already_imported_message()
    assert (Organization.objects.count(), Member.objects.count(), Appointment.objects.count()) == counts
    assert Member.history.count() == histories
    assert ImportRecord.objects.filter(imported_at__isnull=False).count() == 1


def test_the_same_rows_in_another_file_are_all_recognized_by_their_natural_keys(world):
    run(tree_file(NEW_COMMITTEE, NEW_PEOPLE), world.center_staff)

    resaved = run(tree_file(NEW_COMMITTEE, NEW_PEOPLE, title=False), world.center_staff)

    assert resaved.imported
    assert resaved.counts == {"created": 0, "changed": 0, "unchanged": 6, "refused": 0}


def test_a_member_is_recognized_whatever_the_accents_case_and_spaces_of_the_name(world):
    birth = world.secretary_a.birth_date.strftime("%d/%m/%Y")
    people = [person("LÊ  MINH CHÂU", birth, "DU-A-CS1-CB1", start=world.appointment_a.start_date, term="2020–2025")]

    report = run(tree_file(None, people), world.center_staff)

    assert report.imported
    assert report.counts["created"] == 0
    assert Member.objects.filter(search_key="le minh chau").count() == 1


def test_a_yearly_update_renames_ends_posts_and_changes_contact_details(world):
    birth = world.secretary_a.birth_date.strftime("%d/%m/%Y")
    people = [
        person(
            "Lê Minh Châu",
            birth,
            "DU-A-CS1-CB1",
            start=world.appointment_a.start_date,
            end="30/06/2024",
            email="chau@bng.gov.vn",
        )
    ]
    organizations = [["DU-A-CS1-CB1", "Chi bộ Phòng Hành chính - Tổng hợp", "Chi bộ", "DU-A-CS1"]]

    report = run(tree_file(organizations, people), world.center_staff)

    assert report.counts == {"created": 0, "changed": 2, "unchanged": 0, "refused": 0}
    world.cell_a.refresh_from_db()
    assert world.cell_a.name == "Chi bộ Phòng Hành chính - Tổng hợp"
    world.appointment_a.refresh_from_db()
    assert (world.appointment_a.end_date, world.appointment_a.is_current) == (datetime.date(2024, 6, 30), False)
    world.secretary_a.refresh_from_db()
    assert world.secretary_a.email == "chau@bng.gov.vn"
    assert world.secretary_a.history.latest("history_date").history_change_reason == "Nhập từ tệp cap-nhat.xlsx"


# -- Refusals, each with its row and column ---------------------------------------------------------------


def test_an_impossible_birth_date_is_refused_naming_the_row_and_column(world):
    people = [person("Trịnh Thu Hà", "31/02/1980", "DU-A-CS1-CB1")]

    report = run(tree_file(None, people), world.center_staff)

    assert messages(report) == ["Dòng 2, cột Ngày sinh: '31/02/1980' không phải ngày hợp lệ"]
    assert not report.imported


@pytest.mark.parametrize(
    ("organizations", "expected"),
    [
        (
            [NEW_COMMITTEE[0], ["DU-A-CS2", "Đảng bộ trùng", "Đảng bộ cơ sở", "DU-A"]],
            "Dòng 5, cột Mã tổ chức: mã tổ chức 'DU-A-CS2' trùng với dòng 4",
        ),
        (
            [["DU-A-CS2", "Đảng bộ Cục Lãnh sự", "Đảng bộ cơ sở", "KHONG-CO"]],
            "Dòng 4, cột Mã tổ chức cấp trên: 'KHONG-CO' không có trong tệp hoặc trong phạm vi tổ chức của tài khoản",
        ),
        (
            [["DU-A-CS2", "Đảng bộ Cục Lãnh sự", "Ban", "DU-A"]],
            "Dòng 4, cột Loại: 'Ban' không phải loại tổ chức hợp lệ (chọn một trong: Đảng bộ Khối, Đảng ủy trực "
            "thuộc, Đảng bộ cơ sở, Chi bộ cơ sở, Đảng bộ bộ phận, Chi bộ)",
        ),
        (
            [["DU-A-CS2", None, "Đảng bộ cơ sở", "DU-A"]],
            "Dòng 4, cột Tên tổ chức: không được để trống",
        ),
        (
            [["DU-A-CS2", "Đảng bộ mới", "Đảng bộ cơ sở", None]],
            "Dòng 4, cột Mã tổ chức cấp trên: không được để trống",
        ),
        (
            [["DU-A-CS1", "Đảng bộ Vụ Tổng hợp Bộ Ngoại giao", "Đảng bộ cơ sở", "DU-B"]],
            "Dòng 4, cột Mã tổ chức cấp trên: tổ chức này đang trực thuộc 'DU-A'; hãy chuyển tổ chức trên trang "
            "Tổ chức đảng",
        ),
    ],
)
def test_an_organization_row_that_cannot_be_taken_says_why(world, organizations, expected):
    report = run(tree_file(organizations), world.center_staff)

    assert expected in messages(report)
    assert not report.imported
    assert not Organization.objects.filter(code="DU-A-CS2").exists()


def test_organizations_under_each_other_in_a_loop_are_refused(world):
    loop = [["X1", "Chi bộ X1", "Chi bộ", "X2"], ["X2", "Chi bộ X2", "Chi bộ", "X1"]]

    report = run(tree_file(loop), world.center_staff)

    assert report.counts["refused"] == 2
    assert any("thành vòng" in message for message in messages(report))


def test_the_children_of_a_refused_row_are_refused_with_it(world):
    organizations = [["DU-A-CS2", "Đảng bộ", "Ban", "DU-A"], ["DU-A-CS2-CB1", "Chi bộ", "Chi bộ", "DU-A-CS2"]]

    report = run(tree_file(organizations), world.center_staff)

    assert "Dòng 5, cột Mã tổ chức cấp trên: tổ chức cấp trên ở dòng 4 không nhận được" in messages(report)


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (person("A", "1/1/1980", "DU-A-CS1-CB1", term=None), "Dòng 2, cột Nhiệm kỳ: không được để trống"),
        (person("A", "1/1/1980", "DU-A-CS1-CB1", start=None), "Dòng 2, cột Từ ngày: không được để trống"),
        (
            person("A", "1/1/1980", "DU-A-CS1-CB1", term="2025-2020"),
            "Dòng 2, cột Nhiệm kỳ: '2025-2020' không phải nhiệm kỳ hợp lệ (ví dụ 2020–2025)",
        ),
        (
            person("A", "1/1/1980", "DU-A-CS1-CB1", end="01/01/2019"),
            "Dòng 2, cột Đến ngày: Đến ngày phải sau Từ ngày.",
        ),
        (person("A", "1/1/1980", "DU-A-CS1-CB1", post="Trưởng ban"), "Dòng 2, cột Chức vụ: 'Trưởng ban' không"),
        (person("A", "1/1/1980", "KHONG-CO"), "Dòng 2, cột Mã tổ chức: 'KHONG-CO' không có trong tệp"),
        (person("A", "1/1/1980", "DU-A-CS1-CB1", email="a@"), "Dòng 2, cột Email: 'a@' không phải địa chỉ"),
        (person("A", "1/1/2090", "DU-A-CS1-CB1"), "Dòng 2, cột Ngày sinh: ngày sinh ở tương lai"),
    ],
)
def test_a_people_row_that_cannot_be_taken_says_why(world, row, expected):
    report = run(tree_file(None, [row]), world.center_staff)

    assert [message for message in messages(report) if message.startswith(expected)]
    assert not Member.objects.filter(full_name="A").exists()


def test_the_same_post_twice_in_a_file_is_refused_the_second_time(world):
    people = [NEW_PEOPLE[1], NEW_PEOPLE[1]]

    report = run(tree_file(NEW_COMMITTEE, people), world.center_staff)

    assert "Dòng 3, cột Chức vụ: chức vụ này trùng với dòng 2" in messages(report)


def test_two_members_with_the_same_name_and_birth_date_in_scope_are_not_guessed_between(world):
    twin = factories.MemberFactory(
        full_name="Lê Minh Châu", birth_date=world.secretary_a.birth_date, organization=world.cell_b
    )
    birth = twin.birth_date.strftime("%d/%m/%Y")

    report = run(tree_file(None, [person("Lê Minh Châu", birth, "DU-A-CS2")]), world.center_staff)

    assert report.refused_rows


# -- All or nothing ------------------------------------------------------------------------------------------


def test_one_refused_row_keeps_the_whole_file_out(world):
    people = [*NEW_PEOPLE, person("Trịnh Thu Hà", "31/02/1980", "DU-A-CS1-CB1")]

    report = run(tree_file(NEW_COMMITTEE, people), world.center_staff)

    assert not report.imported
    assert report.counts["created"] == 6  # what would be added once the row is fixed
    assert not Organization.objects.filter(code__startswith="DU-A-CS2").exists()
    assert not Member.objects.filter(full_name="Hoàng Văn Minh").exists()
    assert not new_uploads().exists()


def test_choosing_only_the_valid_rows_imports_them_and_leaves_the_refused_ones(world):
    people = [*NEW_PEOPLE, person("Trịnh Thu Hà", "31/02/1980", "DU-A-CS1-CB1")]

    report = run(tree_file(NEW_COMMITTEE, people), world.center_staff, valid_only=True)

    assert report.imported
    assert Organization.objects.filter(code__startswith="DU-A-CS2").count() == 3
    assert Member.objects.filter(full_name="Trịnh Thu Hà").count() == 1  # the valid row's, in DU-A-CS2-CB1


def test_a_dry_run_writes_nothing(world):
    report = run(tree_file(NEW_COMMITTEE, NEW_PEOPLE), world.center_staff, dry_run=True)

    assert [outcome for _sheet, _number, outcome in outcomes(report)] == [Outcome.CREATED] * 6
    assert not Organization.objects.filter(code__startswith="DU-A-CS2").exists()
    assert not new_uploads().exists()


def test_a_crash_halfway_leaves_the_database_as_it_was(world, monkeypatch):
    def crash(objects, model, **kwargs):
        if model is Appointment:
            raise RuntimeError("mất kết nối giữa chừng")
        return bulk_create_with_history(objects, model, **kwargs)

    monkeypatch.setattr(tree_import, "bulk_create_with_history", crash)
    before = (Organization.objects.count(), Member.objects.count(), Member.history.count())

    with pytest.raises(RuntimeError):
        run(tree_file(NEW_COMMITTEE, NEW_PEOPLE), world.center_staff)

    assert (Organization.objects.count(), Member.objects.count(), Member.history.count()) == before
    assert not new_uploads().exists()


# -- Officers --------------------------------------------------------------------------------------------------


def test_an_officer_adds_members_and_posts_in_its_own_subtree(world):
    people = [person("Trịnh Thu Hà", "5/3/1985", "DU-A-CS1-CB1", gender="Nữ")]

    report = run(tree_file(None, people), world.officer_a)

    assert report.imported
    member = Member.objects.get(full_name="Trịnh Thu Hà")
    assert member.organization == world.cell_a
    assert member.appointments.get().post == Post.SECRETARY


def test_an_officer_cannot_name_another_committees_organization_nor_learn_it_exists(world):
    rows = [person("Trịnh Thu Hà", "5/3/1985", "DU-B-CS1-CB1"), person("Lê Văn Tư", "5/3/1985", "KHONG-CO")]

    report = run(tree_file(None, rows), world.officer_a)

    assert messages(report) == [
        "Dòng 2, cột Mã tổ chức: 'DU-B-CS1-CB1' không có trong tệp hoặc trong phạm vi tổ chức của tài khoản",
        "Dòng 3, cột Mã tổ chức: 'KHONG-CO' không có trong tệp hoặc trong phạm vi tổ chức của tài khoản",
    ]


def test_an_officer_cannot_add_or_rename_organizations_but_may_list_them_unchanged(world):
    organizations = [
        ["DU-A-CS1", "Đảng bộ Vụ Tổng hợp Bộ Ngoại giao", "Đảng bộ cơ sở", "DU-A"],
        ["DU-A-CS1-CB1", "Chi bộ đổi tên", "Chi bộ", "DU-A-CS1"],
        ["DU-A-CS9", "Đảng bộ mới", "Đảng bộ cơ sở", "DU-A"],
    ]

    report = run(tree_file(organizations), world.officer_a)

    assert outcomes(report) == [
        ("Tổ chức đảng", 4, Outcome.UNCHANGED),
        ("Tổ chức đảng", 5, Outcome.REFUSED),
        ("Tổ chức đảng", 6, Outcome.REFUSED),
    ]
    assert messages(report) == [
        "Dòng 5: tài khoản này không được sửa tổ chức đảng",
        "Dòng 6: tài khoản này không được thêm tổ chức đảng",
    ]


def test_an_officer_does_not_match_a_namesake_outside_its_subtree(world):
    birth = world.secretary_b.birth_date.strftime("%d/%m/%Y")

    report = run(tree_file(None, [person("Võ Thanh Bình", birth, "DU-A-CS1-CB1")]), world.officer_a)

    assert report.imported
    assert Member.objects.filter(search_key="vo thanh binh").count() == 2


# -- Bulk queries ---------------------------------------------------------------------------------------------


def sized_file(size, first=0):
    numbers = range(first, first + size)
    cells = [[f"DU-A-CS1-N{n:03d}", f"Chi bộ Phòng số {n}", "Chi bộ", "DU-A-CS1"] for n in numbers]
    people = [
        person(f"Nguyễn Văn Số {n}", f"01/01/{1960 + n % 30}", f"DU-A-CS1-N{n:03d}", email=f"so{n}@bng.vn")
        for n in numbers
    ]
    return tree_file(cells, people)


def queries(data, by, **kwargs):
    with CaptureQueriesContext(connection) as captured:
        report = run(data, by, **kwargs)
    return len(captured), report


@pytest.mark.parametrize("dry_run", [True, False])
def test_the_number_of_queries_does_not_grow_with_the_file(world, dry_run):
    queries(sized_file(1), world.center_staff, dry_run=True)  # the user's permissions, read once
    small, small_report = queries(sized_file(3), world.center_staff, dry_run=dry_run)
    large, large_report = queries(sized_file(40, first=100), world.center_staff, dry_run=dry_run)

    assert small_report.counts["refused"] == large_report.counts["refused"] == 0
    assert large == small
