"""The top of the class's page: a closed class shows the "Cấp giấy chứng nhận" button with its preview (how many, first
and last register number, date, signer), which issues in one click; every class shows its nominations per committee
against the quotas, counted as the per-committee page counts them."""

import datetime
import re

from django.urls import reverse

from certificates.models import Certificate
from common.localtime import local_today
from courses.models import Course
from tests import factories
from tests.certificates.test_issue_dates import closed_class

DAY = datetime.timedelta(days=1)


def change_url(course):
    return reverse("admin:courses_course_change", args=[course.pk])


def test_a_closed_class_shows_the_issuing_button_with_its_preview(world, client_for, center_staff):
    issuer = world.issuer_center
    issuer.signer_title, issuer.signer_name = "PHÓ GIÁM ĐỐC", "Lê Thị Mai"
    issuer.save()
    course = closed_class(world, end=local_today() - 3 * DAY, trainees=3)
    today = local_today()

    page = client_for(center_staff).get(change_url(course)).content.decode()

    start = page.index('id="course-issue"')
    box = page[start : page.index("</section>", start)]
    assert (
        f"3 giấy chứng nhận, số vào sổ từ 0001/{today.year}/CC-TTBDCT đến 0003/{today.year}/CC-TTBDCT, "
        f"ngày cấp {today:%d/%m/%Y}, người ký: PHÓ GIÁM ĐỐC Lê Thị Mai." in box
    )
    assert f'action="{reverse("admin:courses_course_issue", args=[course.pk])}"' in box
    assert 'name="confirm" value="Cấp giấy chứng nhận"' in box
    # The box comes before the form and its buttons: the first thing on the page.
    assert page.index('id="course-issue"') < page.index('id="course_form"')


def test_the_button_issues_and_comes_back_to_the_class(world, client_for, center_staff):
    course = closed_class(world, end=local_today() - 3 * DAY, trainees=2)
    client = client_for(center_staff)
    page = client.get(change_url(course)).content.decode()
    date = page.split('name="issued_on" value="')[1].split('"')[0]

    response = client.post(
        reverse("admin:courses_course_issue", args=[course.pk]), {"issued_on": date, "confirm": "1"}, follow=True
    )

    assert response.redirect_chain[-1][0] == change_url(course)
    assert Certificate.objects.filter(enrollment__course=course).count() == 2
    course.refresh_from_db()
    assert course.status == Course.Status.CERTIFIED
    assert "Không có giấy chứng nhận nào cần cấp thêm (đã cấp 2)." in response.content.decode()
    assert 'name="confirm"' not in response.content.decode().split('id="course-issue"')[1].split("</section>")[0]


def test_no_issuing_box_for_an_open_class_nor_for_an_officer(world, client_for, center_staff, officer_a):
    course = closed_class(world, end=local_today() - 3 * DAY)
    assert 'id="course-issue"' not in client_for(officer_a).get(change_url(course)).content.decode()
    Course.objects.filter(pk=course.pk).update(status=Course.Status.OPEN)
    assert 'id="course-issue"' not in client_for(center_staff).get(change_url(course)).content.decode()


def test_a_class_without_an_issuer_says_why_it_cannot_issue(world, client_for, center_staff):
    course = closed_class(world, end=local_today() - 3 * DAY)
    world.issuer_center.delete()
    page = client_for(center_staff).get(change_url(course)).content.decode()
    start = page.index('id="course-issue"')
    box = page[start : page.index("</section>", start)]
    assert "chưa có thông tin đơn vị cấp giấy chứng nhận" in box and 'name="confirm"' not in box


def nominations_table(page):
    start = page.index('id="course-nominations"')
    body = page[page.index("<tbody>", start) : page.index("</tbody>", start)]
    return [re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row) for row in body.split("<tr>")[1:]]


def test_the_class_page_lists_nominations_per_committee_with_quotas(world, client_for, center_staff, officer_a):
    course = world.root_course  # both committees have a quota of 10; member_x (A) and member_y (B) are enrolled
    factories.EnrollmentFactory(course=course, member=factories.MemberFactory(organization=world.cell_a))

    page = client_for(center_staff).get(change_url(course)).content.decode()
    assert page.index('id="course-nominations"') < page.index('id="course_form"')
    assert reverse("admin:courses_course_nominations", args=[course.pk]) in page
    rows = nominations_table(page)
    assert [row[0] for row in rows] == ["Đảng ủy Bộ Ngoại giao", "Đảng ủy Bộ Tư pháp"]
    assert [row[1:] for row in rows] == [["2", "10", "8"], ["1", "10", "9"]]  # nominated, quota, left

    # The officer of A sees A's row only, as on the per-committee page.
    rows = nominations_table(client_for(officer_a).get(change_url(course)).content.decode())
    assert rows == [["Đảng ủy Bộ Ngoại giao", "2", "10", "8"]]
