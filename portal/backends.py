"""Log in with a username or with the e-mail address on the account."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class UsernameOrEmailBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if username and "@" in username:
            User = get_user_model()
            matches = list(User._default_manager.filter(email__iexact=username.strip())[:2])
            if len(matches) != 1:
                # Unknown or shared address: run the hasher anyway so timing tells nothing.
                User().set_password(password)
                return None
            username = matches[0].get_username()
        return super().authenticate(request, username=username, password=password, **kwargs)
