"""The one access mechanism: what a user may see is decided by the organization sub-tree they
are attached to (staff and officers), or by their own member record (trainees)."""

from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.http import Http404

from common.admin import described_picker, visible_object
from common.signals import BulkSavedQuerySet
from common.vietnamese import search_key


@dataclass(frozen=True)
class Scope:
    everything: bool = False
    path: str | None = None  # an officer's sub-tree, as a treebeard path prefix
    member_id: int | None = None  # a trainee's own records
    # The Inspection Committee's inspectors read the whole tree (every list answers as for the center) but act for
    # nobody in it: is_center() and every center-only right answer no (organizations/permissions.py).
    read_only: bool = False

    @property
    def is_staff_scope(self):
        return self.everything or self.path is not None

    def contains(self, path):
        """Whether the organization at this treebeard path lies in the scope: always for the whole tree, else when
        the path is the officer's organization or below it. A trainee's scope holds no organization."""
        return self.everything or (self.path is not None and path.startswith(self.path))


NOTHING = Scope()
EVERYTHING = Scope(everything=True)
INSPECTING = Scope(everything=True, read_only=True)


def scope_of(user: Any) -> Scope:
    """The Scope of a user, computed once per user object (so once per request)."""
    cached = getattr(user, "_access_scope", None)
    if cached is not None:
        return cached
    scope = _compute_scope(user)
    if user is not None and user.is_authenticated:
        user._access_scope = scope
    return scope


def scope_acting_for(by: Any) -> Scope:
    """The scope of whoever a service acts for: a user, or the command line (None), which sees the whole tree."""
    return EVERYTHING if by is None else scope_of(by)


def _compute_scope(user):
    if user is None or not user.is_authenticated or not user.is_active:
        return NOTHING
    if user.is_superuser:
        return EVERYTHING
    officer = None
    if user.is_staff:
        from organizations.models import Officer

        officer = Officer.objects.select_related("organization").filter(user=user).first()
    if officer is not None:
        organization = officer.organization
        if organization.depth == 1:
            # An officer of the root who writes inspections (the inspectors' group, organizations/roles.py INSPECTOR;
            # the center's group only reads them) is an inspector, not the center's staff. has_perm() reads the
            # permissions the admin loads for the request anyway.
            return INSPECTING if user.has_perm("oversight.change_inspection") else EVERYTHING
        return Scope(path=organization.path)
    member_id = own_member_id(user)
    if member_id is not None:
        return Scope(member_id=member_id)
    return NOTHING


def own_member_id(user: Any) -> int | None:
    """The id of the member record linked to this login, or None."""
    if user is None or not user.is_authenticated:
        return None
    if not hasattr(user, "_own_member_id"):
        from organizations.models import Member

        user._own_member_id = Member.objects.filter(user=user).values_list("pk", flat=True).first()
    return user._own_member_id


class ScopedQuerySet(BulkSavedQuerySet):
    """Rows a user may see. Subclasses say how a row belongs to a sub-tree and to a member.

    Bulk writes send bulk_saved (common/signals.py), so that whatever is derived from any of the product's
    rows (tallies, stored pages) hears of them."""

    # Subclasses define subtree_filter(path) -> Q.

    def own_filter(self, member_id):
        return Q(pk__in=[])

    def for_user(self, user):
        return self.for_scope(scope_of(user))

    def for_scope(self, scope):
        if scope.everything:
            return self.all()
        if scope.path is not None:
            return self.filter(self.subtree_filter(scope.path))
        if scope.member_id is not None:
            return self.filter(self.own_filter(scope.member_id))
        return self.none()

    def owned_by(self, user):
        """The user's own rows as a trainee (the portal), whatever staff scope they also hold."""
        member_id = own_member_id(user)
        if member_id is None:
            return self.none()
        return self.filter(self.own_filter(member_id))


class ScopedAdminMixin:
    """Puts every admin list, form choice, autocomplete and object page through for_user().

    An object outside the user's scope answers 404, never a redirect or a 403 that would
    confirm it exists.
    """

    def get_queryset(self, request):
        return super().get_queryset(request).for_user(request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        queryset = kwargs.get("queryset", db_field.remote_field.model._default_manager.all())
        if hasattr(queryset, "for_user"):
            kwargs["queryset"] = queryset.for_user(request.user)
        return described_picker(super().formfield_for_foreignkey(db_field, request, **kwargs), self.admin_site)

    def get_search_results(self, request, queryset, search_term):
        # Search fields hold diacritics-free keys, so the term is reduced the same way.
        return super().get_search_results(request, queryset, search_key(search_term))

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        raise Http404

    def _require_visible(self, request, object_id):
        return visible_object(self, request, object_id)

    # The admin checks the model permission before it looks the object up; scope comes first, so an
    # object outside the user's scope is a 404 whatever the user's permissions on the model.
    def change_view(self, request, object_id, form_url="", extra_context=None):
        self._require_visible(request, object_id)
        return super().change_view(request, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        self._require_visible(request, object_id)
        return super().delete_view(request, object_id, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        self._require_visible(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._require_visible(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)
