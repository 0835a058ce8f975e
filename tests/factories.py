"""factory_boy factories for every model, with Vietnamese names and dates that satisfy the constraints."""

import datetime
from decimal import Decimal

import factory
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from factory.django import DjangoModelFactory, Password

from certificates.models import Certificate, IssuerProfile, PrintJob, format_register_number
from certificates.services import new_verification_code, take_register_numbers
from courses.models import Course, Lecturer, Program, Session, Topic
from enrollments.models import Attendance, Enrollment, Evaluation, LecturerRating, SeatQuota
from organizations.models import AccessLog, Appointment, LockedOutLogin, Member, Officer, Organization, Post, Term
from oversight.models import Correction, CorrectionReport, Finding, Inspection, InspectionPlan
from reports.models import ReportJob

FAMILY_NAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ"]
MIDDLE_NAMES = ["Văn", "Thị", "Minh", "Thu", "Đức", "Ngọc", "Quốc", "Hữu", "Thanh", "Xuân"]
GIVEN_NAMES = "An Bình Châu Dũng Đạt Giang Hà Hải Hạnh Khánh Lộc Mai Ngân Oanh Phúc Quyên Sơn Thảo Tuấn Yến".split()
TERM_START = datetime.date(2020, 9, 1)


def vietnamese_name(n):
    return f"{FAMILY_NAMES[n % 12]} {MIDDLE_NAMES[n % 10]} {GIVEN_NAMES[n % len(GIVEN_NAMES)]}"


class OrganizationFactory(DjangoModelFactory):
    """A tree node, created through treebeard: under ``parent`` if given, else as a new root."""

    class Meta:
        model = Organization

    parent = None
    kind = factory.LazyAttribute(lambda o: Organization.Kind.BLOC if o.parent is None else Organization.Kind.CELL)
    code = factory.Sequence(lambda n: f"TC{n:05d}")
    name = factory.Sequence(lambda n: f"Chi bộ Phòng Nghiệp vụ số {n}")

    @classmethod
    def _create(cls, model_class, *args, parent=None, **kwargs):
        if parent is None:
            return model_class.objects.add_root(kwargs)
        return model_class.objects.add_child(parent, kwargs)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"nguoidung{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.vn")
    password = Password("mat-khau-thu-nghiem")

    @factory.post_generation
    def groups(self, create, names, **kwargs):
        if create and names:
            self.groups.set(Group.objects.filter(name__in=names))


class GroupFactory(DjangoModelFactory):
    class Meta:
        model = Group

    name = factory.Sequence(lambda n: f"Nhóm quyền {n}")


class MemberFactory(DjangoModelFactory):
    class Meta:
        model = Member

    full_name = factory.Sequence(vietnamese_name)
    birth_date = factory.Sequence(lambda n: datetime.date(1965, 1, 1) + datetime.timedelta(days=97 * n % 10000))
    gender = Member.Gender.MALE
    organization = factory.SubFactory(OrganizationFactory)
    workplace = "Văn phòng Bộ"
    job_title = "Chuyên viên"


class AppointmentFactory(DjangoModelFactory):
    class Meta:
        model = Appointment

    member = factory.SubFactory(MemberFactory)
    organization = factory.SelfAttribute("member.organization")
    post = Post.SECRETARY
    term_label = "2020–2025"
    start_date = TERM_START


class TermFactory(DjangoModelFactory):
    """A term after the seeded ones (2015–2020, 2020–2025, 2025–2030): 2030–2035, 2035–2040, …"""

    class Meta:
        model = Term

    name = factory.Sequence(lambda n: f"{2030 + 5 * n}–{2035 + 5 * n}")
    start = factory.Sequence(lambda n: datetime.date(2030 + 5 * n, 1, 1))


class OfficerFactory(DjangoModelFactory):
    class Meta:
        model = Officer

    user = factory.SubFactory(UserFactory, is_staff=True)
    organization = factory.SubFactory(OrganizationFactory)


