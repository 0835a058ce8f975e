"""Forms for certificates: the issue date and revoking with a reason (staff), and typing a code to verify (public)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from certificates.models import CODE_LENGTH, normalize_code


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("lý do thu hồi"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Lý do được lưu cùng giấy chứng nhận và trong lịch sử thay đổi."),
    )
    reissue = forms.BooleanField(
        label=_("cấp lại ngay"),
        required=False,
        help_text=_("Cấp giấy chứng nhận thay thế với số vào sổ mới, theo thông tin hiện tại của học viên."),
    )


class IssueForm(forms.Form):
    """The issue date of a class's certificates, typed dd/mm/yyyy; the rule it must keep is the services'."""

    issued_on = forms.DateField(
        label=_("ngày cấp"),
        widget=forms.DateInput(format="%d/%m/%Y", attrs={"size": 10, "autocomplete": "off"}),
        help_text=_("Dạng ngày/tháng/năm: không trước ngày bế giảng của lớp, không sau ngày hôm nay."),
        error_messages={"invalid": _("Hãy nhập ngày cấp dạng ngày/tháng/năm, ví dụ 15/12/2026.")},
    )


class VerifyForm(forms.Form):
    code = forms.CharField(
        label=_("Mã xác minh"),
        max_length=64,
        help_text=_("Mã in bên cạnh mã QR trên giấy chứng nhận, ví dụ 7KQ2-M9XA-4RTD-HC3P."),
    )

    def clean_code(self):
        code = normalize_code(self.cleaned_data["code"])
        if code is None:
            raise forms.ValidationError(
                _("Mã xác minh gồm %(length)d chữ và số (không có chữ O, chữ I, số 0, số 1).") % {"length": CODE_LENGTH}
            )
        return code
