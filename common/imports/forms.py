"""The forms of the import pages: the file to upload (each import adds its choices) and the confirmation."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.imports.spreadsheets import check_file_size, max_file_megabytes


class UploadForm(forms.Form):
    """The file to import; subclasses add the import's choices, kept on the upload by options()."""

    file = forms.FileField(
        label=gettext_lazy("tệp Excel (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["file"].help_text = _("Tệp .xlsx lưu từ Excel hoặc LibreOffice, tối đa %(limit)d MB.") % {
            "limit": max_file_megabytes()
        }

    def clean_file(self):
        upload = self.cleaned_data["file"]
        check_file_size(upload.size)
        self.data_bytes = upload.read()
        return upload

    def target(self):
        return ""

    def options(self):
        return {}


class ConfirmForm(forms.Form):
    valid_only = forms.BooleanField(
        label=gettext_lazy("Chỉ nhập các dòng hợp lệ, bỏ qua các dòng không nhận được"), required=False
    )
