"""Login lockouts (django-axes): how many tries a login has left, which logins are locked out now, and unlocking
them early, recorded in the access log."""

from collections.abc import Iterable
from datetime import datetime

from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import CharField, DateTimeField, ExpressionWrapper, F, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from organizations.access_log import record_access
from organizations.models import AccessLog, Member
from organizations.permissions import may_unlock_logins


def lockout_minutes() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)


def tries_left(request: HttpRequest, username: str) -> int:
    """How many more failed logins this username has from this request's client address before the pair is locked
    out, counted as django-axes counts them (the e-mail address of an account counts as its username)."""
    failures = AxesProxyHandler.get_failures(request, {"username": username})
    return max(settings.AXES_FAILURE_LIMIT - failures, 0)


def last_try_warning(request: HttpRequest | None, username: str) -> str | None:
    """The warning a login form shows after a failure when the next failure would lock the login out, else None."""
    if request is None or not username or tries_left(request, username) != 1:
        return None
    return _(
        "Còn 1 lần thử: nếu nhập sai mật khẩu thêm một lần nữa, đăng nhập bằng tên này từ máy này sẽ bị tạm khóa "
        "%(minutes)s phút. Nếu quên mật khẩu, hãy dùng “Quên mật khẩu?”."
    ) % {"minutes": lockout_minutes()}


def lockout_threshold(now: datetime | None = None) -> datetime:
    """Attempts older than this have cooled off: their login is no longer locked out."""
    return (now or timezone.now()) - settings.AXES_COOLOFF_TIME


def locked_out_logins(now: datetime | None = None) -> QuerySet[AccessAttempt]:
    """The (username, client address) pairs locked out now: failures at or above the limit within the cool-off,
    each with the name and organization of the member whose login it is (blank for a name no member logs in
    with) and when the lockout ends, in a single query."""
    member = Member.objects.filter(user__username=OuterRef("username"))
    return (
        AccessAttempt.objects.filter(
            failures_since_start__gte=settings.AXES_FAILURE_LIMIT, attempt_time__gte=lockout_threshold(now)
        )
        .annotate(
            member_name=Coalesce(Subquery(member.values("full_name")[:1]), Value(""), output_field=CharField()),
            member_organization=Coalesce(
                Subquery(member.values("organization__name")[:1]), Value(""), output_field=CharField()
            ),
            locked_until=ExpressionWrapper(
                F("attempt_time") + Value(settings.AXES_COOLOFF_TIME), output_field=DateTimeField()
            ),
        )
        .order_by("-attempt_time")
    )


def unlock_logins(attempts: Iterable[AccessAttempt], *, by) -> int:
    """Unlock these locked-out logins now (each a username from a client address), writing who unlocked which to
    the access log; the number unlocked. Only the center unlocks (may_unlock_logins); attempts that are no longer
    locked out are left alone."""
    if not may_unlock_logins(by):
        raise PermissionDenied(_("Chỉ cán bộ Trung tâm được mở khóa đăng nhập."))
    ids = [attempt.pk for attempt in attempts]
    with transaction.atomic():
        locked = list(locked_out_logins().filter(pk__in=ids))
        if not locked:
            return 0
        AccessAttempt.objects.filter(pk__in=[attempt.pk for attempt in locked]).delete()
        record_access(
            by,
            AccessLog.Action.UNLOCK_LOGIN,
            parameters={
                "logins": [
                    {
                        "username": attempt.username,
                        "ip_address": attempt.ip_address,
                        "failures": attempt.failures_since_start,
                    }
                    for attempt in locked
                ]
            },
        )
    return len(locked)

