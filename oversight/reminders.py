"""The monthly reminder of due dates: each committee's officers get one mail a month listing the post holders of
their committee's sub-tree who are overdue or due soon (oversight/compliance.py), sent by
`manage.py send_compliance_reminders`, which the deploy guide schedules monthly.

One mail per officer and month however often the command runs: the ReminderSent rows of a committee's officers
are inserted in the transaction that sends their mails. A second run finds them and sends nothing; two runs at
once collide on the rows' unique key, and the one that loses rolls back without sending. A committee where
nothing is overdue or due soon gets no mail (and no row, so a holder falling due later in the month is told)."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from common.localtime import local_today
from organizations.models import Appointment, Officer, Organization
from oversight import compliance
from oversight.models import ReminderSent


@dataclass
class Reminder:
    """The month's reminder of one committee: who gets it and which holders it lists."""

    organization: Organization
    recipients: list[Any]  # users
    overdue: list[Appointment] = field(default_factory=list)
    due_soon: list[Appointment] = field(default_factory=list)
    sent: bool = False


def committees_with_officers() -> dict[Organization, list[Any]]:
    """{committee: its active officers with an address}; the center's own staff (the root's) are left out."""
    officers = (
        Officer.objects.filter(organization__depth__gt=1, user__is_active=True, user__is_staff=True)
        .exclude(user__email="")
        .select_related("user", "organization")
        .order_by("organization__path", "user__username")
    )
    committees: dict[Organization, list[Any]] = defaultdict(list)
    for officer in officers:
        committees[officer.organization].append(officer.user)
    return committees


def reminder_for(organization: Organization, users: list[Any], today: datetime.date) -> Reminder:
    """The holders of the committee's sub-tree who are overdue or due soon, in the committee officers' view of
    them (their scope is the committee's): two queries, whatever the number of holders."""
    period = compliance.default_period()
    holders = compliance.holders_in(users[0], period, organization)
    within = Q(due_date__lte=today + datetime.timedelta(days=compliance.DUE_SOON_DAYS))
    reminder = Reminder(organization, users)
    for holder in compliance.missing(holders).filter(within):
        due_date = holder.due_date  # type: ignore[attr-defined]  # annotated by compliance.with_due_dates()
        (reminder.overdue if due_date < today else reminder.due_soon).append(holder)
    return reminder


def _labels(organization, holders):
    paths = {holder.organization.path for holder in holders}
    prefixes = {prefix for path in paths for prefix in Organization.path_prefixes(path)}
    return Organization.objects.filter(path__in=prefixes).path_labels()


def _messages(reminder: Reminder, month: datetime.date) -> list[EmailMultiAlternatives]:
    labels = _labels(reminder.organization, reminder.overdue + reminder.due_soon)
    for holder in reminder.overdue + reminder.due_soon:
        holder.label = labels.get(holder.organization.path, holder.organization.name)  # type: ignore[attr-defined]
    page = settings.SITE_URL.rstrip("/") + reverse("oversight:compliance")
    context = {
        "organization": reminder.organization,
        "month": month,
        "overdue": reminder.overdue,
        "due_soon": reminder.due_soon,
        "due_soon_days": compliance.DUE_SOON_DAYS,
        "overdue_url": f"{page}?org={reminder.organization.pk}&due=overdue",
        "due_soon_url": f"{page}?org={reminder.organization.pk}&due=due_soon",
    }
    # Written in the site's language, whatever language the command runs in.
    with translation.override(settings.LANGUAGE_CODE):
        subject = " ".join(render_to_string("emails/compliance_reminder_subject.txt", context).split())
        text = render_to_string("emails/compliance_reminder.txt", context)
        html = render_to_string("emails/compliance_reminder.html", context)
    messages = []
    for user in reminder.recipients:
        message = EmailMultiAlternatives(subject, text, to=[user.email])
        message.attach_alternative(html, "text/html")
        messages.append(message)
    return messages


def _send_once(reminder: Reminder, month: datetime.date) -> bool:
    """Record and send the committee's mails in one transaction; False when another run already did (or is)."""
    users = reminder.recipients
    try:
        with transaction.atomic():
            done = set(ReminderSent.objects.filter(user__in=users, month=month).values_list("user_id", flat=True))
            reminder.recipients = [user for user in users if user.pk not in done]
            if not reminder.recipients:
                return False
            # A concurrent run inserting the same rows waits here for this transaction, then fails on the key.
            ReminderSent.objects.bulk_create(
                ReminderSent(
                    user=user,
                    month=month,
                    organization=reminder.organization,
                    overdue=len(reminder.overdue),
                    due_soon=len(reminder.due_soon),
                )
                for user in reminder.recipients
            )
            get_connection().send_messages(_messages(reminder, month))
    except IntegrityError:
        reminder.recipients = []
        return False
    return True


def send_reminders(today: datetime.date | None = None, *, dry_run: bool = False) -> list[Reminder]:
    """This month's reminders, one per committee with officers and someone overdue or due soon; sent unless
    `dry_run` (then only listed). A fixed number of queries per committee."""
    today = today or local_today()
    month = today.replace(day=1)
    reminders = []
    for organization, users in committees_with_officers().items():
        reminder = reminder_for(organization, users, today)
        if not (reminder.overdue or reminder.due_soon):
            continue
        if dry_run:
            sent = set(ReminderSent.objects.filter(user__in=users, month=month).values_list("user_id", flat=True))
            reminder.recipients = [user for user in users if user.pk not in sent]
        else:
            reminder.sent = _send_once(reminder, month)
        if reminder.recipients:
            reminders.append(reminder)
    return reminders
