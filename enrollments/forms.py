"""Forms of the enrollments app: the staff's sheets, nominations and results, and the trainee's evaluation."""

import re
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from common.imports.forms import UploadForm
from courses.models import Course
from enrollments.models import Attendance, Enrollment
from enrollments.nominations import REASON_MAX_LENGTH, courses_open_for_nomination, nominate
from enrollments.rules import Grade
from enrollments.sheets import score_problem

# Digits with an optional sign and either decimal separator: "7,5" as Vietnamese writes it, "7.5"
# as a keyboard's number pad does. Anything else (thousands separators, exponents) is refused.
_SCORE_TEXT = re.compile(r"[+-]?\d+(?:[.,]\d+)?")


class SheetForm(forms.Form):
    """One field per trainee of a class, named after the enrollment, plus the sheet's version.

    Subclasses define row_field(enrollment, saved), the field of one trainee's row.
    """

    row_prefix = ""
    version = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, rows=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.row_names = {}
        for enrollment, saved in rows:
            name = f"{self.row_prefix}{enrollment.pk}"
            self.fields[name] = self.row_field(enrollment, saved)
            self.row_names[enrollment.pk] = name

    def row_values(self):
        """Enrollment id -> cleaned value, for the service."""
        return {enrollment_id: self.cleaned_data[name] for enrollment_id, name in self.row_names.items()}

    def add_row_errors(self, error):
        """Put a service's ValidationError (keyed by enrollment id) next to the rows it names."""
        for enrollment_id, messages in error.message_dict.items():
            self.add_error(self.row_names.get(enrollment_id), messages)


class AttendanceSheetForm(SheetForm):
    row_prefix = "status_"

    def row_field(self, enrollment, saved):
        return forms.ChoiceField(
            label=enrollment.member.full_name,
            choices=Attendance.Status.choices,
            initial=saved or Attendance.Status.PRESENT,
            widget=forms.RadioSelect,
            error_messages={
                "required": _("Hãy chọn một trạng thái điểm danh."),
                "invalid_choice": _("Trạng thái điểm danh không hợp lệ."),
            },
        )


class ScoreField(forms.CharField):
    """A final assessment score typed as text: empty for none, "7,5" or "7.5"."""

    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)
        self.widget.attrs.update({"inputmode": "decimal", "autocomplete": "off", "size": 4})

    def to_python(self, value):
        text = super().to_python(value)
        if text == "":
            return None
        if not _SCORE_TEXT.fullmatch(text):
            raise forms.ValidationError(
                _("Điểm phải là một số, ví dụ %(example)s.") % {"example": number_format(Decimal("7.5"), 1)},
                code="invalid",
            )
        return Decimal(text.replace(",", "."))

    def validate(self, value):
        super().validate(value)
        problem = score_problem(value) if value is not None else None
        if problem:
            raise forms.ValidationError(problem, code="out_of_range")


class ScoreSheetForm(SheetForm):
    row_prefix = "score_"

    def row_field(self, enrollment, saved):
        return ScoreField(
            label=enrollment.member.full_name,
            initial=number_format(saved, 1) if saved is not None else "",
        )


