"""Several staff confirming the same file at once: one imports it, each of the others is told who just imported
it and at what time, nothing is written twice or half-way, and nobody gets a 500."""

import threading

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from enrollments import nomination_import
from enrollments.models import Enrollment
from organizations import roles, tree_import
from organizations.models import Appointment, ImportRecord, Member, Organization
from tests import factories
from tests.imports.workbooks import xlsx

TREE_IMPORT_URL = reverse("admin:organizations_organization_import")
NOMINATION_IMPORT_URL = reverse("admin:enrollments_enrollment_import")
ORGANIZATION_HEADER = ["Mã tổ chức", "Tên tổ chức", "Loại", "Mã tổ chức cấp trên"]
PEOPLE_HEADER = ["Họ và tên", "Ngày sinh", "Mã tổ chức", "Chức vụ", "Nhiệm kỳ", "Từ ngày"]
# A grassroots committee with two cells and a secretary for each: new paths under committee A, new members.
TREE_FILE = xlsx(
    (
        "Tổ chức đảng",
        [
            ORGANIZATION_HEADER,
            ["DU-A-CS2", "Đảng bộ Cục Lãnh sự", "Đảng bộ cơ sở", "DU-A"],
            ["DU-A-CS2-CB1", "Chi bộ Phòng Thị thực", "Chi bộ", "DU-A-CS2"],
            ["DU-A-CS2-CB2", "Chi bộ Phòng Hộ chiếu", "Chi bộ", "DU-A-CS2"],
        ],
    ),
    (
        "Đảng viên và chức vụ",
        [
            PEOPLE_HEADER,
            ["Hoàng Văn Minh", "12/09/1978", "DU-A-CS2-CB1", "Bí thư", "2020-2025", "15/06/2020"],
            ["Trịnh Thu Hà", "5/3/1985", "DU-A-CS2-CB2", "Bí thư", "2020-2025", "15/06/2020"],
        ],
    ),
)
STAFF = 4


def center_staff(world, count):
    """The world's center staff and count - 1 colleagues of the same group, each an officer of the root."""
    colleagues = [world.center_staff]
    for number in range(1, count):
        user = factories.UserFactory(username=f"canbo.trungtam{number}", is_staff=True, groups=[roles.CENTER_STAFF])
        factories.OfficerFactory(user=user, organization=world.root)
        colleagues.append(user)
    return colleagues


def uploaded(user, url, data, **fields):
    """A client of the user (a 500 answered as a page, as a browser sees it) and the preview URL of its upload."""
    client = Client(raise_request_exception=False)
    client.force_login(user)
    response = client.post(url, {"file": SimpleUploadedFile("cay-to-chuc.xlsx", data), **fields})
    assert response.status_code == 302, response.context and response.context["form"].errors
    return client, response["Location"]


