"""Every URL of the project, requested by every persona, answers as the declared table says.

The URL list is walked from the resolver, so a new page is requested automatically; a page with
no entry in EXPECTED fails until someone declares who may see it.
"""

import inspect
import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib import admin
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import transaction
from django.test import override_settings
from django.urls import URLResolver, get_resolver, reverse

from tests import factories
from tests.certificates.world import finish_print_jobs
from tests.conftest import PERSONAS, build_world
from tests.reports.world import finish_report_jobs

# -- Outcomes ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    status: int
    goes_to: str | None = None  # for redirects: where to, one of the names in assert_redirect()
    # Whether posting the page's own form may write what the page is for (tests/test_access_matrix_post.py):
    # false for a page the persona only reads.
    writes: bool = True

    def __str__(self):
        return f"{self.status} → {self.goes_to}" if self.goes_to else str(self.status)


OK = Outcome(200)
READ = Outcome(200, writes=False)
DENIED = Outcome(403)
NOT_FOUND = Outcome(404)
METHOD_NOT_ALLOWED = Outcome(405)
TO_LOGIN = Outcome(302, "admin login")
TO_PORTAL_LOGIN = Outcome(302, "portal login")
TO_ADMIN_INDEX = Outcome(302, "admin index")
TO_MY_COURSES = Outcome(302, "my courses")
TO_HOME = Outcome(302, "home")
TO_CHANGE_PAGE = Outcome(302, "change page")

OUT_OF_SCOPE = "officer_a_on_b"  # officer_a asking for the B-side object of an object page


def reading(profile):
    """The same profile for a page that is only read: whoever may see it writes nothing by posting to it."""
    return {persona: READ if outcome == OK else outcome for persona, outcome in profile.items()}


def read_only(outcome):
    return READ if outcome == OK else outcome


def page(*, center, officers, trainees=TO_LOGIN, anonymous=None, inspector=None):
    """A page without an object: what center staff, the inspector, both officers, both trainees and anonymous get
    (anonymous gets what trainees get unless told otherwise; the inspector gets what the center gets, read only,
    unless told otherwise: it reads the whole tree and changes nothing in it)."""
    return {
        "center_staff": center,
        "inspector": inspector or read_only(center),
        "officer_a": officers,
        "officer_b": officers,
        "trainee_x": trainees,
        "trainee_y": trainees,
        "anonymous": anonymous or trainees,
    }


def object_page(*, center, in_scope, out_of_scope, shared=False, inspector=None):
    """A page about one object. officer_a asks for the A-side object (in scope); officer_b asks for
    the same A-side object, which is out of its scope unless the object is shared (the catalog, the
    root's courses); officer_a also asks for the B-side object, which is out of its scope. The inspector asks
    for the A-side object."""
    return {
        **page(center=center, officers=in_scope, inspector=inspector),
        "officer_b": in_scope if shared else out_of_scope,
        OUT_OF_SCOPE: out_of_scope,
    }


# -- Profiles: the access policy in a few named shapes ------------------------------------------

# Outside the admin.
HOME = page(center=TO_ADMIN_INDEX, officers=TO_ADMIN_INDEX, trainees=TO_MY_COURSES)
PUBLIC = page(center=OK, officers=OK, trainees=OK)
PUBLIC_REDIRECT_HOME = page(center=TO_HOME, officers=TO_HOME, trainees=TO_HOME)
POST_ONLY = page(center=METHOD_NOT_ALLOWED, officers=METHOD_NOT_ALLOWED, trainees=METHOD_NOT_ALLOWED)
PORTAL_LOGIN = page(center=TO_MY_COURSES, officers=TO_MY_COURSES, trainees=TO_MY_COURSES, anonymous=OK)
SIGNED_IN = page(center=OK, officers=OK, trainees=OK, anonymous=TO_PORTAL_LOGIN)
# A course page of the portal, asked for a course only trainee_x attends; staff logins have no member.
OWN_COURSE = {
    **page(center=NOT_FOUND, officers=NOT_FOUND, trainees=NOT_FOUND, anonymous=TO_PORTAL_LOGIN),
    "trainee_x": OK,
}
# The export of one's own data: every trainee gets their own; a staff login has no member record to export.
OWN_DATA = page(center=NOT_FOUND, officers=NOT_FOUND, trainees=OK, anonymous=TO_PORTAL_LOGIN)

