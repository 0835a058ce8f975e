"""Login lockouts (django-axes): how many tries a login has left, which logins are locked out now, and unlocking
them early, recorded in the access log."""

from collections.abc import Iterable
from datetime import datetime

from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import CharField, F, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from organizations.access_log import record_access
from organizations.models import AccessLog, LockedOutLogin, Member
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
    """Failures older than this have cooled off: they no longer count towards a lockout."""
    return (now or timezone.now()) - settings.AXES_COOLOFF_TIME


def locked_out_logins(now: datetime | None = None) -> QuerySet[LockedOutLogin]:
    """The (username, client address) pairs locked out now, as django-axes decides it: their failures within the
    cool-off add up to the limit or more (django-axes keeps one row per browser, so a pair may have several). One
    row per pair, its latest, with the pair's `failures`, and the name and organization of the member whose login
    it is (blank for a name no member logs in with); a single query whatever the number."""
    recent = LockedOutLogin.objects.filter(attempt_time__gte=lockout_threshold(now))
    same_pair = recent.filter(username=OuterRef("username"), ip_address=OuterRef("ip_address")).order_by()
    member = Member.objects.filter(user__username=OuterRef("username"))
    return (
        recent.annotate(
            failures=Subquery(same_pair.values("username").annotate(total=Sum("failures_since_start")).values("total")),
            latest=Subquery(same_pair.order_by("-attempt_time", "-pk").values("pk")[:1]),
            member_name=Coalesce(Subquery(member.values("full_name")[:1]), Value(""), output_field=CharField()),
            member_organization=Coalesce(
                Subquery(member.values("organization__name")[:1]), Value(""), output_field=CharField()
            ),
        )
        .filter(failures__gte=settings.AXES_FAILURE_LIMIT, pk=F("latest"))
        .order_by("-attempt_time", "-pk")
    )


def locked_until(login: AccessAttempt) -> datetime:
    return login.attempt_time + settings.AXES_COOLOFF_TIME


def unlock_logins(logins: Iterable[AccessAttempt], *, by) -> int:
    """Unlock these logins now, each a username from a client address, so the next try counts from zero, and write
    who unlocked which to the access log; the number unlocked. Only the center unlocks (may_unlock_logins); a login
    that is no longer locked out is left as it is."""
    if not may_unlock_logins(by):
        raise PermissionDenied(_("Chỉ cán bộ Trung tâm được mở khóa đăng nhập."))
    ids = [login.pk for login in logins]
    with transaction.atomic():
        locked = list(locked_out_logins().filter(pk__in=ids))
        if not locked:
            return 0
        pairs = Q(pk__in=[])
        for login in locked:
            pairs |= Q(username=login.username, ip_address=login.ip_address)
        AccessAttempt.objects.filter(pairs).delete()
        record_access(
            by,
            AccessLog.Action.UNLOCK_LOGIN,
            parameters={
                "logins": [
                    {"username": login.username, "ip_address": login.ip_address, "failures": login.failures}
                    for login in locked
                ]
            },
        )
    return len(locked)
