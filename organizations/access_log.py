"""The access log's two services: record_access() writes one row per read of personal data, prune_access_log()
removes the rows older than ACCESS_LOG_RETENTION_DAYS."""

import datetime
import ipaddress

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone

from organizations.models import AccessLog

LABEL_LENGTH = AccessLog._meta.get_field("object_label").max_length


def record_access(
    request_or_user: HttpRequest | AbstractBaseUser | None,
    action: str,
    *,
    obj: models.Model | None = None,
    parameters: dict | None = None,
) -> AccessLog:
    """Write that the request's user (or this user, outside a request) read `obj` or exported what `parameters`
    describe. One INSERT, whatever the export holds: callers describe a list by its filters or ids, never one
    row per person. The object's label is its str(), so callers hand in objects whose str() reads nothing more."""
    if isinstance(request_or_user, HttpRequest):
        user = request_or_user.user
        address = _address(request_or_user.META.get("REMOTE_ADDR", ""))
    else:
        user, address = request_or_user, None  # type: ignore[assignment]
    entry = AccessLog(
        user=user if user is not None and user.is_authenticated else None,
        username=user.get_username() if user is not None else "",
        action=action,
        parameters=parameters or {},
        client_address=address,
    )
    if obj is not None:
        # get_for_model() is served from the content-type cache after its first use in the process.
        entry.content_type = ContentType.objects.get_for_model(obj)
        entry.object_id = str(obj.pk)
        entry.object_label = str(obj)[:LABEL_LENGTH]
    entry.save()
    return entry


def _address(value):
    """The client address as stored: ClientAddressMiddleware has already picked it behind proxies; anything that
    is not an address (a test client, a misconfigured proxy) is kept as unknown rather than refused."""
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def retention_cutoff(now: datetime.datetime | None = None) -> datetime.datetime:
    return (now or timezone.now()) - datetime.timedelta(days=settings.ACCESS_LOG_RETENTION_DAYS)


@transaction.atomic
def prune_access_log(now: datetime.datetime | None = None) -> int:
    """Delete the rows older than ACCESS_LOG_RETENTION_DAYS before `now`; the number deleted. The only way a row
    leaves the log (the scheduled prune job calls it)."""
    deleted, _by_model = AccessLog.objects.filter(at__lt=retention_cutoff(now))._prune()
    return deleted
