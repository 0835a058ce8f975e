"""Evaluations are anonymous: no admin lookup, filter, ordering, search or page narrows them to one trainee or
ties a form to its enrollment, and no average, comment list or form is shown from fewer forms than the minimum."""

import datetime
import io

import openpyxl
import pytest
from django.urls import reverse

from enrollments.evaluation_reports import course_evaluation_summary, lecturer_evaluation_summary
from enrollments.models import Evaluation
from reports.workbook import YearWorkbook
from reports.yearly import YearReport
from tests import factories

CHANGELIST = "admin:enrollments_evaluation_changelist"


def evaluate(world, course, name, rating, comments):
    member = factories.MemberFactory(full_name=name, organization=world.cell_a)
    enrollment = factories.EnrollmentFactory(course=course, member=member)
    evaluation = factories.EvaluationFactory(
        enrollment=enrollment,
        organization_rating=rating,
        content_rating=rating,
        materials_rating=rating,
        comments=comments,
    )
    factories.LecturerRatingFactory(evaluation=evaluation, lecturer=world.lecturer, topic=world.topic, rating=rating)
    return evaluation


@pytest.fixture
def evaluated(world):
    """A 2022 class of the center with three forms, each with a comment of its own."""
    dates = {"start_date": datetime.date(2022, 3, 1), "end_date": datetime.date(2022, 3, 5)}
    world.course = factories.CourseFactory(program=world.program, organizer=world.root, year=2022, **dates)
    world.forms = [
        evaluate(world, world.course, name, rating, f"Ý kiến riêng số {number}")
        for number, (name, rating) in enumerate([("Nguyễn Văn Khải", 5), ("Trần Thị Loan", 3), ("Lê Văn Mạnh", 1)], 1)
    ]
    return world


def listed(response):
    """The evaluations a changelist response shows, or None when it shows no list (refused or redirected)."""
    if response.status_code != 200:
        return None
    return {evaluation.pk for evaluation in response.context["cl"].result_list}


def _enrollment(form):
    return form.enrollment_id


def _member(form):
    return form.enrollment.member_id


def _form(form):
    return form.pk


@pytest.mark.parametrize(
    ("lookup", "value_of"),
    [
        ("enrollment", _enrollment),
        ("enrollment__exact", _enrollment),
        ("enrollment__id", _enrollment),
        ("enrollment__id__exact", _enrollment),
        ("enrollment__pk", _enrollment),
        ("enrollment_id", _enrollment),
        ("enrollment__in", _enrollment),
        ("enrollment__member", _member),
        ("enrollment__member__id", _member),
        ("enrollment__member__id__exact", _member),
        ("enrollment__member__user", _member),
        ("lecturer_ratings__evaluation__enrollment", _enrollment),
        ("enrollment__course__enrollments__evaluation", _form),
    ],
)
def test_no_lookup_narrows_the_list_to_one_trainees_form(evaluated, client_for, lookup, value_of):
    """The reproduction: /admin/enrollments/evaluation/?enrollment=42 listed exactly trainee 42's form."""
    response = client_for(evaluated.center_staff).get(reverse(CHANGELIST), {lookup: value_of(evaluated.forms[0])})

    assert response.status_code in (302, 400)
    assert listed(response) is None


@pytest.mark.parametrize(
    "query",
    [
        {"enrollment__member__full_name": "Nguyễn Văn Khải"},
        {"enrollment__member__search_key__icontains": "khai"},
        {"enrollment__member__user__username": "x"},
        {"q": "Nguyễn Văn Khải"},
        {"q": "khai"},
    ],
)
def test_no_search_by_name_finds_a_trainees_form(evaluated, client_for, query):
    response = client_for(evaluated.center_staff).get(reverse(CHANGELIST), query)

    assert listed(response) in (None, set())


@pytest.mark.parametrize("order", ["0", "1", "-1", "2", "-2", "0.1", "5", "9"])
def test_ordering_lists_every_form_and_no_column_names_the_trainee(evaluated, client_for, order):
    response = client_for(evaluated.center_staff).get(reverse(CHANGELIST), {"o": order})

    assert listed(response) >= {form.pk for form in evaluated.forms}
    content = response.content.decode()
    for form in evaluated.forms:
        assert form.enrollment.member.full_name not in content
        assert reverse("admin:enrollments_enrollment_change", args=[form.enrollment_id]) not in content


def test_a_course_or_a_lecturer_may_narrow_the_list(evaluated, client_for):
    client = client_for(evaluated.center_staff)
    everyone = {form.pk for form in evaluated.forms}

    assert listed(client.get(reverse(CHANGELIST), {"enrollment__course__id__exact": evaluated.course.pk})) == everyone
    assert listed(client.get(reverse(CHANGELIST), {"enrollment__course__year": 2022})) == everyone
    assert listed(client.get(reverse(CHANGELIST), {"lecturer_ratings__lecturer": evaluated.lecturer.pk})) >= everyone


def test_the_form_page_shows_the_course_and_answers_but_not_the_trainee(evaluated, client_for):
    form = evaluated.forms[0]
    response = client_for(evaluated.center_staff).get(reverse("admin:enrollments_evaluation_change", args=[form.pk]))

    content = response.content.decode()
    assert response.status_code == 200
    assert "Ý kiến riêng số 1" in content and evaluated.course.code in content
    assert "Nguyễn Văn Khải" not in content and "Khải" not in content
    assert reverse("admin:enrollments_enrollment_change", args=[form.enrollment_id]) not in content
    assert reverse("admin:organizations_member_change", args=[form.enrollment.member_id]) not in content


