"""Admin machinery every app's admin uses and that holds no domain rule: extra pages in the admin's frame, the
object a page is about or 404, view-only record pages, history pages that are read and never reverted."""

from collections.abc import Sequence
from typing import Any

from django.contrib.admin import helpers
from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.template.response import TemplateResponse
from simple_history.admin import SimpleHistoryAdmin


def render_admin_page(admin: Any, request: HttpRequest, template: str, context: dict[str, Any]) -> TemplateResponse:
    """An extra page in the admin's frame: the site's context, the model's options when `admin` is a ModelAdmin
    (rather than the AdminSite itself), then the page's own context, which wins."""
    site = getattr(admin, "admin_site", admin)
    frame = site.each_context(request)
    if site is not admin:
        frame["opts"] = admin.model._meta
    return TemplateResponse(request, template, {**frame, **context})


def require_permission(user: Any, permission: str) -> None:
    """Refuse (403) a page that needs a model permission the user lacks."""
    if not user.has_perm(permission):
        raise PermissionDenied


def visible_object(
    model_admin: Any, request: HttpRequest, object_id: Any, *, select_related: Sequence[str] = ()
) -> Any:
    """The object if the admin's queryset for this user holds it (a scoped admin's: the user's scope); 404
    otherwise, as every admin page answers. `select_related` names the relations the page reads."""
    queryset = model_admin.get_queryset(request)
    if select_related:
        queryset = queryset.select_related(*select_related)
    try:  # as ModelAdmin.get_object() looks it up
        return queryset.get(pk=queryset.model._meta.pk.to_python(unquote(str(object_id))))
    except (queryset.model.DoesNotExist, ValidationError, ValueError):
        raise Http404 from None


class ReadOnlyHistoryAdmin(SimpleHistoryAdmin):
    """A model's history to read, never to revert, for every role.

    simple_history's revert saves the whole old record through the change form's model, past every rule the
    services keep (a result changes only by closing or by an override with a reason, a nomination only through
    the nomination rules), and it checks no more than the change permission. None of the recorded models can be
    reverted through its service, so the past versions are shown read-only and a posted revert is refused.
    """

    def revert_disabled(self, request, obj=None):
        return True

    def has_change_history_permission(self, request, obj=None):
        return False

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method != "GET":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def render_history_view(self, request, template, context, **kwargs):
        # A past version's page shows every field as text, not as inputs that look as if they could be saved.
        admin_form = context.get("adminform")
        if admin_form is not None:
            context["adminform"] = helpers.AdminForm(
                admin_form.form,
                list(admin_form.fieldsets),
                {},
                readonly_fields=flatten_fieldsets(admin_form.fieldsets),
                model_admin=self,
            )
        return super().render_history_view(request, template, context, **kwargs)


class ViewOnlyAdminMixin:
    """Rows made elsewhere and kept as a record (certificates, evaluations, print and report jobs): the admin shows
    them, and nobody adds, edits or deletes one there."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
