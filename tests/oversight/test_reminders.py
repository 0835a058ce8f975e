"""The monthly reminder: each committee's officers get one mail a month, in Vietnamese, listing their sub-tree's
overdue and soon-due holders; reruns send nothing more, the next month sends again."""

import datetime
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.test import override_settings

from oversight import compliance, reminders
from oversight.models import ReminderSent
from tests import factories

pytestmark = [pytest.mark.usefixtures("in_the_2020_term"), pytest.mark.django_db]


@pytest.fixture
def today():
    return compliance.local_today()


@pytest.fixture
def soon_due(world, today):
    """A holder of cell A due within the due-soon window (grace 3 months, appointed 60 days ago)."""
    member = factories.MemberFactory(full_name="Đặng Thu Trang", organization=world.cell_a)
    return factories.AppointmentFactory(
        member=member, organization=world.cell_a, start_date=today - datetime.timedelta(days=60)
    )


def run(*args):
    out = StringIO()
    call_command("send_compliance_reminders", *args, stdout=out)
    return out.getvalue()


@override_settings(COMPLIANCE_GRACE_MONTHS=3)
def test_each_committees_officers_get_their_overdue_and_soon_due_holders_in_vietnamese(world, soon_due):
    run()
    # Committee A: Lê Minh Châu (overdue) and Đặng Thu Trang (due soon); committee B: its secretary is trained.
    [message] = mail.outbox
    assert message.to == [world.officer_a.email]
    assert "Nhắc hạn bồi dưỡng tháng" in message.subject and "1 quá hạn, 1 sắp đến hạn" in message.subject
    body = message.body
    overdue, due_soon = body.index("Quá hạn (1 người)"), body.index("Sắp đến hạn trong 60 ngày (1 người)")
    assert overdue < body.index("Lê Minh Châu") < due_soon < body.index("Đặng Thu Trang")
    assert "Võ Thanh Bình" not in body and "Bộ Tư pháp" not in body
    due = compliance.with_due_dates(type(soon_due).objects.filter(pk=soon_due.pk)).get().due_date
    assert due.strftime("%d/%m/%Y") in body and "/oversight/compliance/?org=" in body
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html" and 'lang="vi"' in html and "Đặng Thu Trang" in html
    assert ReminderSent.objects.get().user == world.officer_a


def test_one_mail_per_officer_and_month_however_often_it_runs(world, today):
    run()
    assert len(mail.outbox) == 1
    run()
    run()
    assert len(mail.outbox) == 1
    next_month = (today.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
    run("--on", next_month.isoformat())
    assert len(mail.outbox) == 2
    assert ReminderSent.objects.filter(user=world.officer_a).count() == 2


def test_nobody_overdue_or_due_soon_no_mail(world):
    world.appointment_a.requires_training = False
    world.appointment_a.save()
    assert "0 reminder(s) sent" in run()
    assert mail.outbox == [] and not ReminderSent.objects.exists()


def test_every_officer_of_the_committee_gets_one_and_a_sub_committee_its_own(world):
    second = factories.UserFactory(username="canbo.a2", is_staff=True)
    factories.OfficerFactory(user=second, organization=world.committee_a)
    cell = factories.UserFactory(username="canbo.chibo", is_staff=True)
    factories.OfficerFactory(user=cell, organization=world.cell_a)
    run()
    assert sorted(message.to[0] for message in mail.outbox) == sorted([world.officer_a.email, second.email, cell.email])
    # The center's own staff (officers of the root) are not reminded.
    assert world.center_staff.email not in [message.to[0] for message in mail.outbox]


def test_the_dry_run_prints_who_would_get_what_and_sends_nothing(world):
    out = run("--dry-run")
    assert f"would send to {world.officer_a.email}: 1 overdue, 0 due soon" in out and "Lê Minh Châu" in out
    assert mail.outbox == [] and not ReminderSent.objects.exists()


def test_a_concurrent_run_that_recorded_first_wins(world, today, monkeypatch):
    """Another run's row appears between this run's check and its insert: the unique key stops this one."""
    month = today.replace(day=1)
    original = reminders.ReminderSent.objects.bulk_create

    def raced(rows, *args, **kwargs):
        with transaction.atomic():
            ReminderSent.objects.create(user=world.officer_a, month=month, organization=world.committee_a)
        return original(rows, *args, **kwargs)

    monkeypatch.setattr(reminders.ReminderSent.objects, "bulk_create", raced)
    assert reminders.send_reminders(today) == []
    assert mail.outbox == []
    assert ReminderSent.objects.count() == 0  # rolled back together, as the other run's would commit once


def test_the_unique_key_holds_in_the_database(world, today):
    ReminderSent.objects.create(user=world.officer_a, month=today.replace(day=1), organization=world.committee_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReminderSent.objects.create(user=world.officer_a, month=today.replace(day=1), organization=world.committee_a)


@override_settings(COMPLIANCE_GRACE_MONTHS=3)
def test_queries_per_committee_do_not_grow_with_its_holders(world, today, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        reminders.send_reminders(today, dry_run=True)
    started = today - datetime.timedelta(days=60)
    for _ in range(30):
        member = factories.MemberFactory(organization=world.cell_a)
        factories.AppointmentFactory(member=member, organization=world.cell_a, start_date=started)
    with django_assert_max_num_queries(len(small)):
        [reminder] = reminders.send_reminders(today, dry_run=True)
    assert len(reminder.overdue) + len(reminder.due_soon) == 31
