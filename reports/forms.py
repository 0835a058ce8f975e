"""The filters of the compliance page and the year chooser of the yearly workbook."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organizations.models import Post


class ComplianceFilterForm(forms.Form):
    """Read from the query string; a bad value is reported and the page falls back to the default."""

    org = forms.IntegerField(required=False, widget=forms.HiddenInput)
    post = forms.ChoiceField(label=_("Chức vụ"), required=False, choices=[("", _("Mọi chức vụ")), *Post.choices])
    year = forms.IntegerField(
        label=_("Năm"),
        required=False,
        min_value=2000,
        max_value=2100,
        help_text=_("Để trống: tính theo nhiệm kỳ hiện tại."),
        widget=forms.NumberInput(attrs={"placeholder": _("nhiệm kỳ")}),
    )


class YearReportForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Năm báo cáo"), coerce=int)

    def __init__(self, *args, years, **kwargs):
        super().__init__(*args, **kwargs)
        this_year = timezone.localdate().year
        years = sorted(set(years) | {this_year}, reverse=True)
        self.fields["year"].choices = [(year, year) for year in years]
        self.fields["year"].initial = max((year for year in years if year <= this_year), default=this_year)
