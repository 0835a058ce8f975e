"""Trainee logins: one per member, named by a generated code, created without a password, activated by a one-time
link."""

import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from simple_history.utils import bulk_update_with_history

from organizations.models import Member

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser

# Every trainee login is named the same way, "hv" and six characters ("hv7kq3xm"): read off the account sheet and
# typed on phones, so lower case without the look-alikes 0/o, 1/i/l; it says nothing about the person (an e-mail
# address as username would be printed on paper and go stale when the address changes: the address logs in as
# well, portal/backends.py). Logins made before this rule keep their names.
CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
CODE_PREFIX = "hv"
CODE_LENGTH = 6
TRAINEE_USERNAME = re.compile(f"{CODE_PREFIX}[{CODE_ALPHABET}]{{{CODE_LENGTH}}}")


def generated_username() -> str:
    return CODE_PREFIX + "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def _ids(members):
    """Members given as a query set stay a subquery; a list gives its primary keys."""
    if isinstance(members, QuerySet):
        return members.values("pk")
    return [member.pk for member in members]


def _free_codes(count):
    """`count` generated usernames that no login holds yet."""
    User = get_user_model()
    codes = set()
    while len(codes) < count:
        candidates = {generated_username() for _ in range(count - len(codes))} - codes
        taken = set(User._default_manager.filter(username__in=candidates).values_list("username", flat=True))
        codes |= candidates - taken
    return list(codes)


def ensure_trainee_accounts(members: Iterable[Member]) -> list[Member]:
    """Create a login for every member who has none; return the members that got one.

    The username is a generated code such as "hv7kq3xm" (TRAINEE_USERNAME) that no login holds yet; the member's
    e-mail address is the login's address, and logs in too. The password is unusable: the trainee sets one through
    a one-time link, so no password is ever shared or printed. Running it again creates nothing new.
    """
    User = get_user_model()
    with transaction.atomic():
        # Locked so that two staff sending links for the same class do not both create a login.
        pending = list(
            Member.objects.select_for_update().filter(pk__in=_ids(members), user__isnull=True).order_by("pk")
        )
        if not pending:
            return []
        users = []
        for member, username in zip(pending, _free_codes(len(pending)), strict=True):
            user = User(username=username, email=member.email.strip())
            user.set_unusable_password()
            users.append(user)
        User._default_manager.bulk_create(users)
        for member, user in zip(pending, users, strict=True):
            member.user = user
        bulk_update_with_history(pending, Member, ["user"])
    return pending


def set_password_url(user: "AbstractBaseUser") -> str:
    """The absolute one-time link to set this login's password; it dies once a password is set."""
    path = reverse(
        "password-reset-confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return settings.SITE_URL.rstrip("/") + path


def login_url() -> str:
    return settings.SITE_URL.rstrip("/") + reverse("login")


@dataclass
class ActivationReport:
    sent: list[Member] = field(default_factory=list)  # members e-mailed a link
    without_email: list[Member] = field(default_factory=list)  # members with no address to send it to
    already_active: list[Member] = field(default_factory=list)  # members who have set their password


def send_activation_links(members: Iterable[Member]) -> ActivationReport:
    """Create the missing logins and e-mail each member who has not set a password yet a one-time
    link to set it. Members who already set one are left alone: their own reset page serves them.
    """
    ensure_trainee_accounts(members)
    report = ActivationReport()
    messages = []
    for member in Member.objects.filter(pk__in=_ids(members)).select_related("user").roster_order():
        if member.user.has_usable_password():
            report.already_active.append(member)
        elif not member.email.strip():
            report.without_email.append(member)
        else:
            messages.append(_activation_message(member))
            report.sent.append(member)
    if messages:
        get_connection().send_messages(messages)
    return report


def _activation_message(member):
    context = {
        "member": member,
        "username": member.user.get_username(),
        "set_password_url": set_password_url(member.user),
        "login_url": login_url(),
        "valid_days": settings.PASSWORD_RESET_TIMEOUT // (24 * 60 * 60),
    }
    subject = " ".join(render_to_string("emails/activation_subject.txt", context).split())
    body = render_to_string("emails/activation.txt", context)
    return EmailMessage(subject, body, to=[member.email.strip()])