# The admin.
ADMIN_LOGIN = page(center=TO_ADMIN_INDEX, officers=TO_ADMIN_INDEX, trainees=OK)
# Logging out takes a POST; a visitor who is not signed in to the admin is sent to its front door.
ADMIN_LOGOUT = page(center=METHOD_NOT_ALLOWED, officers=METHOD_NOT_ALLOWED, trainees=TO_ADMIN_INDEX)
STAFF_ONLY = page(center=OK, officers=OK)
# What both the center and the committees change (members, posts, nominations, imports): the inspector only reads.
KEPT_BY_STAFF = page(center=OK, officers=OK, inspector=DENIED)
CENTER_ONLY = page(center=OK, officers=DENIED, inspector=DENIED)
# A page of the center's that the inspector reads too.
READ_BY_CENTER_AND_INSPECTOR = page(center=OK, officers=DENIED, inspector=READ)
# User accounts and groups are the superuser's: neither role has permissions on them.
SUPERUSER_ONLY = page(center=DENIED, officers=DENIED)
NO_SUCH_PAGE = page(center=NOT_FOUND, officers=NOT_FOUND)
# An import's pages check the right to import before they look the upload up: the inspector has none.
NO_IMPORT_PAGE = page(center=NOT_FOUND, officers=NOT_FOUND, inspector=DENIED)

SCOPED_TO_SUBTREE = object_page(center=OK, in_scope=OK, out_of_scope=NOT_FOUND)
SCOPED_CENTER_ONLY = object_page(center=OK, in_scope=DENIED, out_of_scope=NOT_FOUND, inspector=DENIED)
SCOPED_NO_ROLE = object_page(center=DENIED, in_scope=DENIED, out_of_scope=NOT_FOUND)
SHARED = object_page(center=OK, in_scope=OK, out_of_scope=NOT_FOUND, shared=True)
SHARED_CENTER_ONLY = object_page(center=OK, in_scope=DENIED, out_of_scope=NOT_FOUND, shared=True, inspector=DENIED)
# What a committee changes in its own sub-tree and the center everywhere: the inspector only reads it.
SCOPED_TO_SUBTREE_READ_BY_INSPECTOR = object_page(center=OK, in_scope=OK, out_of_scope=NOT_FOUND, inspector=READ)
# Kept by the center and read by officers: their own sub-tree's (the tree, quotas, attendance) or shared (the
# catalog and the courses).
SCOPED_READ_BY_OFFICERS = object_page(center=OK, in_scope=READ, out_of_scope=NOT_FOUND)
SHARED_READ_BY_OFFICERS = object_page(center=OK, in_scope=READ, out_of_scope=NOT_FOUND, shared=True)
# The Inspection Committee's own pages.
INSPECTOR_ONLY = page(center=DENIED, officers=DENIED, inspector=OK)
SCOPED_INSPECTOR_ONLY = object_page(center=DENIED, in_scope=DENIED, out_of_scope=NOT_FOUND, inspector=OK)
# A past version of a recorded model is read by whoever reads the record, and reverted by nobody
# (common.admin.ReadOnlyHistoryAdmin).
PAST_VERSION = reading(SCOPED_TO_SUBTREE)
SUPERUSER_ONLY_OBJECT = object_page(center=DENIED, in_scope=DENIED, out_of_scope=DENIED, shared=True)
NOBODY_OBJECT = object_page(center=DENIED, in_scope=DENIED, out_of_scope=DENIED, shared=True)
# "<id>/" is an alias of "<id>/change/": it redirects without looking the object up.
OBJECT_ALIAS = object_page(center=TO_CHANGE_PAGE, in_scope=TO_CHANGE_PAGE, out_of_scope=TO_CHANGE_PAGE)
# No model has a public page, so "view on site" finds nothing, in scope or not.
NO_PUBLIC_PAGE = object_page(center=NOT_FOUND, in_scope=NOT_FOUND, out_of_scope=NOT_FOUND)


def model_pages(label, *, changelist, add, change, delete):
    """The five pages the admin makes for a model; history is read by whoever reads the change page."""
    app_label, model_name = label.split(".")
    name = f"admin:{app_label}_{model_name}"
    return {
        f"{name}_changelist": changelist,
        f"{name}_add": add,
        f"{name}_change": change,
        f"{name}_history": reading(change),
        f"{name}_delete": delete,
        f"admin/{app_label}/{model_name}/<path:object_id>/": OBJECT_ALIAS,
    }


