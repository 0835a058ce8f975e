"""The filters of the compliance page and the year chooser of the yearly workbook."""

from django import forms
from django.utils import timezone
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


class TermForm(forms.Form):
    """The dashboard's choice of the term its compliance figures count in."""

    term = forms.ChoiceField(label=_("Nhiệm kỳ"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["term"].choices = term_choices()


class YearReportForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Năm báo cáo"), coerce=int)
    term = forms.ChoiceField(
        label=_("Nhiệm kỳ"), required=False, help_text=_("Chức vụ phải bồi dưỡng được tính theo nhiệm kỳ này.")
    )

    def __init__(self, *args, years, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["term"].choices = term_choices()
        this_year = timezone.localdate().year
        years = sorted(set(years) | {this_year}, reverse=True)
        self.fields["year"].choices = [(year, year) for year in years]
        self.fields["year"].initial = max((year for year in years if year <= this_year), default=this_year)
