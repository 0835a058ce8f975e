"""The portal's variant of Django's password-reset form."""

import unicodedata

from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordResetForm


def comparable_address(email: str) -> str:
    # Unicode's case-insensitive match of identifiers (UTR 36), as Django's own form compares them.
    return unicodedata.normalize("NFKC", email).casefold()


def _same_address(first, second):
    return comparable_address(first) == comparable_address(second)


class SetPasswordLinkForm(PasswordResetForm):
    """Also sends a link to an active login that has no password yet: a trainee whose activation link
    was lost or has expired asks for a new one the way anyone asks after a forgotten password.
    Django's own form skips such logins, which would leave that trainee with no way in."""

    def get_users(self, email):
        User = get_user_model()
        email_field = User.get_email_field_name()
        users = User._default_manager.filter(**{f"{email_field}__iexact": email, "is_active": True})
        return (user for user in users if _same_address(email, getattr(user, email_field)))