EXPECTED = {
    "home": HOME,
    "set_language": PUBLIC_REDIRECT_HOME,
    "login": PORTAL_LOGIN,
    "logout": POST_ONLY,
    "password-reset": PUBLIC,
    "password-reset-done": PUBLIC,
    "password-reset-confirm": PUBLIC,
    "password-reset-complete": PUBLIC,
    "portal:course-list": SIGNED_IN,
    "portal:course-detail": OWN_COURSE,
    "portal:course-evaluation": OWN_COURSE,
    # The trainee's own certificate PDF (trainee_x holds a valid one of course_a).
    "portal:course-certificate": OWN_COURSE,
    "portal:my-data-pdf": OWN_DATA,
    "portal:my-data-xlsx": OWN_DATA,
    # A trainee changes their own password; staff logins, without a member record, change theirs in the admin.
    "portal:password-change": OWN_DATA,
    # Anyone checks a certificate by its code.
    "certificates:verify": PUBLIC,
    "certificates:verify-detail": PUBLIC,
    # Load balancers and monitoring ask whether the service is up; it names no record.
    "health": PUBLIC,
    "health-ready": PUBLIC,
    # Reports: every staff scope reads its own sub-tree's figures; a report job is its requester's (and the center's).
    "admin:app_list[reports]": STAFF_ONLY,
    "reports:dashboard": STAFF_ONLY,
    # Compliance (oversight): the same staff scopes read their sub-tree's post holders and due dates; the list's
    # export is a report job started by a POST (tests/reports/test_views.py posts it).
    "oversight:compliance": STAFF_ONLY,
    "reports:missing-list": page(center=METHOD_NOT_ALLOWED, officers=METHOD_NOT_ALLOWED),
    "reports:year-report": STAFF_ONLY,
    **model_pages(
        "reports.reportjob",
        changelist=STAFF_ONLY,
        add=SUPERUSER_ONLY,
        change=reading(SCOPED_TO_SUBTREE),
        delete=SCOPED_NO_ROLE,
    ),
    "admin:reports_reportjob_download": reading(SCOPED_TO_SUBTREE),
    "admin:index": STAFF_ONLY,
    "admin:login": ADMIN_LOGIN,
    "admin:logout": ADMIN_LOGOUT,
    "admin:password_change": STAFF_ONLY,
    "admin:password_change_done": STAFF_ONLY,
    "admin:autocomplete": STAFF_ONLY,
    "admin:jsi18n": STAFF_ONLY,
    "admin:view_on_site": NO_PUBLIC_PAGE,
    "admin:app_list[organizations]": STAFF_ONLY,
    "admin:app_list[courses]": STAFF_ONLY,
    "admin:app_list[enrollments]": STAFF_ONLY,
    "admin:app_list[certificates]": STAFF_ONLY,
    "admin:app_list[oversight]": STAFF_ONLY,
    "admin:app_list[auth]": NO_SUCH_PAGE,
    "admin:app_list[django_tasks_database]": NO_SUCH_PAGE,
    "admin/(?P<url>.*)$": NO_SUCH_PAGE,
    # Officers read the tree; only the center adds nodes, and nobody deletes one.
    **model_pages(
        "organizations.organization",
        changelist=STAFF_ONLY,
        add=CENTER_ONLY,
        change=SCOPED_READ_BY_OFFICERS,
        delete=SCOPED_NO_ROLE,
    ),
    # Officers keep their sub-tree's members and posts; deleting is the center's.
    **model_pages(
        "organizations.member",
        changelist=STAFF_ONLY,
        add=KEPT_BY_STAFF,
        change=SCOPED_TO_SUBTREE,
        delete=SCOPED_CENTER_ONLY,
    ),
    "admin:organizations_member_simple_history": PAST_VERSION,
    # A member's training record for a personnel file: read by whoever reads the member's page.
    "admin:organizations_member_training_record_pdf": reading(SCOPED_TO_SUBTREE),
    "admin:organizations_member_training_record_xlsx": reading(SCOPED_TO_SUBTREE),
    # The member and organization pickers' own answers (birth date, where in the tree): as the site's autocomplete.
    "admin:organizations_member_autocomplete": reading(STAFF_ONLY),
    "admin:organizations_organization_autocomplete": reading(STAFF_ONLY),
    **model_pages(
        "organizations.appointment",
        changelist=STAFF_ONLY,
        add=KEPT_BY_STAFF,
        change=SCOPED_TO_SUBTREE,
        delete=SCOPED_CENTER_ONLY,
    ),
    "admin:organizations_appointment_simple_history": PAST_VERSION,
    # Excel imports: staff who keep members (both roles) upload and download the template; an upload is
    # shown only to whoever uploaded it, and the matrix asks for a code no upload has.
    "admin:organizations_organization_import": KEPT_BY_STAFF,
    "admin:organizations_organization_import_template": reading(KEPT_BY_STAFF),
    "admin:organizations_organization_import_preview": NO_IMPORT_PAGE,
    "admin:organizations_organization_import_report": NO_IMPORT_PAGE,
    # The log of reads of personal data is read by the center (organizations.view_accesslog); nobody adds, changes
    # or deletes a row, the superuser included.
    **model_pages(
        "organizations.accesslog",
        changelist=CENTER_ONLY,
        add=page(center=DENIED, officers=DENIED),
        change=SHARED_CENTER_ONLY,
        delete=NOBODY_OBJECT,
    ),
    # Locked-out logins are listed and unlocked by the center only (organizations.permissions.may_unlock_logins);
    # a row comes from failed logins, never from the admin, and leaves by the unlock action.
    **model_pages(
        "organizations.lockedoutlogin",
        changelist=CENTER_ONLY,
        add=page(center=DENIED, officers=DENIED),
        change=reading(SHARED_CENTER_ONLY),
        delete=NOBODY_OBJECT,
    ),
    # The bloc's terms are the center's data: officers neither read nor change them.
    **model_pages(
        "organizations.term",
        changelist=CENTER_ONLY,
        add=CENTER_ONLY,
        change=SHARED_CENTER_ONLY,
        delete=SHARED_CENTER_ONLY,
    ),
    # The center authorizes a committee to run its own classes; the committee reads its own decisions, nobody
    # deletes one (it is revoked from a date).
    **model_pages(
        "organizations.classauthorization",
        changelist=STAFF_ONLY,
        add=CENTER_ONLY,
        change=SCOPED_READ_BY_OFFICERS,
        delete=SCOPED_NO_ROLE,
    ),
    "admin:organizations_classauthorization_simple_history": reading(SCOPED_READ_BY_OFFICERS),
    # Who is an officer is the center's business; an officer record is never deleted from the admin.
    **model_pages(
        "organizations.officer",
        changelist=CENTER_ONLY,
        add=CENTER_ONLY,
        change=SCOPED_CENTER_ONLY,
        delete=SCOPED_NO_ROLE,
    ),
    # The catalog is the center's, read by every officer.
    **model_pages(
        "courses.program",
        changelist=STAFF_ONLY,
        add=CENTER_ONLY,
        change=SHARED_READ_BY_OFFICERS,
        delete=SHARED_CENTER_ONLY,
    ),
    **model_pages(
        "courses.topic",
        changelist=STAFF_ONLY,
        add=CENTER_ONLY,
        change=SHARED_READ_BY_OFFICERS,
        delete=SHARED_CENTER_ONLY,
    ),
    **model_pages(
        "courses.lecturer",
        changelist=STAFF_ONLY,
        add=CENTER_ONLY,
        change=SHARED_READ_BY_OFFICERS,
        delete=SHARED_CENTER_ONLY,
    ),
    # The root's courses are every committee's; a committee's own courses are not its sibling's.
    # The inspector may run the course list's one reading action, the yearly workbook.
    **model_pages(
        "courses.course",
        changelist=page(center=OK, officers=OK, inspector=OK),
        add=CENTER_ONLY,
        change=SHARED_READ_BY_OFFICERS,
        delete=SHARED_CENTER_ONLY,
    ),
    **model_pages(
        "courses.session",
        changelist=STAFF_ONLY,
        add=CENTER_ONLY,
        change=SHARED_READ_BY_OFFICERS,
        delete=SHARED_CENTER_ONLY,
    ),
    # Officers nominate and withdraw trainees of their sub-tree; attendance is taken by the center.
    **model_pages(
        "enrollments.enrollment",
        changelist=STAFF_ONLY,
        add=KEPT_BY_STAFF,
        change=SCOPED_TO_SUBTREE,
        delete=SCOPED_CENTER_ONLY,
    ),
    "admin:enrollments_enrollment_simple_history": PAST_VERSION,
    # Withdrawing a trainee is the nominating side's; overriding a result is the center's.
    "admin:enrollments_enrollment_withdraw": object_page(
        center=OK, in_scope=OK, out_of_scope=NOT_FOUND, inspector=DENIED
    ),
    "admin:enrollments_enrollment_override": SCOPED_CENTER_ONLY,
    # Importing a nomination list from Excel: as for the tree's import above.
    "admin:enrollments_enrollment_import": KEPT_BY_STAFF,
    "admin:enrollments_enrollment_import_template": reading(KEPT_BY_STAFF),
    "admin:enrollments_enrollment_import_preview": NO_IMPORT_PAGE,
    "admin:enrollments_enrollment_import_report": NO_IMPORT_PAGE,
    # Every officer reads a shared course's nominations (its own committee's rows); the center closes it.
    "admin:courses_course_nominations": reading(SHARED),
    "admin:courses_course_close": SHARED_CENTER_ONLY,
    # Issuing a closed class's certificates from its page (a preview first) is the center's, as the action is.
    "admin:courses_course_issue": SHARED_CENTER_ONLY,
    # The other transitions of courses.lifecycle are the center's too; a course's past versions are read by whoever
    # reads the course, and reverted by nobody.
    "admin:courses_course_open": SHARED_CENTER_ONLY,
    "admin:courses_course_reopen": SHARED_CENTER_ONLY,
    "admin:courses_course_cancel": SHARED_CENTER_ONLY,
    "admin:courses_course_simple_history": reading(SHARED_READ_BY_OFFICERS),
    # The self-run classes with their quality indicators: every staff scope its own; accepting a class short of
    # the requirements is the center's.
    "admin:courses_course_self_run": reading(STAFF_ONLY),
    "admin:courses_course_accept": SHARED_CENTER_ONLY,
    # Running a class: every officer reads a shared course's attendance matrix (its own trainees' rows);
    # attendance and scores are entered by the organizer's side only; evaluation averages are the center's.
    "admin:courses_course_attendance": reading(SHARED),
    "admin:courses_course_scores": SHARED_CENTER_ONLY,
    "admin:courses_course_evaluations": reading(SHARED_CENTER_ONLY),
    "admin:courses_session_attendance": SHARED_CENTER_ONLY,
    "admin:courses_lecturer_evaluations": reading(SHARED_CENTER_ONLY),
    # Seat quotas are set by the center and read by the committees they are set for.
    **model_pages(
        "enrollments.seatquota",
        changelist=STAFF_ONLY,
        add=CENTER_ONLY,
        change=SCOPED_READ_BY_OFFICERS,
        delete=SCOPED_CENTER_ONLY,
    ),
    **model_pages(
        "enrollments.attendance",
        changelist=STAFF_ONLY,
        add=CENTER_ONLY,
        change=SCOPED_READ_BY_OFFICERS,
        delete=SCOPED_CENTER_ONLY,
    ),
    "admin:enrollments_attendance_simple_history": PAST_VERSION,
    # Evaluations are read by the center only, and nobody adds, changes or deletes one.
    **model_pages(
        "enrollments.evaluation",
        changelist=CENTER_ONLY,
        add=page(center=DENIED, officers=DENIED),
        change=reading(SCOPED_CENTER_ONLY),
        delete=SCOPED_NO_ROLE,
    ),
    **model_pages(
        "auth.user",
        changelist=SUPERUSER_ONLY,
        add=SUPERUSER_ONLY,
        change=SUPERUSER_ONLY_OBJECT,
        delete=SUPERUSER_ONLY_OBJECT,
    ),
    "admin:auth_user_password_change": SUPERUSER_ONLY_OBJECT,
    **model_pages(
        "auth.group",
        changelist=SUPERUSER_ONLY,
        add=SUPERUSER_ONLY,
        change=SUPERUSER_ONLY_OBJECT,
        delete=SUPERUSER_ONLY_OBJECT,
    ),
    # Certificates come from issuing only and are never deleted; officers read their sub-tree's, and the
    # center revokes and reissues.
    **model_pages(
        "certificates.certificate",
        changelist=STAFF_ONLY,
        add=page(center=DENIED, officers=DENIED),
        change=reading(SCOPED_TO_SUBTREE),
        delete=SCOPED_NO_ROLE,
    ),
    "admin:certificates_certificate_simple_history": PAST_VERSION,
    "admin:certificates_certificate_pdf": reading(SCOPED_TO_SUBTREE),
    "admin:certificates_certificate_revoke": SCOPED_CENTER_ONLY,
    "admin:certificates_certificate_reissue": SCOPED_CENTER_ONLY,
    # What an organizer prints on its certificates is kept by the center; its register books outlive it.
    **model_pages(
        "certificates.issuerprofile",
        changelist=CENTER_ONLY,
        add=CENTER_ONLY,
        change=SCOPED_CENTER_ONLY,
        delete=SCOPED_NO_ROLE,
    ),
    # Batch printing is the center's; a print job is made by the course actions and kept as a record.
    **model_pages(
        "certificates.printjob",
        changelist=CENTER_ONLY,
        add=page(center=DENIED, officers=DENIED),
        change=reading(SCOPED_CENTER_ONLY),
        delete=SCOPED_NO_ROLE,
    ),
    "admin:certificates_printjob_download": reading(SCOPED_CENTER_ONLY),
    # Inspections are the Inspection Committee's: its inspectors plan, open and conclude them and judge the reported
    # corrections; the center reads them; a committee's officers read their own and report on their corrections.
    **model_pages(
        "oversight.inspectionplan",
        changelist=STAFF_ONLY,
        add=INSPECTOR_ONLY,
        change=object_page(center=READ, in_scope=READ, out_of_scope=NOT_FOUND, shared=True, inspector=OK),
        delete=NOBODY_OBJECT,
    ),
    "admin:oversight_inspectionplan_simple_history": reading(SHARED),
    **model_pages(
        "oversight.inspection",
        changelist=STAFF_ONLY,
        add=INSPECTOR_ONLY,
        change=object_page(center=READ, in_scope=READ, out_of_scope=NOT_FOUND, inspector=OK),
        delete=SCOPED_NO_ROLE,
    ),
    "admin:oversight_inspection_simple_history": PAST_VERSION,
    "admin:oversight_inspection_open": SCOPED_INSPECTOR_ONLY,
    "admin:oversight_inspection_conclude": SCOPED_INSPECTOR_ONLY,
    **model_pages(
        "oversight.correction",
        changelist=STAFF_ONLY,
        add=page(center=DENIED, officers=DENIED),
        change=reading(SCOPED_TO_SUBTREE),
        delete=SCOPED_NO_ROLE,
    ),
    "admin:oversight_correction_simple_history": PAST_VERSION,
    # The responsible committee reports; the team (the inspector) judges.
    "admin:oversight_correction_report": object_page(
        center=DENIED, in_scope=OK, out_of_scope=NOT_FOUND, inspector=DENIED
    ),
    "admin:oversight_correction_judge": SCOPED_INSPECTOR_ONLY,
    **model_pages(
        "oversight.correctionreport",
        changelist=STAFF_ONLY,
        add=page(center=DENIED, officers=DENIED),
        change=reading(SCOPED_TO_SUBTREE),
        delete=SCOPED_NO_ROLE,
    ),
    "admin:oversight_correctionreport_attachment": reading(SCOPED_TO_SUBTREE),
    "admin:oversight_inspection_report": reading(SCOPED_TO_SUBTREE),
    # Background task results are the superuser's; staff follow their jobs on the pages that start them.
    **model_pages(
        "django_tasks_database.dbtaskresult",
        changelist=SUPERUSER_ONLY,
        add=SUPERUSER_ONLY,
        change=SUPERUSER_ONLY_OBJECT,
        delete=SUPERUSER_ONLY_OBJECT,
    ),
}

