"""Login, logout and setting a password by a one-time link, with the portal's own templates.

The same one-time link serves a forgotten password and a new trainee account's first password.
"""

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy
from django.utils.translation import gettext_lazy as _

from organizations.forms import LoginForm
from portal.forms import SetPasswordLinkForm
from portal.views import LimitedPasswordResetView

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="portal/login.html", authentication_form=LoginForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password-reset/",
        LimitedPasswordResetView.as_view(
            form_class=SetPasswordLinkForm,
            template_name="portal/form_page.html",
            email_template_name="emails/password_reset.txt",
            subject_template_name="emails/password_reset_subject.txt",
            success_url=reverse_lazy("password-reset-done"),
            extra_context={
                "title": _("Quên mật khẩu"),
                "intro": _("Nhập thư điện tử của tài khoản; chúng tôi sẽ gửi một liên kết để đặt mật khẩu mới."),
                "submit_label": _("Gửi liên kết"),
            },
        ),
        name="password-reset",
    ),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(
            template_name="portal/message.html",
            extra_context={
                "title": _("Đã gửi liên kết"),
                "message": _("Nếu thư điện tử này thuộc một tài khoản, liên kết đặt mật khẩu đã được gửi tới đó."),
            },
        ),
        name="password-reset-done",
    ),
    path(
        "set-password/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="portal/form_page.html",
            success_url=reverse_lazy("password-reset-complete"),
            extra_context={"title": _("Đặt mật khẩu"), "submit_label": _("Lưu mật khẩu")},
        ),
        name="password-reset-confirm",
    ),
    path(
        "set-password/done/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="portal/message.html",
            extra_context={
                "title": _("Đã đặt mật khẩu"),
                "message": _("Mật khẩu đã được lưu. Đồng chí có thể đăng nhập."),
                "link_url": reverse_lazy("login"),
                "link_label": _("Đăng nhập"),
            },
        ),
        name="password-reset-complete",
    ),
]
