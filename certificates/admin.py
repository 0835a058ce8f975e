"""Staff pages for issuers, certificates (read-only, revoked and replaced through their own pages, never
deleted) and batch print jobs; and the issuing and printing actions on the course list and a member's training
record on their page (composed by backoffice/admin.py)."""

from functools import partial
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from certificates import record_views
from certificates.forms import IssueForm, RevokeForm
from certificates.models import Certificate, IssuerProfile, PrintJob
from certificates.printing import start_print_job
from certificates.record import training_record
from certificates.rules import issue_date_problem
from certificates.services import (
    is_issuable,
    issue_certificates,
    pdf_filename,
    pdf_for_staff,
    preview_issuing,
    reissue_certificate,
    revoke_certificate,
)
from common.admin import ReadOnlyHistoryAdmin, ViewOnlyAdminMixin, render_admin_page, visible_object
from common.localtime import local_today
from courses.models import Course
from enrollments.forms import add_service_error
from organizations.access import ScopedAdminMixin
from organizations.access_log import record_access
from organizations.models import AccessLog
from organizations.permissions import may_issue, may_read_revoked, may_revoke, may_run_own_classes


@admin.register(IssuerProfile)
class IssuerProfileAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["register_suffix", "organization", "header_line_2", "signer_title", "signer_name", "place"]
    list_select_related = ["organization"]
    search_fields = ["register_suffix", "organization__search_key", "organization__code"]
    autocomplete_fields = ["organization"]

    def has_delete_permission(self, request, obj=None):
        # Its register books and certificates point to it for ever.
        return False