# The changelist actions besides deleting the selection (which is the delete page's right, declared above), as
# pages about the one selected object: A's (or the shared one), and B's for officer_a.
ACTIONS = {
    "courses.course": {
        # Activation links and account sheets create the trainees' missing logins: the center's, as running the
        # class is; closing, issuing and printing too.
        "send_activation_links": SHARED_CENTER_ONLY,
        "print_account_sheet": SHARED_CENTER_ONLY,
        "close_courses": SHARED_CENTER_ONLY,
        "issue_certificates": SHARED_CENTER_ONLY,
        "print_certificates": SHARED_CENTER_ONLY,
        "zip_certificates": SHARED_CENTER_ONLY,
        # Every staff scope exports its own sub-tree's yearly workbook.
        "export_year_report": object_page(center=OK, in_scope=OK, out_of_scope=NOT_FOUND, shared=True, inspector=OK),
    },
    "certificates.certificate": {"revoke_certificates": SCOPED_CENTER_ONLY},
    "organizations.lockedoutlogin": {"unlock_selected": SHARED_CENTER_ONLY},
}

# The objects object pages are asked about, as attributes of the `world` fixture: one in committee
# A's sub-tree (any one for what every officer shares) and, where the model is scoped, one of B's.
OBJECTS = {
    "organizations.organization": ("committee_a", "committee_b"),
    "organizations.member": ("member_x", "member_y"),
    "organizations.appointment": ("appointment_a", "appointment_b"),
    "organizations.officer": ("officer_record_a", "officer_record_b"),
    "organizations.classauthorization": ("authorization_a", "authorization_b"),
    "organizations.accesslog": ("access_log", None),
    "organizations.term": ("term", None),
    "organizations.lockedoutlogin": ("locked_out_login", None),
    "courses.program": ("program", None),
    "courses.topic": ("topic", None),
    "courses.lecturer": ("lecturer", None),
    "courses.course": ("root_course", "course_b"),
    "courses.session": ("root_session", "session_b"),
    "enrollments.enrollment": ("enrollment_x", "enrollment_y"),
    "enrollments.attendance": ("attendance_x", "attendance_y"),
    "enrollments.seatquota": ("quota_a", "quota_b"),
    "enrollments.evaluation": ("evaluation_x", "evaluation_y"),
    "auth.user": ("trainee_x", None),
    "auth.group": ("officer_group", None),
    "django_tasks_database.dbtaskresult": ("task_result", None),
    "certificates.certificate": ("certificate_a", "certificate_b"),
    "certificates.issuerprofile": ("issuer_a", "issuer_b"),
    "certificates.printjob": ("print_job_a", "print_job_b"),
    "reports.reportjob": ("report_job_a", "report_job_b"),
    "oversight.inspectionplan": ("inspection_plan", None),
    "oversight.inspection": ("inspection_a", "inspection_b"),
    "oversight.correction": ("correction_a", "correction_b"),
    "oversight.correctionreport": ("correction_report_a", "correction_report_b"),
}
# Site-wide object pages (view on site) are asked about a member.
SITE_WIDE_OBJECT_MODEL = "organizations.member"
OBJECT_PARAMETERS = {"object_id", "id", "version_id", "content_type_id"}
QUERY_STRINGS = {
    "admin:autocomplete": "?app_label=organizations&model_name=appointment&field_name=member&term=h",
    "admin:organizations_member_autocomplete": "?app_label=enrollments&model_name=enrollment&field_name=member&term=h",
    "admin:organizations_organization_autocomplete": (
        "?app_label=organizations&model_name=member&field_name=organization"
    ),
}
NO_SUCH_PAGE_PATH = "khong-co-trang-nay/"
# A one-time password link that is not valid: the page says so.
INVALID_PASSWORD_LINK = {"uidb64": "MTIzNDU2", "token": "set-password"}


