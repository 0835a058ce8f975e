"""Staff pages for the party tree, members, their posts and officers."""

from django.contrib import admin, messages
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from common.admin import LabelledTabularInline, ReadOnlyHistoryAdmin, ViewOnlyAdminMixin, described_autocomplete_urls
from common.imports.views import import_link, import_urls
from organizations.access import ScopedAdminMixin
from organizations.access_log import record_access
from organizations.class_authorizations import save_authorization
from organizations.forms import AdminLoginForm, OrganizationForm
from organizations.lockouts import locked_out_logins, locked_until, unlock_logins
from organizations.models import (
    AccessLog,
    Appointment,
    ClassAuthorization,
    LockedOutLogin,
    Member,
    Officer,
    Organization,
    Term,
)
from organizations.permissions import may_link_login, may_unlock_logins
from organizations.tree_import_views import ORGANIZATIONS_PAGE

admin.site.site_header = _("Trung tâm Bồi dưỡng chính trị — Quản lý đào tạo")
admin.site.site_title = _("Quản lý đào tạo")
admin.site.index_title = _("Quản trị")
admin.site.login_form = AdminLoginForm


def picked_organization(organization, parent_label):
    text = _("%(name)s — thuộc %(parent)s") % {"name": organization.name, "parent": parent_label}
    return {"text": text if parent_label else organization.name, "parent": parent_label}


def picked_member(member, place):
    born = member.birth_date.strftime("%d/%m/%Y") if member.birth_date else ""
    return {"text": f"{member} · {place}", "birth_date": born, "organization_path": place}


def tree_import_link(request):
    # Members and posts come in with the tree: both changelists link to its import.
    return import_link(request, ORGANIZATIONS_PAGE, "admin:organizations_organization_import")


class OrganizationChangeList(ChangeList):
    """Counts the members of each listed organization's whole sub-tree, for the page's rows in one query (the
    rows an officer sees lie in their sub-tree; the members counted are scoped all the same), and gives each row
    the link to its page that keeps the list's filters, as the admin's own links do."""

    def get_results(self, request):
        super().get_results(request)
        counts = Member.objects.for_user(request.user).count_by_subtree(row.path for row in self.result_list)
        context = {"preserved_filters": self.preserved_filters, "opts": self.opts}
        for row in self.result_list:
            row.subtree_member_count = counts[row.path]
            url = reverse(
                "admin:organizations_organization_change", args=[row.pk], current_app=self.model_admin.admin_site.name
            )
            row.change_url = add_preserved_filters(context, url)


@admin.register(Organization)
class OrganizationAdmin(ScopedAdminMixin, admin.ModelAdmin):
    form = OrganizationForm
    # The tree's own bookkeeping (depth, number of children) is neither a column nor a filter: the indent and
    # the branch buttons show it.
    list_display = ["tree_name", "code", "kind", "member_count", "can_self_organize"]
    list_filter = ["kind", "can_self_organize"]
    # tree_name links the name itself: the branch button beside it cannot sit inside the admin's link.
    list_display_links = None
    search_fields = ["search_key", "code"]
    ordering = ["path"]
    list_per_page = 100

    def get_changelist(self, request, **kwargs):
        return OrganizationChangeList

    # Importing the tree, members and posts from Excel: organizations/tree_import_views.py.
    def get_urls(self):
        return [*described_autocomplete_urls(self), *import_urls(self, ORGANIZATIONS_PAGE), *super().get_urls()]

    def autocomplete_extras(self, request, objects):
        """The picker names each organization's parent: many cells share a name."""
        parents = Organization.objects.upward_labels({obj.path[: -Organization.steplen] for obj in objects})
        return {obj.pk: picked_organization(obj, parents.get(obj.path[: -Organization.steplen], "")) for obj in objects}

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, {**(extra_context or {}), **tree_import_link(request)})

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)

        class ScopedForm(form):
            def __init__(self, *args, **inner):
                super().__init__(*args, user=request.user, **inner)

        return ScopedForm

    # static/js/organization_tree.js shows the branch button of a row whose sub-tree has rows on the page and
    # hides or shows those rows; without scripts the list stays whole and the buttons hidden.
    @admin.display(description=_("tên"), ordering="path")
    def tree_name(self, obj):
        toggle = ""
        if obj.numchild:
            toggle = format_html(
                '<button type="button" class="tree-toggle" aria-expanded="true" hidden>'
                '<span aria-hidden="true"></span><span class="visually-hidden">{}</span></button>',
                gettext("Các tổ chức trực thuộc %(name)s") % {"name": obj.name},
            )
        return format_html(
            '<span class="tree-node tree-depth-{}" data-path="{}">{}<a class="tree-label" href="{}">{}</a></span>',
            min(obj.depth, 8),
            obj.path,
            toggle,
            obj.change_url,
            obj.name,
        )

    @admin.display(description=_("số đảng viên"))
    def member_count(self, obj):
        return obj.subtree_member_count

    @transaction.atomic
    def save_model(self, request, obj, form, change):
        parent = form.cleaned_data.get("parent")
        if not change:
            if parent is None:
                Organization.objects.add_root(instance=obj)
            else:
                Organization.objects.add_child(parent, instance=obj)
            return
        obj.save()
        if parent is not None and Organization.objects.get_parent(obj) != parent:
            Organization.objects.move(obj, parent, "sorted-child")

    def has_delete_permission(self, request, obj=None):
        # Deleting a node would orphan its sub-tree's history; organizations are renamed or moved.
        return False


