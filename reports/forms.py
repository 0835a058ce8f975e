"""The dashboard's term chooser and the year chooser of the yearly workbook."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from oversight.forms import term_choices


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