# -- Walking the URL patterns --------------------------------------------------------------------

_GROUP = re.compile(r"\((?:\?P<(?P<name>\w+)>)?(?P<body>[^()]*)\)")
_CONVERTER = re.compile(r"<(?:\w+:)?(?P<name>\w+)>")
_WORDS = re.compile(r"\w+(\|\w+)+")


@dataclass(frozen=True)
class Endpoint:
    """One URL pattern, with what it takes to build a concrete URL for it."""

    key: str
    parts: tuple  # str() of each pattern from the root down
    callback: object
    model_label: str | None
    choice: str | None = None  # the word picked for a group that is a list of words

    def parameters(self):
        names = []
        positional = 0
        for part in self.parts:
            for match in _GROUP.finditer(part):
                if match["name"]:
                    names.append(match["name"])
                else:
                    positional += 1
            names += _CONVERTER.findall(_GROUP.sub("", part))
        if positional:
            view_arguments = list(inspect.signature(self.callback).parameters)[1:]
            names += view_arguments[:positional]
        return names

    @property
    def is_object_page(self):
        return bool(OBJECT_PARAMETERS & set(self.parameters()))

    @property
    def object_model_label(self):
        return self.model_label or SITE_WIDE_OBJECT_MODEL

    def has_b_side(self):
        return self.is_object_page and OBJECTS.get(self.object_model_label, (None, None))[1] is not None

    def build(self, values):
        """The concrete path, with each parameter replaced by values[name]."""
        view_arguments = iter(list(inspect.signature(self.callback).parameters)[1:])
        url = ""
        for part in self.parts:

            def group_value(match):
                if _WORDS.fullmatch(match["body"]):
                    return self.choice
                return str(values[match["name"] or next(view_arguments)])

            part = _GROUP.sub(group_value, part).lstrip("^").rstrip("$")
            part = _CONVERTER.sub(lambda m: str(values[m["name"]]), part)
            assert "(" not in part and "<" not in part, f"cannot build a URL for pattern {self.parts}"
            url += part
        return "/" + url