class AccessLogFactory(DjangoModelFactory):
    class Meta:
        model = AccessLog

    user = factory.SubFactory(UserFactory, is_staff=True)
    username = factory.LazyAttribute(lambda log: log.user.username)
    action = AccessLog.Action.VIEW_MEMBER
    object_label = factory.Sequence(lambda n: f"Đảng viên {n}")
    client_address = "203.0.113.7"


class LockedOutLoginFactory(DjangoModelFactory):
    """A login locked out just now: as many failures as the limit, for one username from one address."""

    class Meta:
        model = LockedOutLogin

    username = factory.Sequence(lambda n: f"hocvien.khoa{n}")
    ip_address = factory.Sequence(lambda n: f"198.51.100.{n % 250 + 1}")
    user_agent = "Mozilla/5.0"
    http_accept = "text/html"
    path_info = "/accounts/login/"
    get_data = ""
    post_data = ""
    failures_since_start = factory.LazyFunction(lambda: settings.AXES_FAILURE_LIMIT)


class ClassAuthorizationFactory(DjangoModelFactory):
    """The center's decision that a committee runs its own classes (in force unless revoked_on is given)."""

    class Meta:
        model = "organizations.ClassAuthorization"

    organization = factory.SubFactory(OrganizationFactory)
    decision_number = factory.Sequence(lambda n: f"{n + 100}-QĐ/ĐUK")
    decision_date = datetime.date(2020, 6, 1)
    revoked_on = None


class ProgramFactory(DjangoModelFactory):
    class Meta:
        model = Program

    code = factory.Sequence(lambda n: f"CT{n:04d}")
    name = factory.Sequence(lambda n: f"Bồi dưỡng nghiệp vụ công tác đảng cho bí thư chi bộ, đợt {n}")
    status = Program.Status.ISSUED
    qualifying_posts = factory.LazyFunction(lambda: [Post.SECRETARY, Post.DEPUTY_SECRETARY])


class TopicFactory(DjangoModelFactory):
    class Meta:
        model = Topic

    program = factory.SubFactory(ProgramFactory)
    order = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Chuyên đề {n}: Nghiệp vụ công tác kiểm tra, giám sát của chi bộ")
    hours = Decimal("4.0")


class LecturerFactory(DjangoModelFactory):
    class Meta:
        model = Lecturer

    name = factory.Sequence(vietnamese_name)
    academic_title = "TS."
    unit = "Học viện Chính trị quốc gia Hồ Chí Minh"


class CourseFactory(DjangoModelFactory):
    class Meta:
        model = Course

    code = factory.Sequence(lambda n: f"2021-K1-L{n}")
    program = factory.SubFactory(ProgramFactory)
    organizer = factory.SubFactory(OrganizationFactory)
    year = 2021
    intake = 1
    number = factory.Sequence(lambda n: n + 1)
    start_date = datetime.date(2021, 3, 1)
    end_date = datetime.date(2021, 4, 30)
    venue = "Hội trường Trung tâm, số 8 Hoàng Văn Thụ, Hà Nội"
    capacity = 120
    status = Course.Status.OPEN


