"""The admin page for importing a nomination list from Excel, on the generic import pages of
common/imports/views.py."""

from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy

from common.imports.views import ImportPage
from courses.models import Course
from enrollments.forms import NominationUploadForm
from enrollments.nomination_import import SPECS, import_nominations, import_template
from organizations.models import ImportRecord
from organizations.uploads import UPLOADS


class NominationsPage(ImportPage):
    def run_options(self, record):
        course = Course.objects.filter(code=record.target).first()
        if course is None:
            raise Http404
        return {**record.options, "course": course}

    def done_url(self, record):
        course = Course.objects.filter(code=record.target).first()
        return reverse("admin:courses_course_nominations", args=[course.pk])


NOMINATIONS_PAGE = NominationsPage(
    kind=ImportRecord.Kind.NOMINATIONS,
    title=gettext_lazy("Nhập danh sách cử đi học từ Excel"),
    intro=gettext_lazy(
        "Danh sách như các đơn vị vẫn gửi: STT, Họ và tên, Ngày sinh, Giới tính, Chức vụ, Chi bộ / Đảng bộ (mã hoặc "
        "tên), Đơn vị công tác, Email, Điện thoại. Đảng viên được nhận ra theo họ tên, ngày sinh và tổ chức đảng "
        "(không phân biệt dấu, hoa thường, khoảng trắng); việc cử theo đúng chỉ tiêu, hạn cử và các quy định như khi "
        "cử từng người."
    ),
    specs=SPECS,
    form_class=NominationUploadForm,
    template=import_template,
    template_name="mau-danh-sach-cu-di-hoc.xlsx",
    permissions=("enrollments.add_enrollment",),
    run=import_nominations,
    uploads=UPLOADS,
)
