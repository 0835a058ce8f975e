"""django-tasks-db's app under a Vietnamese name: its own is a plain English string no catalog can translate."""

from django.utils.translation import gettext_lazy as _
from django_tasks_db.apps import TasksAppConfig


class TasksDatabaseConfig(TasksAppConfig):
    verbose_name = _("Tác vụ nền")  # type: ignore[assignment]  # Django takes a lazy string; the stubs say str