@admin.register(Certificate)
# Certificates come only from issuing, change only by revocation (its own page), and are never deleted.
class CertificateAdmin(ViewOnlyAdminMixin, ScopedAdminMixin, ReadOnlyHistoryAdmin):
    list_display = ["register_number", "holder_name", "course_code", "issued_on", "status"]
    list_filter = ["status", "year", "issuer"]
    list_select_related = ["enrollment__course", "issuer"]
    search_fields = [
        "register_number",
        "verification_code",
        "enrollment__member__search_key",
        "enrollment__course__code",
    ]
    date_hierarchy = "issued_on"
    actions = ["revoke_certificates"]
    change_form_template = "certificates/admin/certificate_change_form.html"
    fieldsets = [
        (None, {"fields": ["register_number", "printed_code", "status", "issued_on", "issued_by", "issuer"]}),
        (
            gettext_lazy("Nội dung in trên giấy chứng nhận"),
            {
                "fields": [
                    "holder_name",
                    "holder_birth_date",
                    "holder_post",
                    "holder_organization",
                    "program_name",
                    "course_title",
                    "grade",
                    "signer_title",
                    "signer_name",
                ]
            },
        ),
        (gettext_lazy("Thu hồi và cấp lại"), {"fields": ["revoke_reason", "revoked_by", "revoked_at", "replaces"]}),
        (gettext_lazy("Tệp PDF"), {"fields": ["pdf_sha256"]}),
    ]

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/pdf/", wrap(partial(certificate_pdf_view, self)), name="certificates_certificate_pdf"
            ),
            path(
                "<path:object_id>/revoke/",
                wrap(partial(revoke_view, self)),
                name="certificates_certificate_revoke",
            ),
            path(
                "<path:object_id>/reissue/",
                wrap(partial(reissue_view, self)),
                name="certificates_certificate_reissue",
            ),
            *super().get_urls(),
        ]

    @admin.display(description=gettext_lazy("lớp"), ordering="enrollment__course__code")
    def course_code(self, obj):
        return obj.enrollment.course.code

    @admin.display(description=gettext_lazy("mã xác minh"))
    def printed_code(self, obj):
        return obj.printed_code

    def get_readonly_fields(self, request, obj=None):
        return [field for fieldset in self.fieldsets for field in fieldset[1]["fields"]]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            replaced_by = getattr(obj, "replaced_by", None)
            context["certificate_tools"] = {
                "pdf": obj.is_valid or may_read_revoked(request.user),
                "revoke": obj.is_valid and may_revoke(request.user),
                "reissue": not obj.is_valid and replaced_by is None and may_issue(request.user),
                "replaced_by": replaced_by,
            }
        return super().render_change_form(request, context, add, change, form_url, obj)

    def has_revoke_permission(self, request):
        return may_revoke(request.user)

    @admin.action(description=gettext_lazy("Thu hồi giấy chứng nhận"), permissions=["revoke"])
    def revoke_certificates(self, request, queryset):
        """A page asking for the reason first; then each selected valid certificate revoked."""
        certificates = queryset.filter(status=Certificate.Status.VALID).select_related("enrollment__course")
        form = RevokeForm(request.POST if request.POST.get("post") == "yes" else None)
        if form.is_bound and form.is_valid():
            for certificate in certificates:
                _revoke(self, request, certificate, form)
            return None
        return render_admin_page(
            self,
            request,
            "certificates/admin/revoke.html",
            {
                "title": _("Thu hồi giấy chứng nhận"),
                "certificates": certificates,
                "form": form,
                "action": True,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )


def _revoke(model_admin, request, certificate, form):
    """Revoke (and, when asked, reissue) one certificate, reporting to the staff user; returns the
    replacement, or None."""
    revoked = revoke_certificate(certificate, by=request.user, reason=form.cleaned_data["reason"])
    model_admin.message_user(
        request, _("Đã thu hồi giấy chứng nhận %(number)s.") % {"number": revoked.register_number}, messages.SUCCESS
    )
    if not form.cleaned_data["reissue"]:
        return None
    try:
        replacement = reissue_certificate(revoked, by=request.user)
    except ValidationError as error:
        model_admin.message_user(request, " ".join(error.messages), messages.ERROR)
        return None
    model_admin.message_user(
        request,
        _("Đã cấp lại giấy chứng nhận số %(number)s thay cho %(old)s.")
        % {"number": replacement.register_number, "old": revoked.register_number},
        messages.SUCCESS,
    )
    return replacement


def certificate_pdf_view(model_admin, request, object_id):
    certificate = visible_object(model_admin, request, object_id)
    if not certificate.is_valid and not may_read_revoked(request.user):
        raise PermissionDenied
    content = pdf_for_staff(certificate)
    record_access(request, AccessLog.Action.CERTIFICATE_PDF, obj=certificate)
    return HttpResponse(
        content,
        content_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{pdf_filename(certificate)}"'},
    )


def revoke_view(model_admin, request, object_id):
    certificate = visible_object(model_admin, request, object_id)
    if not may_revoke(request.user):
        raise PermissionDenied
    form = RevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            replacement = _revoke(model_admin, request, certificate, form)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            target = replacement or certificate
            return redirect(reverse("admin:certificates_certificate_change", args=[target.pk]))
    return render_admin_page(
        model_admin,
        request,
        "certificates/admin/revoke.html",
        {
            "title": _("Thu hồi giấy chứng nhận"),
            "original": certificate,
            "certificates": [certificate] if certificate.is_valid else [],
            "form": form,
        },
    )


def reissue_view(model_admin, request, object_id):
    certificate = visible_object(model_admin, request, object_id)
    if not may_issue(request.user):
        raise PermissionDenied
    error = None
    if request.method == "POST":
        try:
            replacement = reissue_certificate(certificate, by=request.user)
        except ValidationError as problem:
            error = " ".join(problem.messages)
        else:
            model_admin.message_user(
                request,
                _("Đã cấp lại giấy chứng nhận số %(number)s thay cho %(old)s.")
                % {"number": replacement.register_number, "old": certificate.register_number},
                messages.SUCCESS,
            )
            return redirect(reverse("admin:certificates_certificate_change", args=[replacement.pk]))
    return render_admin_page(
        model_admin,
        request,
        "certificates/admin/reissue.html",
        {
            "title": _("Cấp lại giấy chứng nhận"),
            "original": certificate,
            "possible": not certificate.is_valid and getattr(certificate, "replaced_by", None) is None,
            "error": error,
        },
    )


# A job is made by the print actions on the course list and kept as a record of who printed what.
@admin.register(PrintJob)
class PrintJobAdmin(ViewOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["course", "kind", "requested_by", "requested_at", "status", "progress"]
    list_filter = ["status", "kind"]
    list_select_related = ["course__program", "requested_by"]
    search_fields = ["course__code"]
    fields = [
        "course",
        "kind",
        "requested_by",
        "requested_at",
        "status",
        "progress",
        "heartbeat_at",
        "finished_at",
        "error",
    ]
    readonly_fields = fields  # type: ignore[assignment]  # a list of names, as the stubs want
    change_form_template = "certificates/admin/printjob_change_form.html"

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/download/",
                wrap(partial(print_job_download_view, self)),
                name="certificates_printjob_download",
            ),
            *super().get_urls(),
        ]

    @admin.display(description=gettext_lazy("tiến độ"))
    def progress(self, obj):
        return f"{obj.done}/{obj.total}"


