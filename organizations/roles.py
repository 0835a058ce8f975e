"""The staff roles as permission groups: the center's staff, affiliated-committee officers and the Inspection
Committee's inspectors.

What each role may do is declared here once; which rows they see is decided by access.py.
"""

from django.contrib.auth.models import Group, Permission
from django.db.models import Q
from django.utils import translation

CENTER_STAFF = "Cán bộ Trung tâm"
OFFICER = "Cán bộ đảng ủy"
# The Inspection Committee's inspectors: an Officer record at the root plus this group (organizations/access.py).
INSPECTOR = "Ủy ban Kiểm tra"

# The inspection models: written by the inspectors (and reported on by the officers), only read by the center.
INSPECTION_MODELS = ["inspectionplan", "inspection", "finding", "correction", "correctionreport"]

PROJECT_APPS = ["organizations", "courses", "enrollments", "certificates", "oversight", "reports"]

# app_label.model -> actions, for officers of affiliated committees. Adding and changing classes, their sessions,
# attendance and certificates serve a committee the center authorized to run its own classes only: the predicates
# of permissions.py (may_run_own_classes, runs_own_class) decide per class, and an officer of another committee
# gets no add button and is refused by the services.
OFFICER_PERMISSIONS = {
    "organizations.organization": ["view"],
    "organizations.classauthorization": ["view"],
    "organizations.member": ["view", "add", "change"],
    "organizations.appointment": ["view", "add", "change"],
    "courses.program": ["view"],
    "courses.topic": ["view"],
    "courses.lecturer": ["view"],
    "courses.course": ["view", "add", "change"],
    "courses.session": ["view", "add", "change", "delete"],
    "enrollments.enrollment": ["view", "add", "change"],
    "enrollments.attendance": ["view", "change"],
    "enrollments.seatquota": ["view"],
    "certificates.certificate": ["view", "add"],
    "reports.reportjob": ["view"],
    # A committee reads its own inspections and reports on the corrections it is responsible for.
    "oversight.inspectionplan": ["view"],
    "oversight.inspection": ["view"],
    "oversight.finding": ["view"],
    "oversight.correction": ["view"],
    "oversight.correctionreport": ["view", "add"],
}

# Inspectors read what the center reads, and write the inspections only.
INSPECTOR_PERMISSIONS = {
    "organizations.organization": ["view"],
    "organizations.classauthorization": ["view"],
    "organizations.member": ["view"],
    "organizations.appointment": ["view"],
    "courses.program": ["view"],
    "courses.topic": ["view"],
    "courses.lecturer": ["view"],
    "courses.course": ["view"],
    "courses.session": ["view"],
    "enrollments.enrollment": ["view"],
    "enrollments.attendance": ["view"],
    "enrollments.seatquota": ["view"],
    "certificates.certificate": ["view"],
    "reports.reportjob": ["view"],
    "oversight.inspectionplan": ["view", "add", "change"],
    "oversight.inspection": ["view", "add", "change"],
    "oversight.finding": ["view", "add", "change", "delete"],
    "oversight.correction": ["view", "add", "change"],
    "oversight.correctionreport": ["view", "change"],
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
    inspection_writes = [f"{action}_{model}" for model in INSPECTION_MODELS for action in ("add", "change", "delete")]
    center.permissions.set(
        Permission.objects.filter(content_type__app_label__in=PROJECT_APPS).exclude(
            codename__in=["delete_officer", *inspection_writes]
        )
    )
    officer, _created = Group.objects.get_or_create(name=OFFICER)
    officer.permissions.set(_permissions(OFFICER_PERMISSIONS))
    inspector, _created = Group.objects.get_or_create(name=INSPECTOR)
    inspector.permissions.set(_permissions(INSPECTOR_PERMISSIONS))


# The four permissions Django makes for every model, as the group and user forms list them.
DEFAULT_ACTIONS = {"add": "Thêm", "change": "Sửa", "delete": "Xóa", "view": "Xem"}


def name_permissions_in_vietnamese(app_config, using="default", **kwargs):
    """Django names each model's four permissions "Can add <the model's untranslated name>" when it creates them
    at migrate, in English whatever the language; the group and user forms list them by that name. After every
    migrate they are renamed in Vietnamese ("Thêm nhóm", "Xem lớp bồi dưỡng"), like every other stored name. A
    permission of the project's own keeps the Vietnamese name its model declares."""
    renamed = []
    with translation.override("vi"):
        permissions = Permission.objects.using(using).filter(content_type__app_label=app_config.label)
        for permission in permissions.select_related("content_type"):
            model = permission.content_type.model_class()
            action, _separator, model_name = permission.codename.partition("_")
            if model is None or action not in DEFAULT_ACTIONS or model_name != permission.content_type.model:
                continue
            # simple_history names its models "historical <name>" in English, out of any catalog's reach.
            recorded = getattr(model, "instance_type", None)
            subject = f"lịch sử {recorded._meta.verbose_name}" if recorded else model._meta.verbose_name
            name = f"{DEFAULT_ACTIONS[action]} {subject}"[:255]
            if permission.name != name:
                permission.name = name
                renamed.append(permission)
    Permission.objects.using(using).bulk_update(renamed, ["name"])
