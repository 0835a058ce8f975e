"""Staff forms for certificates: revoking with a reason."""

from django import forms
from django.utils.translation import gettext_lazy as _


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