def model_labels_by_prefix():
    return {
        f"{model._meta.app_label}/{model._meta.model_name}/": model._meta.label_lower for model in admin.site._registry
    }


def endpoints(urlconf=None):
    """Every URL pattern of the urlconf, recursively, one Endpoint per concrete variant."""
    models = model_labels_by_prefix()

    def walk(patterns, parts, namespace, model_label):
        for pattern in patterns:
            route = str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                label = models.get(route, model_label) if inner == "admin:" else model_label
                yield from walk(pattern.url_patterns, (*parts, route), inner, label)
                continue
            all_parts = (*parts, route)
            key = f"{namespace}{pattern.name}" if pattern.name else "".join(all_parts)
            endpoint = Endpoint(key, all_parts, pattern.callback, model_label)
            words = [m["body"] for m in _GROUP.finditer(route) if _WORDS.fullmatch(m["body"])]
            if words:
                for word in words[0].split("|"):
                    yield Endpoint(f"{key}[{word}]", all_parts, pattern.callback, model_label, word)
            else:
                yield endpoint

    return list(walk(get_resolver(urlconf).url_patterns, (), "", None))


def undeclared(found):
    return sorted({endpoint.key for endpoint in found} - EXPECTED.keys())


def cases():
    for endpoint in endpoints():
        for persona in PERSONAS:
            yield pytest.param(endpoint, persona, "a", id=f"{endpoint.key}-{persona}")
        if endpoint.has_b_side():
            yield pytest.param(endpoint, "officer_a", "b", id=f"{endpoint.key}-{OUT_OF_SCOPE}")


