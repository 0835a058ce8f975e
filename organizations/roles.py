"""The two staff roles as permission groups: the center's staff and affiliated-committee officers.

What each role may do is declared here once; which rows they see is decided by access.py.
"""

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

CENTER_STAFF = "Cán bộ Trung tâm"
OFFICER = "Cán bộ đảng ủy"

PROJECT_APPS = ["organizations", "courses", "enrollments", "certificates", "reports"]

# app_label.model -> actions, for officers of affiliated committees.
OFFICER_PERMISSIONS = {
    "organizations.organization": ["view"],
    "organizations.member": ["view", "add", "change"],
    "organizations.appointment": ["view", "add", "change"],
    "courses.program": ["view"],
    "courses.topic": ["view"],
    "courses.lecturer": ["view"],
    "courses.course": ["view"],
    "courses.session": ["view"],
    "enrollments.enrollment": ["view", "add", "change"],
    "enrollments.attendance": ["view"],
    "enrollments.seatquota": ["view"],
    "certificates.certificate": ["view"],
    "reports.reportjob": ["view"],
}


def _permissions(spec):
    query = Q(pk__in=[])
    for model_label, actions in spec.items():
        app_label, model = model_label.split(".")
        codenames = [f"{action}_{model}" for action in actions]
        query |= Q(content_type__app_label=app_label, codename__in=codenames)
    return Permission.objects.filter(query)


def sync_role_groups(**kwargs):
    """Create or update the role groups after every migrate, so new models get their rights.

    The center's group holds every permission of the project's apps, organizations.view_accesslog (reading the
    access log of personal data) among them; the officers' list above leaves it out."""
    center, _created = Group.objects.get_or_create(name=CENTER_STAFF)
    center.permissions.set(
        Permission.objects.filter(content_type__app_label__in=PROJECT_APPS).exclude(codename__in=["delete_officer"])
    )
    officer, _created = Group.objects.get_or_create(name=OFFICER)
    officer.permissions.set(_permissions(OFFICER_PERMISSIONS))
