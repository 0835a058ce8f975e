"""Forms of the staff pages for programs."""

from django import forms
from django.utils.translation import gettext_lazy as _

from courses.models import Program
from organizations.models import Post


class ProgramForm(forms.ModelForm):
    qualifying_posts = forms.MultipleChoiceField(
        label=_("chức vụ được công nhận"),
        choices=Post.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Program
        fields = ["code", "name", "version", "status", "completion_threshold", "pass_score", "qualifying_posts"]