class SessionFactory(DjangoModelFactory):
    """A half-day slot inside its course's dates; consecutive sessions fill morning, afternoon, evening."""

    class Meta:
        model = Session

    course = factory.SubFactory(CourseFactory)
    date = factory.LazyAttributeSequence(
        lambda o, n: o.course.start_date
        + datetime.timedelta(days=(n // 3) % ((o.course.end_date - o.course.start_date).days + 1))
    )
    period = factory.Sequence(lambda n: n % 3 + 1)
    topic = factory.SubFactory(TopicFactory, program=factory.SelfAttribute("..course.program"))
    lecturer = factory.SubFactory(LecturerFactory)


class EnrollmentFactory(DjangoModelFactory):
    class Meta:
        model = Enrollment

    course = factory.SubFactory(CourseFactory)
    member = factory.SubFactory(MemberFactory)
    nominated_by = factory.SelfAttribute("member.organization")
    post = Post.SECRETARY
    status = Enrollment.Status.STUDYING


class AttendanceFactory(DjangoModelFactory):
    class Meta:
        model = Attendance

    enrollment = factory.SubFactory(EnrollmentFactory)
    session = factory.SubFactory(SessionFactory, course=factory.SelfAttribute("..enrollment.course"))
    status = Attendance.Status.PRESENT


class SeatQuotaFactory(DjangoModelFactory):
    class Meta:
        model = SeatQuota

    course = factory.SubFactory(CourseFactory)
    organization = factory.SubFactory(OrganizationFactory)
    seats = 10


class EvaluationFactory(DjangoModelFactory):
    class Meta:
        model = Evaluation

    enrollment = factory.SubFactory(EnrollmentFactory)
    organization_rating = 5
    content_rating = 4
    materials_rating = 4
    comments = "Nội dung thiết thực, sát với công việc của chi bộ."


class LecturerRatingFactory(DjangoModelFactory):
    class Meta:
        model = LecturerRating

    evaluation = factory.SubFactory(EvaluationFactory)
    lecturer = factory.SubFactory(LecturerFactory)
    topic = factory.SubFactory(TopicFactory, program=factory.SelfAttribute("..evaluation.enrollment.course.program"))
    rating = 5


class IssuerProfileFactory(DjangoModelFactory):
    class Meta:
        model = IssuerProfile
        django_get_or_create = ["organization"]

    organization = factory.SubFactory(OrganizationFactory)
    header_line_1 = "ĐẢNG BỘ KHỐI CÁC CƠ QUAN TRUNG ƯƠNG"
    header_line_2 = "TRUNG TÂM BỒI DƯỠNG CHÍNH TRỊ"
    place = "Hà Nội"
    signer_title = "GIÁM ĐỐC"
    signer_name = "Nguyễn Văn Thành"
    register_suffix = factory.Sequence(lambda n: f"CC-TT{n:03d}")


class PrintJobFactory(DjangoModelFactory):
    """A print job as the course actions record it, waiting for its task; `finished=True` gives it a small
    stored file (writes to MEDIA_ROOT). Certificates are printed by certificates.printing.run_print_job()."""

    class Meta:
        model = PrintJob

    class Params:
        finished = factory.Trait(
            status=PrintJob.Status.DONE,
            done=1,
            finished_at=factory.LazyFunction(timezone.now),
            output=factory.django.FileField(filename="giay-chung-nhan.pdf", data=b"%PDF-1.7\n%%EOF\n"),
        )

    course = factory.SubFactory(CourseFactory)
    kind = PrintJob.Kind.PDF
    requested_by = factory.SubFactory(UserFactory, is_staff=True)
    status = PrintJob.Status.QUEUED
    total = 1
    done = 0


class ReportJobFactory(DjangoModelFactory):
    """A report job as a staff page records it, waiting for its task (reports.jobs.run_report_job)."""

    class Meta:
        model = ReportJob

    kind = ReportJob.Kind.YEAR_WORKBOOK
    year = 2021
    requested_by = factory.SubFactory(UserFactory, is_staff=True)


class DBTaskResultFactory(DjangoModelFactory):
    """A finished background job whose task function no longer exists (the admin copes with that)."""

    class Meta:
        model = DBTaskResult

    status = "SUCCESSFUL"
    args_kwargs = factory.LazyFunction(lambda: {"args": [], "kwargs": {}})
    task_path = "tasks.removed.print_certificates"
    backend_name = "default"
    run_after = factory.LazyFunction(timezone.now)
    started_at = factory.LazyFunction(timezone.now)
    finished_at = factory.LazyFunction(timezone.now)
    exception_class_path = ""
    traceback = ""


def next_register_number(issuer, year):
    with transaction.atomic():
        return take_register_numbers(issuer, year, 1)[0]


class CertificateFactory(DjangoModelFactory):
    """A valid certificate with what issuing copies onto it, but no stored PDF: stored_pdf() renders and
    stores one when it is first asked for. Real issuing is certificates.services.issue_certificates()."""

    class Meta:
        model = Certificate

    enrollment = factory.SubFactory(EnrollmentFactory, status=Enrollment.Status.COMPLETED, grade="good")
    issuer = factory.SubFactory(
        IssuerProfileFactory, organization=factory.SelfAttribute("..enrollment.course.organizer")
    )
    year = 2021
    # Taken from the issuer's register book, as issuing does, so that issuing later continues after it.
    number = factory.LazyAttribute(lambda o: next_register_number(o.issuer, o.year))
    register_number = factory.LazyAttribute(
        lambda o: format_register_number(o.number, o.year, o.issuer.register_suffix)
    )
    verification_code = factory.LazyFunction(new_verification_code)
    issued_on = factory.LazyAttribute(lambda o: datetime.date(o.year, 3, 15))
    holder_name = factory.SelfAttribute("enrollment.member.full_name")
    holder_birth_date = factory.SelfAttribute("enrollment.member.birth_date")
    holder_post = factory.SelfAttribute("enrollment.post")
    holder_organization = factory.SelfAttribute("enrollment.member.organization.name")
    program_name = factory.SelfAttribute("enrollment.course.program.name")
    course_title = factory.LazyAttribute(lambda o: o.enrollment.course.title)
    grade = factory.SelfAttribute("enrollment.grade")
    signer_title = factory.SelfAttribute("issuer.signer_title")
    signer_name = factory.SelfAttribute("issuer.signer_name")


def open_course(world, *, capacity=30, seats=None):
    """A class of the center (code 2030-K1-L1, the world's program) open for nomination for another week,
    starting in two; `seats` gives committees their quotas ({organization: seats})."""
    today = timezone.localdate()
    course = CourseFactory(
        code="2030-K1-L1",
        program=world.program,
        organizer=world.root,
        year=today.year,
        start_date=today + datetime.timedelta(days=14),
        end_date=today + datetime.timedelta(days=18),
        nomination_deadline=today + datetime.timedelta(days=7),
        capacity=capacity,
        status=Course.Status.OPEN,
    )
    for organization, count in (seats or {}).items():
        SeatQuotaFactory(course=course, organization=organization, seats=count)
    return course


class InspectionPlanFactory(DjangoModelFactory):
    class Meta:
        model = InspectionPlan
        django_get_or_create = ("year",)

    # Years far from the ones the tests' classes and certificates use; an inspection's plan is 2021's unless told.
    year = factory.Sequence(lambda n: 2100 - n % 60)


class InspectionFactory(DjangoModelFactory):
    class Meta:
        model = Inspection

    plan = factory.SubFactory(InspectionPlanFactory, year=2021)
    organization = factory.SubFactory(OrganizationFactory)
    start_date = factory.LazyAttribute(lambda o: datetime.date(o.plan.year, 5, 4))
    end_date = factory.LazyAttribute(lambda o: datetime.date(o.plan.year, 5, 8))
    topics = "Việc cử cán bộ đi bồi dưỡng và tự tổ chức lớp bồi dưỡng"


class FindingFactory(DjangoModelFactory):
    class Meta:
        model = Finding

    inspection = factory.SubFactory(InspectionFactory)
    text = factory.Sequence(lambda n: f"Phát hiện số {n}")


class CorrectionFactory(DjangoModelFactory):
    class Meta:
        model = Correction

    inspection = factory.SubFactory(InspectionFactory)
    organization = factory.SelfAttribute("inspection.organization")
    text = factory.Sequence(lambda n: f"Khắc phục nội dung số {n}")
    due_date = factory.LazyAttribute(lambda o: datetime.date(o.inspection.plan.year, 9, 30))


class CorrectionReportFactory(DjangoModelFactory):
    class Meta:
        model = CorrectionReport

    correction = factory.SubFactory(CorrectionFactory)
    text = factory.Sequence(lambda n: f"Đã khắc phục nội dung số {n}")
    reported_by = factory.SubFactory(UserFactory)
