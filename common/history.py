"""Who the history records as having made a change outside a web request: a command's --by user, the user who
asked for a background task, or the system account.

In a request, simple_history's HistoryRequestMiddleware records the logged-in user. Commands and tasks have no
request, so they run their work inside acting_as(user), which gives simple_history the same thing the middleware
does: every history row written inside names that user, unless the code writing it names someone itself.

A service that saves one row on someone's behalf names them and says why with attribute(instance, by=, reason=);
change_reason(model, text) fits a reason to the model's history column, for bulk writes.
"""

import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from types import SimpleNamespace
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import CommandError
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.models import HistoricalRecords

# The account changes are recorded under when no person is named: created on first use, inactive and without a
# usable password, so that nobody can ever log in with it, and without any permission.
SYSTEM_USERNAME = "system"

_NOTHING = object()


def system_user() -> Any:
    user, _created = get_user_model().objects.get_or_create(
        username=SYSTEM_USERNAME,
        defaults={"first_name": "Hệ thống", "is_active": False, "password": make_password(None)},
    )
    return user


@contextmanager
def acting_as(user: Any) -> Iterator[Any]:
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


def change_reason_length(model: Any) -> int | None:
    """How many characters `model`'s history keeps of a change reason: its column's length, so the schema sets
    the one limit (None: unbounded)."""
    return model.history.model._meta.get_field("history_change_reason").max_length


def change_reason(model: Any, text: str | None) -> str | None:
    """`text` as `model`'s history can keep it: None when empty, else NFC-normalized (as every Vietnamese text the
    product keeps) and cut to change_reason_length() with an ellipsis."""
    if not text:
        return None
    text = unicodedata.normalize("NFC", text)
    limit = change_reason_length(model)
    if limit is None or len(text) <= limit:
        return text
    return Truncator(text).chars(limit)


def attribute(instance: Any, *, by: Any, reason: str | None) -> None:
    """Make the next save() of `instance` record `by` as its author (when None, whoever the request or the
    surrounding acting_as() names) and `reason` as its change reason, fitted to the history column."""
    if by is not None:
        instance._history_user = by
    instance._change_reason = change_reason(type(instance), reason)


def add_by_argument(parser: Any) -> None:
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


def user_by_name(username: str | None) -> Any:
    """The user a command's --by names, or None when it names nobody; an unknown name is an error."""
    if not username:
        return None
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise CommandError(_("Không có tài khoản %(username)s.") % {"username": username})
    return user


@contextmanager
def command_user(username: str | None) -> Iterator[Any]:
    """For a command's work: yields the --by user (None when not given: the command line acts with the center's
    rights, as services take `by=None`), with the history recording that user or else the system account."""
    by = user_by_name(username)
    with acting_as(by):
        yield by
