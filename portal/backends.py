"""Log in with a username or with the e-mail address on the account."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


def account_for_email(address):
    """The one account with this e-mail address (any case), or None when there is none or more than one."""
    User = get_user_model()
    matches = list(User._default_manager.filter(email__iexact=address.strip())[:2])
    return matches[0] if len(matches) == 1 else None


def login_name(request, credentials):
    """The username a login attempt is for, as the login lockout counts it (settings.AXES_USERNAME_CALLABLE):
    an e-mail address counts as its account's username, so switching between the two, or the address's case,
    does not buy more tries."""
    login = ((credentials or {}).get("username") or request.POST.get("username") or "").strip()
    if "@" in login:
        account = account_for_email(login)
        return account.get_username() if account else login.lower()
    return login


class UsernameOrEmailBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if username and "@" in username:
            account = account_for_email(username)
            if account is None:
                # Unknown or shared address: run the hasher anyway so timing tells nothing.
                get_user_model()().set_password(password)
                return None
            username = account.get_username()
        return super().authenticate(request, username=username, password=password, **kwargs)