# -- The tests -----------------------------------------------------------------------------------


def concrete_url(endpoint, world, side, version=None):
    """The URL of the endpoint for the side's object; a history version page shows `version(obj)`, by default
    the latest."""
    values = {
        "url": NO_SUCH_PAGE_PATH,
        "code": world.course_a.code,
        "verification_code": world.certificate_a.verification_code,
        **INVALID_PASSWORD_LINK,
    }
    if endpoint.is_object_page:
        label = endpoint.object_model_label
        assert label in OBJECTS, f"no object declared in OBJECTS for the pages of {label}"
        obj = getattr(world, OBJECTS[label][0 if side == "a" else 1])
        values["object_id"] = values["id"] = obj.pk
        values["content_type_id"] = ContentType.objects.get_for_model(obj).pk
        if "version_id" in endpoint.parameters():
            values["version_id"] = (version or latest_version)(obj).history_id
    return endpoint.build(values) + QUERY_STRINGS.get(endpoint.key, "")


def latest_version(obj):
    return obj.history.latest("history_date")


def assert_redirect(response, outcome, url):
    location = response["Location"]
    if outcome.goes_to in ("admin login", "portal login"):
        login = reverse("admin:login" if outcome.goes_to == "admin login" else "login")
        parts = urlsplit(location)
        assert parts.path == login, f"redirected to {location}, not to the {outcome.goes_to} page"
        assert parse_qs(parts.query)["next"] == [url], f"login redirect does not come back to {url}"
    elif outcome.goes_to == "admin index":
        assert location == reverse("admin:index")
    elif outcome.goes_to == "my courses":
        assert location == reverse("portal:course-list")
    elif outcome.goes_to == "home":
        assert location == reverse("home")
    elif outcome.goes_to == "change page":
        assert location == url + "change/"
    else:
        raise AssertionError(f"unknown redirect target {outcome.goes_to!r}")


