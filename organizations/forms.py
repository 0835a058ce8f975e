"""Forms of the staff pages for the party tree, and the login forms that warn before a lockout."""

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from organizations.access import scope_of
from organizations.lockouts import last_try_warning
from organizations.models import Organization


class OrganizationForm(forms.ModelForm):
    parent = forms.ModelChoiceField(
        label=_("tổ chức cấp trên"),
        queryset=Organization.objects.none(),
        required=False,
        help_text=_("Để trống chỉ khi tạo Đảng bộ Khối (gốc của cây)."),
    )

    class Meta:
        model = Organization
        fields = ["parent", "kind", "code", "name", "short_name", "can_self_organize"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        parents = Organization.objects.for_user(user)
        if self.instance.pk:
            parents = parents.exclude(path__startswith=self.instance.path)
            self.fields["parent"].initial = Organization.objects.get_parent(self.instance)
        self.fields["parent"].queryset = parents
        if not scope_of(user).everything:
            self.fields["parent"].required = True

    def clean_parent(self):
        parent = self.cleaned_data["parent"]
        if parent is None and Organization.objects.get_root_nodes().exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("Đã có Đảng bộ Khối; hãy chọn tổ chức cấp trên."))
        return parent


class LoginForm(AuthenticationForm):
    """The portal's login form: a failed login also says so when the next failure would lock the login out
    (organizations/lockouts.py)."""

    def get_invalid_login_error(self):
        error = super().get_invalid_login_error()
        warning = last_try_warning(self.request, self.cleaned_data.get("username") or "")
        if warning is None:
            return error
        return ValidationError([error, ValidationError(warning, code="last_try")])


class AdminLoginForm(LoginForm, AdminAuthenticationForm):
    """The admin's login form, with the same warning."""
