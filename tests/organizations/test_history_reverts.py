"""A model's history is read, never reverted: a posted revert would save the whole old record past the rules
of the services (a result only by closing or an override with a reason, a nomination only by the nomination
rules), so every role is refused and the record stays as it is."""

import pytest
from django.contrib import admin
from django.forms.models import model_to_dict
from django.test import RequestFactory
from django.urls import reverse

from certificates.models import Certificate
from certificates.services import issue_certificates
from common.admin import ReadOnlyHistoryAdmin
from courses.models import Course
from enrollments.closing import override_result
from enrollments.models import Attendance, Enrollment
from organizations.models import Appointment, ClassAuthorization, Member
from oversight.models import Correction, Inspection, InspectionPlan

# The A-side object of the world whose history each admin shows.
RECORDED = {
    Member: "member_x",
    Appointment: "appointment_a",
    Enrollment: "enrollment_x",
    Attendance: "attendance_x",
    Certificate: "certificate_a",
    Course: "root_course",
    ClassAuthorization: "authorization_a",
    InspectionPlan: "inspection_plan",
    Inspection: "inspection_a",
    Correction: "correction_a",
}


def history_url(obj, version):
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_simple_history", args=[obj.pk, version.history_id])


def revert_form_data(model_admin, user, version):
    """What the history form of `version` held for `user` before reverts were refused: the change form's fields,
    filled with the old record's values, as a browser posts them back unchanged."""
    request = RequestFactory().get("/")
    request.user = user
    old = version.instance
    form = model_admin.get_form(request, old)(instance=old)
    data = {}
    for field in form:
        value = field.value()
        if value is None or value is False:
            continue
        data[field.html_name] = "on" if value is True else value
    return data


def test_every_model_with_history_is_shown_read_only_in_the_admin():
    """A new admin of a recorded model cannot fall back to simple_history's reverting admin."""
    recorded = [model for model in admin.site._registry if hasattr(model._meta, "simple_history_manager_attribute")]
    assert sorted(model._meta.label for model in recorded) == sorted(model._meta.label for model in RECORDED)
    for model in recorded:
        assert isinstance(admin.site._registry[model], ReadOnlyHistoryAdmin), model._meta.label


def test_an_officer_cannot_restore_an_overridden_result_from_the_history(world, client_for):
    """The reproduction: the center sets a result to completed, then back with a reason; the trainee's officer
    posts the completed version's form back. The result stays, no history row names the officer, and issuing
    the course makes no certificate."""
    enrollment = world.enrollment_x
    Course.objects.filter(pk=enrollment.course_id).update(status=Course.Status.CLOSED)
    override_result(enrollment, completed=True, by=world.center_staff, reason="Đã học bù buổi vắng")
    completed_version = enrollment.history.latest("history_date")
    override_result(enrollment, completed=False, by=world.center_staff, reason="Nhập nhầm, chưa học bù")

    data = revert_form_data(admin.site._registry[Enrollment], world.officer_a, completed_version)
    response = client_for(world.officer_a).post(history_url(enrollment, completed_version), data)

    assert response.status_code == 403
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.NOT_COMPLETED
    assert not enrollment.history.filter(history_user=world.officer_a).exists()
    issue_certificates(world.root_course, by=world.center_staff, render_pdfs=False, notify=False)
    assert not Certificate.objects.filter(enrollment=enrollment).exists()


@pytest.mark.parametrize("model", list(RECORDED), ids=lambda model: model._meta.model_name)
@pytest.mark.parametrize("persona_name", ["center_staff", "officer_a"])
def test_no_role_reverts_a_recorded_model(model, persona_name, world, client_for):
    """For every recorded model and both staff roles: the past version is shown read-only (no revert button, no
    inputs to save), and posting it back is refused with nothing written."""
    obj = getattr(world, RECORDED[model])
    first = obj.history.earliest("history_date")
    obj.save()  # a second version, so the first is a past one
    before = model_to_dict(model.objects.get(pk=obj.pk))
    versions = obj.history.count()
    user = getattr(world, persona_name)
    client = client_for(user)
    url = history_url(obj, first)

    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="_save"' not in html and 'type="submit"' not in html.split('id="content"')[1].split("</form>")[0]

    response = client.post(url, revert_form_data(admin.site._registry[model], user, first))
    assert response.status_code == 403
    assert model_to_dict(model.objects.get(pk=obj.pk)) == before
    assert obj.history.count() == versions