def with_locked_out_login(world):
    """The world with trainee_y's login locked out from one address, as five failed logins leave it."""
    world.locked_out_login = factories.LockedOutLoginFactory(username=world.trainee_y.username)
    return world


def matrix_world():
    """The world every URL pattern can be made concrete in (concrete_url): its print and report jobs finished, a
    login locked out. The tests that walk every page build this one."""
    return with_locked_out_login(finish_report_jobs(finish_print_jobs(build_world())))


@pytest.fixture(scope="module")
def shared_world(django_db_setup, django_db_blocker, tmp_path_factory):
    """One world for the whole matrix, which only reads: each test runs in a savepoint inside it. Its
    certificate PDFs are stored in a temporary folder, and the verification pages start with fresh
    rate-limit counters. Its class has two evaluation forms: the matrix asks who may read them, so any
    number of forms is enough (the minimum has its own tests)."""
    cache.clear()
    with (
        override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media"), EVALUATION_MIN_FORMS=1),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        yield matrix_world()
        transaction.set_rollback(True)


@pytest.mark.parametrize(("endpoint", "persona_name", "side"), cases())
def test_url_answers_each_persona_as_declared(endpoint, persona_name, side, shared_world, db, client_for):
    """Each persona gets the declared status for each URL (and redirects go where declared)."""
    if endpoint.key not in EXPECTED:
        pytest.fail(
            f"URL pattern {endpoint.key!r} ({''.join(endpoint.parts)}) has no entry in EXPECTED: "
            "declare who may see it in tests/test_access_matrix.py"
        )
    expected = EXPECTED[endpoint.key][OUT_OF_SCOPE if side == "b" else persona_name]
    url = concrete_url(endpoint, shared_world, side)
    user = AnonymousUser() if persona_name == "anonymous" else getattr(shared_world, persona_name)
    response = client_for(user).get(url)
    assert response.status_code == expected.status, (
        f"{persona_name} GET {url}: {response.status_code}, expected {expected}"
    )
    if expected.goes_to:
        assert_redirect(response, expected, url)


def test_every_url_pattern_has_a_declared_outcome():
    """The table covers every pattern the resolver knows, and names no pattern that is gone."""
    found = endpoints()
    assert undeclared(found) == []
    assert sorted(EXPECTED.keys() - {endpoint.key for endpoint in found}) == []


def test_every_object_page_model_has_objects_to_ask_for():
    """Each model with object pages names its A-side object (and B-side where it is scoped)."""
    labels = {endpoint.object_model_label for endpoint in endpoints() if endpoint.is_object_page}
    assert sorted(labels - OBJECTS.keys()) == []


def test_a_new_pattern_without_an_entry_is_reported(settings, monkeypatch):
    """The guard itself: a pattern appended to the urlconf, even inside an include, is named."""
    import sys
    import types

    from django.http import HttpResponse
    from django.urls import include, path

    import config.urls

    def yearly_workbook(request):
        return HttpResponse()

    urlconf = types.ModuleType("tests_urlconf_with_a_new_page")
    urlconf.urlpatterns = [
        *config.urls.urlpatterns,
        path("reports/", include(([path("yearly/", yearly_workbook, name="yearly-workbook")], "reports"))),
    ]
    already_undeclared = undeclared(endpoints())
    monkeypatch.setitem(sys.modules, urlconf.__name__, urlconf)
    settings.ROOT_URLCONF = urlconf.__name__

    assert undeclared(endpoints()) == sorted([*already_undeclared, "reports:yearly-workbook"])
