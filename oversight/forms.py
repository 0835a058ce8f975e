"""The filters of the compliance page, and the choice of terms the report pages share."""

from django import forms
from django.utils.translation import gettext_lazy as _

from organizations.models import Post
from organizations.terms import current_term, term_periods


def term_choices():
    """The terms to choose from, newest first, "" (the default) for the current one; one query."""
    current = current_term()
    names = [period.term for period in term_periods()]
    return [("", _("Nhiệm kỳ hiện tại"))] + [
        (name, f"{name} ({_('hiện tại')})" if current and name == current.term else name) for name in reversed(names)
    ]


class ComplianceFilterForm(forms.Form):
    """Read from the query string; a bad value is reported and the page falls back to the default."""

    org = forms.IntegerField(required=False, widget=forms.HiddenInput)
    post = forms.ChoiceField(label=_("Chức vụ"), required=False, choices=[("", _("Mọi chức vụ")), *Post.choices])
    term = forms.ChoiceField(label=_("Nhiệm kỳ"), required=False)
    due = forms.ChoiceField(
        label=_("Hạn bồi dưỡng"),
        required=False,
        choices=[("", _("Mọi người chưa bồi dưỡng")), ("overdue", _("Quá hạn")), ("due_soon", _("Sắp đến hạn"))],
        error_messages={"invalid_choice": _("Hạn bồi dưỡng không hợp lệ: chọn “Quá hạn” hoặc “Sắp đến hạn”.")},
    )
    year = forms.IntegerField(
        label=_("Năm"),
        required=False,
        min_value=2000,
        max_value=2100,
        help_text=_("Để trống: tính theo nhiệm kỳ đã chọn (mặc định là nhiệm kỳ hiện tại)."),
        widget=forms.NumberInput(attrs={"placeholder": _("nhiệm kỳ")}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The terms are data (organizations.Term); the current one is the default.
        self.fields["term"].choices = term_choices()
