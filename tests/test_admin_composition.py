"""Each model admin is registered once: the course, session, lecturer and member admins are composed in
backoffice/admin.py from what the apps contribute, and no app unregisters another's admin."""

import ast

import pytest
from django.conf import settings
from django.contrib import admin

from courses.models import Course, Lecturer, Session
from organizations.models import Member

COMPOSED = {"Course", "Session", "Lecturer", "Member"}
SKIPPED = {".venv", ".git", "tests", "node_modules", "media", "staticfiles", "static"}


def project_modules():
    for path in sorted(settings.BASE_DIR.rglob("*.py")):
        relative = path.relative_to(settings.BASE_DIR)
        if SKIPPED.isdisjoint(relative.parts):
            yield relative.as_posix(), ast.parse(path.read_text(encoding="utf-8"))


def named(node):
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def registrations(tree):
    """The model names given to admin.site.register(...) and @admin.register(...) in a module."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and named(node.func) == "register":
            first = node.args[0] if node.args else None
            models = first.elts if isinstance(first, ast.List | ast.Tuple) else node.args[:1]
            yield from filter(None, map(named, models))


def test_no_module_unregisters_an_admin():
    callers = [
        module
        for module, tree in project_modules()
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and named(node.func) == "unregister"
    ]
    assert callers == []


def test_course_session_and_lecturer_are_registered_only_by_the_composing_module():
    registering = {
        (module, model) for module, tree in project_modules() for model in registrations(tree) if model in COMPOSED
    }
    assert registering == {("backoffice/admin.py", model) for model in COMPOSED}


@pytest.mark.parametrize("model", [Course, Session, Lecturer, Member])
def test_the_registered_admin_is_the_composed_one(model):
    assert admin.site._registry[model].__class__.__module__ == "backoffice.admin"


def test_nothing_imports_the_composing_app():
    importers = []
    for module, tree in project_modules():
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            # Its own modules may use each other (the admin site reads the home pages' module).
            if any(name.split(".")[0] == "backoffice" for name in names) and not module.startswith("backoffice/"):
                importers.append(module)
    assert importers == []


def test_the_course_admin_keeps_every_app_s_actions_and_inlines():
    from certificates.admin import CertificateCourseTools
    from courses.admin import CourseAdminBase
    from enrollments.admin import EnrollmentCourseTools
    from reports.admin import ReportsCourseTools

    course_admin = admin.site._registry[Course]
    for tools in (EnrollmentCourseTools, CertificateCourseTools, ReportsCourseTools):
        assert set(tools.actions) <= set(course_admin.actions)
    assert set(CourseAdminBase.inlines) | set(EnrollmentCourseTools.inlines) <= set(course_admin.inlines)