def print_job_download_view(model_admin, request, object_id):
    job = visible_object(model_admin, request, object_id)
    if not model_admin.has_view_permission(request, job):
        raise PermissionDenied
    if not job.is_downloadable:
        raise Http404
    content_type = "application/pdf" if job.kind == PrintJob.Kind.PDF else "application/zip"
    filename = job.output.name.rsplit("/", 1)[-1]
    output = job.output.open("rb")
    # The batch holds every certificate of the course: the job's label names the course and the format.
    record_access(request, AccessLog.Action.EXPORT, obj=job)
    return FileResponse(output, content_type=content_type, as_attachment=True, filename=filename)


def issue_view(model_admin, request, object_id):
    """The closed class's issuing page: the issue date (today unless typed), how many certificates, the first and
    last register number they will take and who signs them; its button issues them on that date."""
    course = visible_object(model_admin, request, object_id, select_related=["program", "organizer"])
    if not may_issue(request.user, course):
        raise PermissionDenied
    form = IssueForm(request.POST or None, initial={"issued_on": local_today()})
    preview, problems = None, []
    if not form.is_bound:
        try:
            preview = preview_issuing(course, by=request.user)
        except ValidationError as error:
            problems = error.messages
    elif form.is_valid():
        try:
            preview = preview_issuing(course, by=request.user, issued_on=form.cleaned_data["issued_on"])
            if "confirm" in request.POST:
                summary = issue_certificates(course, by=request.user, issued_on=preview.issued_on)
        except ValidationError as error:
            add_service_error(form, error)
            preview = None
        else:
            if "confirm" in request.POST:
                _report_issuing(model_admin, request, summary)
                return redirect(reverse("admin:courses_course_change", args=[course.pk]))
    return render_admin_page(
        model_admin,
        request,
        "certificates/admin/issue.html",
        {
            "title": _("Cấp giấy chứng nhận"),
            "original": course,
            "form": form,
            "preview": preview,
            "problems": problems,
        },
    )


def _report_issuing(model_admin, request, summary):
    issued, code = summary.issued, summary.course.code
    if not issued:
        message = _("Lớp %(code)s: không có giấy chứng nhận nào cần cấp thêm (đã cấp %(count)d).") % {
            "code": code,
            "count": summary.already_issued,
        }
        model_admin.message_user(request, message, messages.WARNING)
        return
    message = ngettext(
        "Lớp %(code)s: đã cấp %(count)d giấy chứng nhận.",
        "Lớp %(code)s: đã cấp %(count)d giấy chứng nhận.",
        len(issued),
    ) % {"code": code, "count": len(issued)}
    # In roster order, as the numbers were taken.
    message += " " + _("Ngày cấp %(date)s, số vào sổ từ %(first)s đến %(last)s.") % {
        "date": f"{issued[0].issued_on:%d/%m/%Y}",
        "first": issued[0].register_number,
        "last": issued[-1].register_number,
    }
    model_admin.message_user(request, message, messages.SUCCESS)


