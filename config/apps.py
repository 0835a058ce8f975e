"""django-tasks-db's app under a Vietnamese name: its own is a plain English string no catalog can translate, as
are three labels of its admin, which are named here from the model's (translated) field names."""

from django.utils.translation import gettext_lazy as _
from django_tasks_db.apps import TasksAppConfig


class TasksDatabaseConfig(TasksAppConfig):
    verbose_name = _("Tác vụ nền")  # type: ignore[assignment]  # Django takes a lazy string; the stubs say str

    def ready(self):
        super().ready()
        from django_tasks_db.admin import DBTaskResultAdmin
        from django_tasks_db.models import DBTaskResult

        fields = DBTaskResult._meta
        DBTaskResultAdmin.display_run_after.short_description = fields.get_field("run_after").verbose_name
        DBTaskResultAdmin.formatted_traceback.short_description = fields.get_field("traceback").verbose_name
        DBTaskResult.task_name.fget.short_description = _("tên tác vụ")
