"""The trainee's own pages (/my/): their courses, schedule, attendance, results, certificates and evaluations, the
export of their own data, changing their password, and the password-reset page with its limits."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET
from django.views.generic import TemplateView

from certificates.models import Certificate
from certificates.services import pdf_filename, stored_pdf
from certificates.status import certificate_status, with_certificates
from common.imports.spreadsheets import XLSX_MEDIA_TYPE
from config.ratelimit import over_limit, spent
from enrollments.evaluations import evaluation_status, submit_evaluation, taught_pairs
from enrollments.forms import EvaluationForm
from enrollments.models import Enrollment
from enrollments.progress import progress_of, with_schedule
from organizations.access import own_member_id
from organizations.access_log import record_access
from organizations.models import AccessLog
from portal.forms import comparable_address
from portal.my_data import own_data, own_data_pdf, own_data_workbook
from portal.page_cache import cached_own_page


def home(request):
    """Send each visitor where they work: staff to the admin, trainees to their courses."""
    if request.user.is_authenticated and request.user.is_staff:
        return redirect("admin:index")
    return redirect("portal:course-list")


def own_enrollments(user):
    """The user's own enrollments with all their pages read, in a fixed number of queries."""
    enrollments = with_schedule(Enrollment.objects.owned_by(user)).select_related("evaluation")
    return with_certificates(enrollments).order_by("-course__start_date")


def with_certificate_status(enrollment):
    """The enrollment with its certificate_status, which the course pages' certificate partial reads."""
    enrollment.certificate_status = certificate_status(enrollment)
    return enrollment


def get_own_enrollment(user, code):
    """The user's enrollment in the course with this code; 404 for anyone else's course."""
    return with_certificate_status(get_object_or_404(own_enrollments(user), course__code=code))


def evaluation_form(progress, data=None):
    pairs = taught_pairs(row.session for row in progress.rows)
    return EvaluationForm(data, pairs=pairs, prefix="evaluation")


@method_decorator(cached_own_page, name="dispatch")  # before the login check, which would load the user
class MyCoursesView(LoginRequiredMixin, TemplateView):
    template_name = "portal/course_list.html"

    def get_template_names(self):
        # A login with no member record (the center's staff, usually) has no courses to list: it gets
        # a page that says so and where to go, not an empty list that looks like a fault.
        if own_member_id(self.request.user) is None:
            return ["portal/no_member.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        cards = [
            (progress_of(with_certificate_status(enrollment)), evaluation_status(enrollment))
            for enrollment in own_enrollments(self.request.user)
        ]
        return super().get_context_data(cards=cards, **kwargs)


@method_decorator(cached_own_page, name="dispatch")
class MyCourseDetailView(LoginRequiredMixin, TemplateView):
    template_name = "portal/course_detail.html"

    def get_context_data(self, **kwargs):
        enrollment = get_own_enrollment(self.request.user, kwargs["code"])
        progress = progress_of(enrollment)
        status = evaluation_status(enrollment)
        return super().get_context_data(
            progress=progress,
            evaluation=status,
            form=evaluation_form(progress) if status.is_open else None,
            **kwargs,
        )


class MyCourseEvaluationView(LoginRequiredMixin, TemplateView):
    """The evaluation form of one's own course; GET shows it, POST sends it once."""

    template_name = "portal/evaluation.html"

    def get_context_data(self, form=None, **kwargs):
        enrollment = get_own_enrollment(self.request.user, kwargs["code"])
        progress = progress_of(enrollment)
        status = evaluation_status(enrollment)
        if form is None and status.is_open:
            form = evaluation_form(progress)
        return super().get_context_data(progress=progress, evaluation=status, form=form, **kwargs)

    def post(self, request, *args, **kwargs):
        enrollment = get_own_enrollment(request.user, kwargs["code"])
        form = evaluation_form(progress_of(enrollment), data=request.POST)
        if form.is_valid():
            try:
                submit_evaluation(enrollment, **form.submission(), by=request.user)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Đã gửi phiếu đánh giá. Cảm ơn đồng chí đã góp ý."))
                return redirect("portal:course-detail", code=enrollment.course.code)
        return self.render_to_response(self.get_context_data(form=form, **kwargs))


