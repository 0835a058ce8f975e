"""Who the history records as having made a change outside a web request: a command's --by user, the user who
asked for a background task, or the system account.

In a request, simple_history's HistoryRequestMiddleware records the logged-in user. Commands and tasks have no
request, so they run their work inside acting_as(user), which gives simple_history the same thing the middleware
does: every history row written inside names that user, unless the code writing it names someone itself.
"""

from contextlib import contextmanager
from types import SimpleNamespace

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.models import HistoricalRecords

# The account changes are recorded under when no person is named: created on first use, inactive and without a
# usable password, so that nobody can ever log in with it, and without any permission.
SYSTEM_USERNAME = "system"

_NOTHING = object()


def system_user():
    user, _created = get_user_model().objects.get_or_create(
        username=SYSTEM_USERNAME,
        defaults={"first_name": "Hệ thống", "is_active": False, "password": make_password(None)},
    )
    return user


@contextmanager
def acting_as(user):
    """Record `user` (the system account if None) as the author of every history row written inside."""
    context = HistoricalRecords.context
    previous = getattr(context, "request", _NOTHING)
    # simple_history reads nothing of the request but its user.
    context.request = SimpleNamespace(user=user or system_user())
    try:
        yield context.request.user
    finally:
        if previous is _NOTHING:
            del context.request
        else:
            context.request = previous


def add_by_argument(parser):
    """The --by option of every command that changes data."""
    parser.add_argument(
        "--by",
        dest="username",
        metavar="USERNAME",
        help=gettext_lazy(
            "tài khoản được ghi vào lịch sử là người thực hiện (mặc định: tài khoản hệ thống “system”, "
            "lệnh chạy với quyền của Trung tâm)"
        ),
    )


def user_by_name(username):
    """The user a command's --by names, or None when it names nobody; an unknown name is an error."""
    if not username:
        return None
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise CommandError(_("Không có tài khoản %(username)s.") % {"username": username})
    return user


@contextmanager
def command_user(username):
    """For a command's work: yields the --by user (None when not given: the command line acts with the center's
    rights, as services take `by=None`), with the history recording that user or else the system account."""
    by = user_by_name(username)
    with acting_as(by):
        yield by