def shown_messages(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def just_imported_message(record):
    time = timezone.localtime(record.imported_at).strftime("%H:%M")
    who = record.imported_by.get_username()
    return f"Tệp này vừa được nhập bởi {who} lúc {time}; lần nhập này không ghi gì."


def tree_counts():
    return (
        Organization.objects.count(),
        Member.objects.count(),
        Appointment.objects.count(),
        Member.history.count(),
        ImportRecord.objects.filter(imported_at__isnull=False).count(),
    )


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_four_staff_confirming_one_tree_import_at_once_one_imports_and_three_are_told_who(world, monkeypatch):
    assert connection.vendor == "postgresql"
    staff = center_staff(world, STAFF)
    uploads = [uploaded(user, TREE_IMPORT_URL, TREE_FILE) for user in staff]
    before = tree_counts()
    # As when the four raced: each confirm that gets to writing waits until all four have planned. With the tree
    # locked only the first gets there, and goes on when the wait gives up.
    planned = threading.Barrier(STAFF)
    write = tree_import._Plan.write

    def write_once_all_planned(plan):
        try:
            planned.wait(timeout=2)
        except threading.BrokenBarrierError:
            pass
        write(plan)

    monkeypatch.setattr(tree_import._Plan, "write", write_once_all_planned)
    start = threading.Barrier(STAFF)
    responses = {}

    def confirm(user, client, url):
        try:
            start.wait(timeout=30)
            responses[user.get_username()] = client.post(url, {})
        finally:
            connection.close()

    threads = [
        threading.Thread(target=confirm, args=(user, client, url))
        for user, (client, url) in zip(staff, uploads, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert sorted(response.status_code for response in responses.values()) == [302] * STAFF
    record = ImportRecord.objects.get(imported_at__isnull=False)
    winner = record.imported_by.get_username()
    assert shown_messages(responses[winner]) == ["Đã nhập tệp cay-to-chuc.xlsx: thêm mới 5, cập nhật 0, không đổi 0."]
    for name, response in responses.items():
        if name != winner:
            assert shown_messages(response) == [just_imported_message(record)]
    organizations, members, appointments, histories, imported = before
    assert tree_counts() == (organizations + 3, members + 2, appointments + 2, histories + 2, imported + 1)
    assert Organization.objects.find_problems() == ([], [], [], [], [])
    committee = Organization.objects.get(code="DU-A-CS2")
    assert [cell.code for cell in Organization.objects.get_children(committee)] == ["DU-A-CS2-CB1", "DU-A-CS2-CB2"]


def test_a_confirm_that_waited_while_a_colleague_imported_the_same_file_writes_nothing(world, monkeypatch):
    """The race of the test above, one step at a time (SQLite too): a colleague's import of the same file is
    committed after this confirm started and before it took its turn."""
    first, second = center_staff(world, 2)
    client, url = uploaded(second, TREE_IMPORT_URL, TREE_FILE)
    new_report = tree_import.new_report
    before = []

    def colleague_imports_meanwhile(*args, **kwargs):
        report = new_report(*args, **kwargs)
        monkeypatch.setattr(tree_import, "new_report", new_report)
        before.append(tree_counts())
        assert tree_import.import_organizations(TREE_FILE, by=first, file_name="cay-to-chuc.xlsx").imported
        return report

    monkeypatch.setattr(tree_import, "new_report", colleague_imports_meanwhile)

    response = client.post(url, {})

    assert response.status_code == 302
    record = ImportRecord.objects.get(imported_at__isnull=False)
    assert record.imported_by == first
    assert shown_messages(response) == [just_imported_message(record)]
    organizations, members, appointments, histories, imported = before[0]
    assert tree_counts() == (organizations + 3, members + 2, appointments + 2, histories + 2, imported + 1)


def test_a_nomination_confirm_that_waited_while_a_colleague_imported_the_same_list_is_told_who(world, monkeypatch):
    """The same race in the nomination import, whose confirms wait for each other on the course."""
    course = factories.open_course(world, capacity=200, seats={world.committee_a: 100})
    data = xlsx(
        (
            "DS",
            [
                ["STT", "Họ và tên", "Ngày sinh", "Chức vụ", "Chi bộ / Đảng bộ"],
                [1, "LÊ MINH CHÂU", world.secretary_a.birth_date, "Bí thư", "DU-A-CS1-CB1"],
            ],
        )
    )
    colleague = factories.UserFactory(username="canbo.a2", is_staff=True, groups=[roles.OFFICER])
    factories.OfficerFactory(user=colleague, organization=world.committee_a)
    client, url = uploaded(world.officer_a, NOMINATION_IMPORT_URL, data, course=course.pk)
    new_report = nomination_import.new_report

    def colleague_imports_meanwhile(*args, **kwargs):
        report = new_report(*args, **kwargs)
        monkeypatch.setattr(nomination_import, "new_report", new_report)
        imported = nomination_import.import_nominations(data, course=course, by=colleague, file_name="ds.xlsx")
        assert imported.imported
        return report

    monkeypatch.setattr(nomination_import, "new_report", colleague_imports_meanwhile)

    response = client.post(url, {})

    assert response.status_code == 302
    record = ImportRecord.objects.get(imported_at__isnull=False)
    assert record.imported_by == colleague
    assert shown_messages(response) == [just_imported_message(record)]
    assert Enrollment.objects.filter(course=course).count() == 1
