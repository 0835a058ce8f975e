from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class OrganizationsConfig(AppConfig):
    name = "organizations"
    verbose_name = _("Tổ chức đảng")

    def ready(self):
        from organizations import checks  # noqa: F401 (registers the system checks)
        from organizations.roles import name_permissions_in_vietnamese, sync_role_groups

        post_migrate.connect(sync_role_groups, dispatch_uid="organizations.sync_role_groups")
        # After django.contrib.auth's, which creates the permissions this renames (auth is installed first).
        post_migrate.connect(name_permissions_in_vietnamese, dispatch_uid="organizations.name_permissions")