def course_issuing(user: Any, course: Any) -> dict[str, Any]:
    """What the closed class's page says of issuing: whether it offers it, and the preview of issuing today (how
    many, the first and last register numbers, the date, who signs), or why it cannot yet."""
    tools: dict[str, Any] = {"issue": is_issuable(course) and may_issue(user, course), "preview": None, "problems": []}
    if tools["issue"]:
        try:
            tools["preview"] = preview_issuing(course, by=user)
        except ValidationError as error:
            tools["problems"] = error.messages
    return tools


# Issuing and printing are run from the course list, and issuing from the closed class's page too; courses and
# enrollments cannot import certificates, so backoffice/admin.py composes these tools into the one course admin.
class CertificateCourseTools:
    actions: list[Any] = ["issue_certificates", "print_certificates", "zip_certificates"]

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<path:object_id>/issue/", wrap(partial(issue_view, self)), name="courses_course_issue"),
            *super().get_urls(),
        ]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["certificate_course_tools"] = course_issuing(request.user, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def has_issue_permission(self, request):
        return may_issue(request.user) or may_run_own_classes(request.user)

    @admin.action(description=gettext_lazy("Cấp giấy chứng nhận"), permissions=["issue"])
    def issue_certificates(self, request, queryset):
        """One class: its issuing page, with the preview. Several: a page asking for the issue date first (today
        unless typed), then each class issued on it, each refused for what its own rule says."""
        confirmed = request.POST.get("post") == "yes"
        if not confirmed and len(selected := list(queryset[:2])) == 1:
            return redirect(reverse("admin:courses_course_issue", args=[selected[0].pk]))
        form = IssueForm(request.POST if confirmed else None, initial={"issued_on": local_today()})
        if form.is_bound and form.is_valid():
            # The date is checked against every class before any is issued: a date wrong for one is asked again.
            issued_on, today = form.cleaned_data["issued_on"], local_today()
            problems = [(course.code, issue_date_problem(course.end_date, issued_on, today)) for course in queryset]
            for code, problem in problems:
                if problem:
                    form.add_error("issued_on", f"{code}: {problem}")
        if form.is_bound and form.is_valid():
            for course in queryset:
                try:
                    summary = issue_certificates(course, by=request.user, issued_on=issued_on)
                except (ValidationError, PermissionDenied) as error:
                    self.message_user(
                        request,
                        f"{course.code}: {' '.join(getattr(error, 'messages', [str(error)]))}",
                        messages.ERROR,
                    )
                    continue
                _report_issuing(self, request, summary)
            return None
        return render_admin_page(
            self,
            request,
            "certificates/admin/issue_many.html",
            {
                "title": _("Cấp giấy chứng nhận"),
                "courses": queryset.order_by("code"),
                "form": form,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )

    @admin.action(description=gettext_lazy("In giấy chứng nhận (một tệp PDF)"), permissions=["issue"])
    def print_certificates(self, request, queryset):
        return self._start_print_jobs(request, queryset, PrintJob.Kind.PDF)

    @admin.action(description=gettext_lazy("Tải giấy chứng nhận (tệp ZIP)"), permissions=["issue"])
    def zip_certificates(self, request, queryset):
        return self._start_print_jobs(request, queryset, PrintJob.Kind.ZIP)

    def _start_print_jobs(self, request, queryset, kind):
        jobs = [start_print_job(course, kind=kind, by=request.user) for course in queryset]
        if len(jobs) == 1:
            return redirect(reverse("admin:certificates_printjob_change", args=[jobs[0].pk]))
        return redirect(reverse("admin:certificates_printjob_changelist"))


# A member's training record on their page, with its PDF and workbook (certificates/record_views.py); organizations
# cannot import certificates, so backoffice/admin.py composes these tools into the one member admin.
class CertificateMemberTools:
    def get_urls(self):
        return [*record_views.member_urls(self), *super().get_urls()]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            record = training_record(obj, request.user)
            context["training_record"] = record
            # A class organized by another committee is listed (its trainee is the officer's) but not linked.
            context["training_record_courses"] = set(
                Course.objects.for_user(request.user)
                .filter(pk__in=[row.course.pk for row in record.rows])
                .values_list("pk", flat=True)
            )
        return super().render_change_form(request, context, add, change, form_url, obj)