def add_service_error(form, error):
    """Put a service's ValidationError next to the fields it names, and the rest above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def reason_field(**kwargs):
    return forms.CharField(
        label=_("lý do"), max_length=REASON_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3}), **kwargs
    )


class NominationForm(forms.ModelForm):
    """The admin's form for adding an enrollment: it nominates through nominate()."""

    reason = reason_field(
        required=False, help_text=_("Bắt buộc khi danh sách lớp đã khóa (sau hạn cử học viên); được lưu vào lịch sử.")
    )

    class Meta:
        model = Enrollment
        fields = ["course", "member", "post"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["course"].queryset = courses_open_for_nomination(user)
        self.fields["post"].help_text = _("Để trống để lấy chức vụ hiện tại của đồng chí này.")

    def clean(self):
        cleaned_data = super().clean()
        if self.errors:
            return cleaned_data
        # The seats are counted under the course's lock and taken in the same step, so the form
        # nominates while it validates; the admin runs the request in one transaction, and a
        # refused nomination writes nothing.
        try:
            self.instance = nominate(
                cleaned_data["course"],
                cleaned_data["member"],
                by=self.user,
                post=cleaned_data["post"],
                reason=cleaned_data["reason"],
            )
        except ValidationError as error:
            add_service_error(self, error)
        else:
            cleaned_data["post"] = self.instance.post
        return cleaned_data


class WithdrawForm(forms.Form):
    reason = reason_field(
        required=False, help_text=_("Bắt buộc khi danh sách lớp đã khóa (sau hạn cử học viên); được lưu vào lịch sử.")
    )


class OverrideForm(forms.Form):
    completed = forms.TypedChoiceField(
        label=_("kết quả"),
        choices=[("1", _("Hoàn thành")), ("0", _("Không hoàn thành"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
    )
    grade = forms.ChoiceField(
        label=_("xếp loại"),
        choices=[("", _("theo điểm bài thu hoạch")), *Grade.choices],
        required=False,
        help_text=_("Chỉ khi hoàn thành."),
    )
    reason = forms.CharField(
        label=_("lý do điều chỉnh"),
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Hãy ghi lý do điều chỉnh kết quả.")},
    )


RATINGS = [(value, str(value)) for value in range(1, 6)]


class RatingField(forms.TypedChoiceField):
    widget = forms.RadioSelect(attrs={"class": "btn-check"})

    def __init__(self, **kwargs):
        super().__init__(
            choices=RATINGS,
            coerce=int,
            error_messages={
                "required": _("Hãy chọn một mức từ 1 đến 5."),
                "invalid_choice": _("Mức đánh giá phải từ 1 đến 5."),
            },
            **kwargs,
        )


class EvaluationForm(forms.Form):
    """The questions of the evaluation: three about the course, one per lecturer and topic taught."""

    organization_rating = RatingField(label=_("Công tác tổ chức lớp"))
    content_rating = RatingField(label=_("Nội dung chương trình"))
    materials_rating = RatingField(label=_("Tài liệu học tập"))
    comments = forms.CharField(
        label=_("Ý kiến khác"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": _("Ý kiến dài quá %(limit_value)d ký tự.")},
    )

    def __init__(self, *args, pairs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.lecturer_fields = {}
        for lecturer, topic in pairs:
            name = f"lecturer_{lecturer.pk}_{topic.pk}"
            self.fields[name] = RatingField(label=f"{lecturer} — {topic.title}")
            self.lecturer_fields[name] = (lecturer.pk, topic.pk)

    def course_fields(self):
        return [self[name] for name in ("organization_rating", "content_rating", "materials_rating")]

    def lecturer_rating_fields(self):
        return [self[name] for name in self.lecturer_fields]

    def submission(self):
        """The keyword arguments of submit_evaluation() from the cleaned answers."""
        data = self.cleaned_data
        return {
            "organization_rating": data["organization_rating"],
            "content_rating": data["content_rating"],
            "materials_rating": data["materials_rating"],
            "comments": data["comments"],
            "lecturer_ratings": {pair: data[name] for name, pair in self.lecturer_fields.items()},
        }


class NominationUploadForm(UploadForm):
    course = forms.ModelChoiceField(label=_("lớp"), queryset=Course.objects.none())
    create_members = forms.BooleanField(
        label=_("Thêm đảng viên chưa có trong hệ thống"),
        required=False,
        help_text=_(
            "Đồng chí không tìm thấy theo họ tên, ngày sinh và tổ chức đảng được thêm vào tổ chức đảng ghi trong tệp."
        ),
    )
    reason = reason_field(required=False, help_text=_("Bắt buộc khi danh sách lớp đã khóa (sau hạn cử học viên)."))
    field_order = ["course", "file", "create_members", "reason"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["course"].queryset = courses_open_for_nomination(user)

    def target(self):
        return self.cleaned_data["course"].code

    def options(self):
        return {"create_members": self.cleaned_data["create_members"], "reason": self.cleaned_data["reason"]}