@require_GET
@login_required
def my_certificate_pdf(request, code):
    """The stored PDF of the trainee's own valid certificate of this course; 404 for anyone else's, and
    once it is revoked."""
    certificate = (
        Certificate.objects.owned_by(request.user)
        .valid()
        .filter(enrollment__course__code=code)
        .select_related("issuer")
        .first()
    )
    if certificate is None:
        raise Http404
    content = stored_pdf(certificate)
    record_access(request, AccessLog.Action.CERTIFICATE_PDF, obj=certificate)
    return HttpResponse(
        content,
        content_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{pdf_filename(certificate)}"',
            "Cache-Control": "private, no-store",
        },
    )


def _own_data_download(request, content_of, extension, content_type):
    """The trainee's own data in one format, written to the access log; 404 for a login without a member record."""
    data = own_data(request.user)
    if data is None:
        raise Http404
    content = content_of(data)
    record_access(request, AccessLog.Action.OWN_DATA, obj=data.member, parameters={"format": extension})
    return HttpResponse(
        content,
        content_type=content_type,
        headers={
            "Content-Disposition": f'attachment; filename="du-lieu-ca-nhan-{data.made_at:%Y%m%d}.{extension}"',
            "Cache-Control": "private, no-store",
        },
    )


@require_GET
@login_required
def my_data_pdf(request):
    return _own_data_download(request, own_data_pdf, "pdf", "application/pdf")


@require_GET
@login_required
def my_data_xlsx(request):
    return _own_data_download(request, own_data_workbook, "xlsx", XLSX_MEDIA_TYPE)


def too_many_requests(request, title, message, window):
    """The portal's page for a form sent too often: 429, the message with the minutes to wait, Retry-After."""
    context = {"title": title, "message": message % {"minutes": max(1, window // 60)}}
    response = render(request, "portal/message.html", context, status=429)
    response["Retry-After"] = str(window)
    return response


class MyPasswordChangeView(auth_views.PasswordChangeView):
    """A trainee changes their own password, typing the current one first; the login stays signed in. Staff change
    theirs in the admin: a login without a member record gets a 404, as for the export of one's own data."""

    template_name = "portal/form_page.html"
    success_url = reverse_lazy("portal:course-list")
    extra_context = {
        "title": gettext_lazy("Đổi mật khẩu"),
        "intro": gettext_lazy("Nhập mật khẩu đang dùng, rồi mật khẩu mới hai lần."),
        "submit_label": gettext_lazy("Đổi mật khẩu"),
    }

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and own_member_id(request.user) is None:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        # Typing the current password is a login the lockout does not see: a session left open must not become a
        # way to guess it, so the form takes as many tries per login as the login form, in the same cool-off.
        window = int(settings.AXES_COOLOFF_TIME.total_seconds())
        if spent("password-change", str(request.user.pk), limit=settings.AXES_FAILURE_LIMIT, window=window):
            return too_many_requests(
                request,
                _("Quá nhiều lần thử"),
                _(
                    "Đồng chí đã gửi biểu mẫu đổi mật khẩu quá nhiều lần trong thời gian ngắn. "
                    "Xin thử lại sau %(minutes)d phút."
                ),
                window,
            )
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("Đã đổi mật khẩu. Lần đăng nhập sau, đồng chí dùng mật khẩu mới."))
        return response


class LimitedPasswordResetView(auth_views.PasswordResetView):
    """Django's password-reset page, limited per address a link is asked for and per client address. Every
    well-formed request is counted, whether or not the address belongs to an account, so the answer over a limit
    (no mail, a 429 page) says nothing about the address either."""

    def form_valid(self, form):
        window = settings.PASSWORD_RESET_RATE_WINDOW
        address = comparable_address(form.cleaned_data["email"])
        # Both counted on every request: a client spreading over many addresses, or many clients over one.
        for_address = spent(
            "password-reset-address", address, limit=settings.PASSWORD_RESET_ADDRESS_LIMIT, window=window
        )
        from_client = over_limit(
            self.request, "password-reset-client", limit=settings.PASSWORD_RESET_CLIENT_LIMIT, window=window
        )
        if not (for_address or from_client):
            return super().form_valid(form)
        return too_many_requests(
            self.request,
            _("Quá nhiều yêu cầu"),
            _(
                "Đã có quá nhiều yêu cầu gửi liên kết đặt mật khẩu cho thư điện tử này hoặc từ máy này trong "
                "thời gian ngắn, nên chưa gửi thêm liên kết nào. Xin thử lại sau %(minutes)d phút."
            ),
            window,
        )