class AppointmentInline(ScopedAdminMixin, LabelledTabularInline):
    model = Appointment
    extra = 0
    autocomplete_fields = ["organization"]
    fields = ["organization", "post", "term_label", "start_date", "end_date", "requires_training", "is_current"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("organization")

    # The member page fits a 1366 px screen beside the admin's menu (tests/browser/test_member_page.py): the term
    # takes a short box (static/css/site.css), the organization a narrower picker without links to add or edit one
    # (the tree has its own pages).
    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "organization":
            widget = formfield.widget
            widget.can_add_related = widget.can_change_related = widget.can_view_related = False
            widget.can_delete_related = False
            widget.widget.attrs["data-width"] = "15em"  # select2 reads its width from the select
        return formfield


# The member page is composed in backoffice/admin.py: certificates adds the member's training record, enrollments
# marks in the picker who is on the class already.
class MemberAdminBase(ScopedAdminMixin, ReadOnlyHistoryAdmin):
    list_display = ["full_name", "birth_date", "gender", "organization", "workplace", "current_posts"]
    list_filter = ["gender", "organization__kind"]
    list_select_related = ["organization"]
    # Each word of a name is a substring of the diacritics-free key: one trigram-index scan on PostgreSQL
    # (organizations/migrations/0003). An email address or a phone number typed whole finds its member too.
    search_fields = ["search_key__contains"]
    # A country's members are counted only as far as the search finds them, never all of them on every page.
    show_full_result_count = False
    autocomplete_fields = ["organization"]
    raw_id_fields = ["user"]
    inlines = [AppointmentInline]
    fieldsets = [
        (None, {"fields": ["full_name", "birth_date", "gender", "organization"]}),
        (_("Công tác"), {"fields": ["workplace", "job_title"]}),
        (_("Liên hệ"), {"fields": ["email", "phone", "user"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("organization").prefetch_related("appointments")

    def get_urls(self):
        return [*described_autocomplete_urls(self), *super().get_urls()]

    def autocomplete_extras(self, request, objects):
        """The picker shows each member's birth date and where they are (cell › grassroots › committee): namesakes
        are common."""
        places = Organization.objects.upward_labels({member.organization.path for member in objects})
        return {member.pk: picked_member(member, places[member.organization.path]) for member in objects}

    def get_search_results(self, request, queryset, search_term):
        found, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        if term:
            found |= queryset.filter(Q(email__iexact=term) | Q(phone=term))
        return found, may_have_duplicates

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, {**(extra_context or {}), **tree_import_link(request)})

    # Each page that shows a member's data is a read the access log records, once the page is allowed (an object
    # out of scope or a missing permission raises before).
    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        record_access(request, AccessLog.Action.VIEW_MEMBER, obj=self._require_visible(request, object_id))
        return response

    def history_view(self, request, object_id, extra_context=None):
        response = super().history_view(request, object_id, extra_context)
        record_access(request, AccessLog.Action.VIEW_MEMBER_HISTORY, obj=self._require_visible(request, object_id))
        return response

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        response = super().history_form_view(request, object_id, version_id, extra_context)
        record_access(
            request,
            AccessLog.Action.VIEW_MEMBER_HISTORY,
            obj=self._require_visible(request, object_id),
            parameters={"version": version_id},
        )
        return response

    @admin.display(description=_("chức vụ hiện tại"))
    def current_posts(self, obj):
        return ", ".join(str(a.get_post_display()) for a in obj.appointments.all() if a.is_current)

    def get_readonly_fields(self, request, obj=None):
        return [] if may_link_login(request.user) else ["user"]


@admin.register(Appointment)
class AppointmentAdmin(ScopedAdminMixin, ReadOnlyHistoryAdmin):
    list_display = ["member", "post", "organization", "term_label", "start_date", "end_date", "is_current"]
    list_filter = ["post", "is_current", "requires_training", "term_label"]
    list_select_related = ["member", "organization"]
    search_fields = ["member__search_key", "organization__search_key", "organization__code"]
    autocomplete_fields = ["member", "organization"]
    date_hierarchy = "start_date"


@admin.register(Officer)
class OfficerAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["user", "organization"]
    list_select_related = ["user", "organization"]
    search_fields = ["user__username", "organization__search_key", "organization__code"]
    autocomplete_fields = ["organization"]
    raw_id_fields = ["user"]


@admin.register(AccessLog)
class AccessLogAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    """The log of reads of personal data, for staff given organizations.view_accesslog (the center's group)."""

    list_display = ["at", "username", "action", "object_label", "client_address"]
    list_filter = ["action", ("user", admin.RelatedOnlyFieldListFilter), "at"]
    search_fields = ["username", "object_label", "client_address"]
    date_hierarchy = "at"
    show_full_result_count = False
    fields = [
        "at",
        "user",
        "username",
        "action",
        "content_type",
        "object_id",
        "object_label",
        "parameters",
        "client_address",
    ]
    readonly_fields = fields  # type: ignore[assignment]  # a list of names, as the stubs want
    actions = None


@admin.register(ClassAuthorization)
class ClassAuthorizationAdmin(ScopedAdminMixin, ReadOnlyHistoryAdmin):
    """The center's decisions that a committee runs its own classes: the center writes them (its group's model
    permissions; organizations.class_authorizations checks may_authorize_classes again), a committee reads its
    own."""

    list_display = ["organization", "decision_number", "decision_date", "revoked_on"]
    list_filter = ["revoked_on"]
    list_select_related = ["organization"]
    search_fields = ["organization__search_key", "decision_number"]
    autocomplete_fields = ["organization"]

    def save_model(self, request, obj, form, change):
        save_authorization(obj, by=request.user)

    def has_delete_permission(self, request, obj=None):
        # A decision is revoked from a date, never deleted: its history stays.
        return False


@admin.register(Term)
class TermAdmin(admin.ModelAdmin):
    """The bloc's terms: the center keeps them (officers have no permission on them); each runs until the next
    one starts, and the current one, found from today's date, is what compliance counts by default."""

    list_display = ["name", "start"]
    ordering = ["start"]


@admin.register(LockedOutLogin)
class LockedOutLoginAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    """The logins locked out now after too many failed tries (organizations/lockouts.py), for the center's staff,
    who unlock them before the cool-off ends; each unlock is written to the access log. The columns are the
    admin's own, in Vietnamese: django-axes ships no Vietnamese names for its fields."""

    list_display = ["login", "member_name", "member_organization", "address", "failures", "last_try", "until"]
    list_display_links = ["login"]
    search_fields = ["username", "ip_address"]
    show_full_result_count = False
    fields = ["login", "member_name", "address", "browser", "page", "failures", "last_try", "until"]
    readonly_fields = fields  # type: ignore[assignment]  # a list of names, as the stubs want
    actions = ["unlock_selected"]

    def get_queryset(self, request):
        return locked_out_logins()

    @admin.display(description=_("tên đăng nhập"), ordering="username")
    def login(self, login):
        return login.username

    @admin.display(description=_("đảng viên"), ordering="member_name")
    def member_name(self, login):
        return login.member_name

    @admin.display(description=_("tổ chức"), ordering="member_organization")
    def member_organization(self, login):
        return login.member_organization

    @admin.display(description=_("địa chỉ máy"), ordering="ip_address")
    def address(self, login):
        return login.ip_address

    @admin.display(description=_("trình duyệt"))
    def browser(self, login):
        return login.user_agent

    @admin.display(description=_("trang đăng nhập"))
    def page(self, login):
        return login.path_info

    @admin.display(description=_("số lần sai"), ordering="failures")
    def failures(self, login):
        return login.failures

    @admin.display(description=_("lần thử cuối"), ordering="attempt_time")
    def last_try(self, login):
        return login.attempt_time

    @admin.display(description=_("khóa đến"))
    def until(self, login):
        return locked_until(login)

    def has_unlock_permission(self, request):
        return may_unlock_logins(request.user)

    @admin.action(description=_("Mở khóa các đăng nhập đã chọn"), permissions=["unlock"])
    def unlock_selected(self, request, queryset):
        try:
            count = unlock_logins(queryset, by=request.user)
        except PermissionDenied as error:
            self.message_user(request, " ".join(error.args), messages.ERROR)
            return
        self.message_user(
            request,
            ngettext("Đã mở khóa %(count)d đăng nhập.", "Đã mở khóa %(count)d đăng nhập.", count) % {"count": count},
            messages.SUCCESS,
        )
