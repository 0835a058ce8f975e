"""Forms of the staff pages for programs, classes and their sessions."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

from courses import lifecycle
from courses.models import Program
from courses.scheduling import Frame, course_change_errors, lock_lecturers, schedule_errors
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


class TopicChoiceField(forms.ModelChoiceField):
    """A topic named with its program's code, so topics of the same title in two programs stay apart."""

    def label_from_instance(self, obj):
        return f"{obj.program.code} — {obj}"


class SessionInlineFormSet(BaseInlineFormSet):
    """A class's sessions as one schedule: with the class's dates and program as typed in on the same page (the
    class may not be saved yet), two rows in one slot and a lecturer booked in another class are refused on
    the row. Each row's own rules (dates, topic) ran in Session.clean."""

    def validate_unique(self):
        # The slot rule below says it on the row, also for a class not saved yet.
        pass

    def clean(self):
        super().clean()
        rows = [
            form
            for form in self.forms
            if form.is_valid() and not self._should_delete_form(form) and (form.instance.pk or form.has_changed())
        ]
        self._refuse_taking_a_slot_being_freed(rows)
        sessions = [form.instance for form in rows]
        lock_lecturers(sessions)
        for form, errors in zip(rows, schedule_errors(sessions, Frame.of(self.instance), each=False), strict=True):
            for field, messages in errors.items():
                for message in messages:
                    form.add_error(field, message)

    def _refuse_taking_a_slot_being_freed(self, rows):
        """Rows are saved one by one, so a session moved into the slot another saved session leaves (a swap, or
        a row deleted further down) would meet it there: one step at a time says so instead of failing."""
        leaving = {}
        for form in self.initial_forms:
            slot = (form.initial.get("date"), form.initial.get("period"))
            if self._should_delete_form(form) or (form.is_valid() and form.has_changed() and _slot(form) != slot):
                leaving[slot] = form
        for form in rows:
            other = leaving.get(_slot(form))
            if form.instance.pk and other is not None and other is not form and form.has_changed():
                form.add_error(
                    "date",
                    _(
                        "Buổi này chuyển vào đúng ngày, buổi của một buổi học khác đang được đổi hoặc xóa trong "
                        "cùng lần lưu; hãy lưu từng bước: chuyển hoặc xóa buổi kia trước."
                    ),
                )


def _slot(form):
    return (form.cleaned_data.get("date"), form.cleaned_data.get("period"))


class SessionForm(forms.ModelForm):
    """One session on its own page: its lecturer must not teach another class in the slot."""

    def _post_clean(self):
        super()._post_clean()
        session = self.instance
        if self.errors or not session.course_id:
            return
        reason = lifecycle.read_only_reason(session.course)
        if reason:
            self.add_error("course", reason)
            return
        lock_lecturers([session])
        for field, messages in schedule_errors([session], Frame.of(session.course), each=False)[0].items():
            for message in messages:
                self.add_error(field, message)


class CourseForm(forms.ModelForm):
    """The class's own fields. Where the page does not edit the sessions alongside (the inline checks them with
    the new dates and program), new dates or a new program are refused while saved sessions would break them."""

    sessions_edited_alongside = True
    # Who saves it (the admin sets it): the rules of courses.lifecycle.check_course_details() are asked for them.
    acting_user: Any = None

    def _post_clean(self):
        super()._post_clean()
        if not self.errors and self.acting_user is not None:
            try:
                lifecycle.check_course_details(self.instance, by=self.acting_user)
            except ValidationError as error:
                self.add_error(None, error)
        if self.sessions_edited_alongside or self.errors:
            return
        for field, messages in course_change_errors(self.instance).items():
            for message in messages:
                self.add_error(field, message)
