"""The inspections in the admin: the Inspection Committee plans, opens and concludes them and judges the reported
corrections; an inspected committee's officers read their own inspections and report on their corrections. Every
change goes through oversight/inspections.py, which checks the rights."""

from functools import partial

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import formset_factory
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.admin import (
    LabelledTabularInline,
    ReadOnlyHistoryAdmin,
    ViewOnlyAdminMixin,
    render_admin_page,
    visible_object,
)
from enrollments.forms import add_service_error
from organizations import roles
from organizations.access import ScopedAdminMixin
from organizations.access_log import record_access
from organizations.models import AccessLog, Organization
from organizations.permissions import may_inspect, may_judge_correction, may_plan_inspections, may_report_correction
from oversight import inspections
from oversight.models import Correction, CorrectionReport, Finding, Inspection, InspectionPlan
from oversight.report_views import inspection_report


class PlannedInspectionInline(LabelledTabularInline):
    model = Inspection
    fields = ["organization", "start_date", "end_date", "status"]
    readonly_fields = fields  # type: ignore[assignment]  # a list of names, as the stubs want
    extra = 0
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).for_user(request.user).select_related("organization")


@admin.register(InspectionPlan)
class InspectionPlanAdmin(ScopedAdminMixin, ReadOnlyHistoryAdmin):
    list_display = ["__str__", "decision_number", "decision_date"]
    fields = ["year", "decision_number", "decision_date", "note"]
    inlines = [PlannedInspectionInline]

    def get_queryset(self, request):
        return super().get_queryset(request).distinct()

    def has_add_permission(self, request):
        return may_plan_inspections(request.user) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return may_plan_inspections(request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        inspections.save_plan(obj, by=request.user)


class FindingInline(LabelledTabularInline):
    model = Finding
    fields = ["text"]
    extra = 1
    formfield_overrides = {}

    def _writable(self, request, obj):
        return obj is not None and obj.status == Inspection.Status.OPEN and may_inspect(request.user, obj)

    def has_add_permission(self, request, obj=None):
        return self._writable(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._writable(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._writable(request, obj)

    def has_view_permission(self, request, obj=None):
        return True


class CorrectionInline(LabelledTabularInline):
    model = Correction
    fields = ["text", "organization", "due_date", "status"]
    readonly_fields = fields  # type: ignore[assignment]  # a list of names, as the stubs want
    extra = 0
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("organization")


@admin.register(Inspection)
class InspectionAdmin(ScopedAdminMixin, ReadOnlyHistoryAdmin):
    list_display = ["organization", "plan", "start_date", "end_date", "status"]
    list_filter = ["status", "plan"]
    list_select_related = ["organization", "plan"]
    autocomplete_fields = ["organization"]
    fields = ["plan", "organization", "start_date", "end_date", "team", "topics", "status", "conclusion"]
    inlines = [FindingInline, CorrectionInline]
    change_form_template = "admin/oversight/inspection_change_form.html"

    def get_readonly_fields(self, request, obj=None):
        if obj is None or (obj.status == Inspection.Status.PLANNED and may_plan_inspections(request.user)):
            return ["status", "conclusion"]
        return self.fields

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "team":
            # The team is drawn from the Inspection Committee's inspectors: a short list, whatever the tree's size.
            kwargs["queryset"] = (
                get_user_model()
                .objects.filter(groups__name=roles.INSPECTOR, is_active=True, is_staff=True)
                .order_by("username")
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def has_add_permission(self, request):
        return may_plan_inspections(request.user) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        allowed = obj is None or may_inspect(request.user, obj)
        return allowed and may_plan_inspections(request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        pass  # saved with its team in save_related, through the service

    def save_related(self, request, form, formsets, change):
        data = form.cleaned_data
        if "organization" in data:
            planned = inspections.Planned(
                organization=data["organization"],
                start_date=data["start_date"],
                end_date=data["end_date"],
                topics=data["topics"],
                team=list(data["team"]),
            )
            saved = inspections.plan_inspection(
                data["plan"], planned, by=request.user, inspection=form.instance if change else None
            )
            form.instance = saved
        for formset in formsets:
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
            if formset.model is not Finding:
                continue
            formset.instance = form.instance
            for finding_form in formset.forms:
                if not finding_form.has_changed() or finding_form in formset.deleted_forms:
                    continue
                text = finding_form.cleaned_data["text"]
                if finding_form.instance.pk is None:
                    formset.new_objects.append(inspections.add_finding(form.instance, by=request.user, text=text))
                else:
                    inspections.change_finding(finding_form.instance, by=request.user, text=text)
                    formset.changed_objects.append((finding_form.instance, ["text"]))
            for finding_form in formset.deleted_forms:
                if finding_form.instance.pk:
                    inspections.remove_finding(finding_form.instance, by=request.user)
                    formset.deleted_objects.append(finding_form.instance)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["inspection_tools"] = {
                "open": obj.status == Inspection.Status.PLANNED and may_inspect(request.user, obj),
                "conclude": obj.status == Inspection.Status.OPEN and may_inspect(request.user, obj),
            }
            context["checklist"] = obj.checklist
        return super().render_change_form(request, context, add, change, form_url, obj)

    def report_pdf_view(self, request, object_id):
        return inspection_report(request, object_id)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<path:object_id>/open/", wrap(partial(open_view, self)), name="oversight_inspection_open"),
            path("<path:object_id>/report.pdf", wrap(self.report_pdf_view), name="oversight_inspection_report"),
            path(
                "<path:object_id>/conclude/", wrap(partial(conclude_view, self)), name="oversight_inspection_conclude"
            ),
            *super().get_urls(),
        ]


def _change_page(obj):
    return redirect(reverse(f"admin:oversight_{obj._meta.model_name}_change", args=[obj.pk]))


def open_view(model_admin, request, object_id):
    inspection = visible_object(model_admin, request, object_id, select_related=["organization", "plan"])
    if not may_inspect(request.user, inspection):
        raise PermissionDenied
    if request.method == "POST":
        try:
            inspections.open_inspection(inspection, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Đã mở cuộc kiểm tra và lập số liệu kiểm tra."))
        return _change_page(inspection)
    return render_admin_page(
        model_admin,
        request,
        "admin/oversight/open.html",
        {"title": _("Mở cuộc kiểm tra"), "original": inspection},
    )


class ConclusionForm(forms.Form):
    conclusion = forms.CharField(label=gettext_lazy("kết luận"), widget=forms.Textarea(attrs={"rows": 6}))


class RequiredCorrectionForm(forms.Form):
    text = forms.CharField(label=gettext_lazy("yêu cầu khắc phục"), required=False)
    organization = forms.ModelChoiceField(
        label=gettext_lazy("tổ chức chịu trách nhiệm"), queryset=Organization.objects.none(), required=False
    )
    due_date = forms.DateField(label=gettext_lazy("hạn khắc phục"), required=False)

    def clean(self):
        data = super().clean()
        given = [data.get(name) for name in ("text", "organization", "due_date")]
        if any(given) and not all(given):
            raise ValidationError(_("Ghi đủ yêu cầu, tổ chức chịu trách nhiệm và hạn khắc phục."))
        return data


RequiredFormSet = formset_factory(RequiredCorrectionForm, extra=3)


def conclude_view(model_admin, request, object_id):
    inspection = visible_object(model_admin, request, object_id, select_related=["organization", "plan"])
    if not may_inspect(request.user, inspection):
        raise PermissionDenied
    form = ConclusionForm(request.POST or None)
    formset = RequiredFormSet(request.POST or None, prefix="corrections")
    subtree = Organization.objects.filter(path__startswith=inspection.organization.path).order_by("path")
    for correction_form in formset.forms:
        correction_form.fields["organization"].queryset = subtree
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        required = [
            inspections.Required(data["organization"], data["text"], data["due_date"])
            for data in formset.cleaned_data
            if data.get("text")
        ]
        try:
            inspections.conclude(
                inspection, by=request.user, conclusion=form.cleaned_data["conclusion"], corrections=required
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Đã kết luận cuộc kiểm tra."))
            return _change_page(inspection)
    return render_admin_page(
        model_admin,
        request,
        "admin/oversight/conclude.html",
        {"title": _("Kết luận cuộc kiểm tra"), "original": inspection, "form": form, "formset": formset},
    )


class CorrectionReportInline(LabelledTabularInline):
    model = CorrectionReport
    fields = ["text", "attachment_link", "reported_by", "reported_at", "verdict", "verdict_note"]
    readonly_fields = fields  # type: ignore[assignment]  # a list of names, as the stubs want
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("reported_by")

    @admin.display(description=gettext_lazy("tệp đính kèm"))
    def attachment_link(self, obj):
        from django.utils.html import format_html

        if not obj.attachment:
            return "—"
        url = reverse("admin:oversight_correctionreport_attachment", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.attachment.name.rsplit("/", 1)[-1])


@admin.register(Correction)
class CorrectionAdmin(ViewOnlyAdminMixin, ScopedAdminMixin, ReadOnlyHistoryAdmin):
    list_display = ["text", "organization", "inspection", "due_date", "status"]
    list_filter = ["status"]
    list_select_related = ["organization", "inspection__organization", "inspection__plan"]
    fields = ["inspection", "organization", "text", "due_date", "status"]
    readonly_fields = fields
    inlines = [CorrectionReportInline]
    change_form_template = "admin/oversight/correction_change_form.html"

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            to_do = obj.status in (Correction.Status.REQUIRED, Correction.Status.REOPENED)
            context["correction_tools"] = {
                "report": to_do and may_report_correction(request.user, obj),
                "judge": obj.status == Correction.Status.REPORTED and may_judge_correction(request.user, obj),
            }
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<path:object_id>/report/", wrap(partial(report_view, self)), name="oversight_correction_report"),
            path("<path:object_id>/judge/", wrap(partial(judge_view, self)), name="oversight_correction_judge"),
            *super().get_urls(),
        ]


class CorrectionReportForm(forms.Form):
    text = forms.CharField(label=gettext_lazy("kết quả khắc phục"), widget=forms.Textarea(attrs={"rows": 5}))
    attachment = forms.FileField(label=gettext_lazy("tệp đính kèm"), required=False)


def report_view(model_admin, request, object_id):
    correction = visible_object(model_admin, request, object_id, select_related=["organization", "inspection"])
    if not may_report_correction(request.user, correction):
        raise PermissionDenied
    form = CorrectionReportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            inspections.report_correction(
                correction,
                by=request.user,
                text=form.cleaned_data["text"],
                attachment=form.cleaned_data["attachment"],
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Đã gửi báo cáo kết quả khắc phục."))
            return _change_page(correction)
    return render_admin_page(
        model_admin,
        request,
        "admin/oversight/form_page.html",
        {"title": _("Báo cáo kết quả khắc phục"), "original": correction, "form": form, "multipart": True},
    )


class JudgeForm(forms.Form):
    verdict = forms.ChoiceField(
        label=gettext_lazy("ý kiến của đoàn"),
        choices=[("accept", gettext_lazy("Chấp nhận")), ("reopen", gettext_lazy("Yêu cầu làm lại"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=gettext_lazy("nhận xét của đoàn"), required=False, widget=forms.Textarea)


def judge_view(model_admin, request, object_id):
    correction = visible_object(model_admin, request, object_id, select_related=["organization", "inspection"])
    if not may_judge_correction(request.user, correction):
        raise PermissionDenied
    form = JudgeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        judge = inspections.accept_report if form.cleaned_data["verdict"] == "accept" else inspections.reopen_correction
        try:
            judge(correction, by=request.user, note=form.cleaned_data["note"])
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Đã ghi ý kiến của đoàn."))
            return _change_page(correction)
    return render_admin_page(
        model_admin,
        request,
        "admin/oversight/form_page.html",
        {"title": _("Xem xét kết quả khắc phục"), "original": correction, "form": form},
    )


@admin.register(CorrectionReport)
class CorrectionReportAdmin(ViewOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["__str__", "correction", "reported_by", "reported_at", "verdict"]
    list_select_related = ["correction", "reported_by"]
    fields = ["correction", "text", "reported_by", "reported_at", "verdict", "verdict_note", "judged_by", "judged_at"]
    readonly_fields = fields  # type: ignore[assignment]  # a list of names, as the stubs want

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/attachment/",
                wrap(partial(attachment_view, self)),
                name="oversight_correctionreport_attachment",
            ),
            *super().get_urls(),
        ]


def attachment_view(model_admin, request, object_id):
    """A report's attachment, to whoever sees the report (the scope), each read written in the access log."""
    report = visible_object(model_admin, request, object_id)
    if not model_admin.has_view_permission(request, report):
        raise PermissionDenied
    if not report.attachment:
        raise Http404
    record_access(request, AccessLog.Action.EXPORT, obj=report, parameters={"attachment": report.attachment.name})
    filename = report.attachment.name.rsplit("/", 1)[-1]
    return FileResponse(report.attachment.open("rb"), as_attachment=True, filename=filename)
