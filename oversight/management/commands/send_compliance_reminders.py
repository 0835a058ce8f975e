"""Mail each committee's officers, once a month, the post holders of their sub-tree who are overdue or due soon."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from oversight.reminders import send_reminders


class Command(BaseCommand):
    help = (
        "Send this month's compliance reminders (oversight/reminders.py): one mail per committee officer and month, "
        "however often it runs."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Print who would get what; send nothing.")
        parser.add_argument("--on", help="Run as on this date (YYYY-MM-DD) instead of today.")

    def handle(self, *args, dry_run=False, on=None, **options):
        try:
            today = datetime.date.fromisoformat(on) if on else None
        except ValueError as error:
            raise CommandError(f"--on: {error}") from error
        reminders = send_reminders(today, dry_run=dry_run)
        verb = "would send" if dry_run else "sent"
        for reminder in reminders:
            addresses = ", ".join(user.email for user in reminder.recipients)
            self.stdout.write(
                f"{reminder.organization.code}: {verb} to {addresses}: "
                f"{len(reminder.overdue)} overdue, {len(reminder.due_soon)} due soon"
            )
            if dry_run:
                for holder in reminder.overdue + reminder.due_soon:
                    self.stdout.write(f"  {holder.member.full_name} ({holder.get_post_display()}) {holder.due_date}")
        mails = sum(len(reminder.recipients) for reminder in reminders)
        self.stdout.write(f"{mails} reminder(s) {verb}.")