@pytest.mark.parametrize("lookup", ["evaluation", "evaluation__id", "evaluation__pk", "evaluation__isnull"])
def test_the_enrollment_list_cannot_be_narrowed_by_its_evaluation(evaluated, client_for, lookup):
    """?evaluation=7 on the enrollment list would name the trainee who sent form 7."""
    form = evaluated.forms[0]
    value = "False" if lookup.endswith("isnull") else form.pk
    response = client_for(evaluated.center_staff).get(
        reverse("admin:enrollments_enrollment_changelist"), {lookup: value}
    )

    assert response.status_code in (302, 400)


def test_the_enrollment_delete_page_does_not_link_its_evaluation(evaluated, client_for):
    """Nobody may delete an evaluation, so the page names the model, not the form."""
    form = evaluated.forms[0]
    response = client_for(evaluated.center_staff).get(
        reverse("admin:enrollments_enrollment_delete", args=[form.enrollment_id])
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert reverse("admin:enrollments_evaluation_change", args=[form.pk]) not in content


# -- The minimum number of forms ----------------------------------------------------------------------------


def test_below_the_minimum_a_course_shows_only_its_count(evaluated, client_for, settings):
    settings.EVALUATION_MIN_FORMS = 4
    client = client_for(evaluated.center_staff)
    form = evaluated.forms[0]

    summary = course_evaluation_summary(Evaluation.objects.filter(enrollment__course=evaluated.course))
    assert (summary.count, summary.organization, summary.lecturers, summary.comments) == (3, None, [], [])
    page = client.get(reverse("admin:courses_course_evaluations", args=[evaluated.course.pk])).content.decode()
    assert "chỉ hiện khi lớp có từ 4 phiếu trở lên" in page and "Ý kiến riêng" not in page
    assert listed(client.get(reverse(CHANGELIST), {"enrollment__course__id__exact": evaluated.course.pk})) == set()
    assert client.get(reverse("admin:enrollments_evaluation_change", args=[form.pk])).status_code in (302, 404)


def test_at_the_minimum_a_course_shows_its_averages_comments_and_forms(evaluated, client_for, settings):
    settings.EVALUATION_MIN_FORMS = 3
    client = client_for(evaluated.center_staff)

    summary = course_evaluation_summary(Evaluation.objects.filter(enrollment__course=evaluated.course))
    assert (summary.count, summary.organization, len(summary.comments)) == (3, pytest.approx(3.0), 3)
    assert [row.average for row in summary.lecturers] == [pytest.approx(3.0)]
    page = client.get(reverse("admin:courses_course_evaluations", args=[evaluated.course.pk])).content.decode()
    assert "Ý kiến riêng số 3" in page and "3,00" in page
    response = client.get(reverse(CHANGELIST), {"enrollment__course__id__exact": evaluated.course.pk})
    assert listed(response) == {form.pk for form in evaluated.forms}


def test_the_default_minimum_is_three_forms(world):
    """The world's center class has two forms: nothing of them is shown."""
    summary = course_evaluation_summary(Evaluation.objects.filter(enrollment__course=world.root_course))
    assert (summary.count, summary.organization, summary.comments) == (2, None, [])


@pytest.mark.parametrize(("minimum", "shown"), [(3, True), (4, False)])
def test_a_lecturers_average_needs_the_minimum_of_forms(evaluated, client_for, settings, minimum, shown):
    settings.EVALUATION_MIN_FORMS = minimum

    summary = lecturer_evaluation_summary(
        evaluated.lecturer, Evaluation.objects.filter(pk__in=[form.pk for form in evaluated.forms])
    )
    assert summary.count == 3
    assert (summary.average is not None, summary.courses[0].average is not None) == (shown, shown)
    page = client_for(evaluated.center_staff).get(
        reverse("admin:courses_lecturer_evaluations", args=[evaluated.lecturer.pk])
    )
    assert ("Điểm trung bình 3,00" in page.content.decode()) is shown


@pytest.mark.parametrize(("minimum", "shown"), [(3, True), (4, False)])
def test_the_yearly_report_shows_averages_only_from_the_minimum(evaluated, settings, minimum, shown):
    settings.EVALUATION_MIN_FORMS = minimum
    report = YearReport(evaluated.center_staff, 2022)

    summary = report.summary()
    ratings = [summary.organization_rating, summary.content_rating, summary.materials_rating, summary.lecturer_rating]
    assert [rating is not None for rating in ratings] == [shown] * 4
    (course_row,) = [row for row in report.course_rows() if row.course == evaluated.course]
    assert (course_row.evaluation is not None) is shown
    assert [row.rating is not None for row in report.lecturer_rows() if row.ratings] == [shown]
    assert bool(report.lecturer_averages()) is shown

    buffer = io.BytesIO()
    YearWorkbook(evaluated.center_staff, 2022).save(buffer)
    courses = openpyxl.load_workbook(buffer)["Các lớp"]
    (row,) = [row for row in courses.iter_rows(min_row=5, values_only=True) if row[0] == evaluated.course.code]
    assert (row[-1] is not None) is shown
