"""Compliance tallies: how many current posts that require training each tally unit holds, by post and by the year
their holder was last certified for it, kept exact as posts, certificates, programs, courses and the tree change.

CountedPost holds one row per counted post (current, requiring training) as last counted, ComplianceTally the
number of them per unit, post and certified year (oversight/models.py). refresh() recounts the posts it is given from
the live data, with compliance.qualifying_certificates() (the definition the compliance page lists holders by),
and applies the differences in the transaction that made them. The receivers below call it for every write: one
row through save() and delete(), many through bulk_create() and bulk_update() (common.signals.bulk_saved).
rebuild() counts everything again: the migration that adds the tables runs it, and `manage.py rebuild_compliance`
after data was loaded behind the ORM's back (bench/scale.py's COPY).
"""

from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db import connection, transaction
from django.db.models import Case, DateField, F, Subquery, Value, When
from django.db.models.functions import Substr
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver
from django_tasks import task
from treebeard.mp_tree import path_updated

from certificates.models import Certificate
from common.signals import bulk_saved
from courses.models import Course, Program
from enrollments.models import Enrollment
from enrollments.training import qualifying_programs
from organizations.models import Appointment, Organization
from oversight.compliance import UNIT_DEPTH, qualifying_certificates
from oversight.models import ComplianceTally, CountedPost

if TYPE_CHECKING:
    from django.db.models import QuerySet

CHUNK = 5000
APPOINTMENT_FIELDS = {"member", "member_id", "organization", "organization_id", "post", "is_current"}
APPOINTMENT_FIELDS |= {"requires_training"}
CERTIFICATE_FIELDS = {"enrollment", "enrollment_id", "status", "issued_on"}


def _key(unit_id, post, certified_on):
    return unit_id, post, certified_on.year if certified_on else 0


def _counted_now(appointment_ids):
    """{id: (organization id, unit id, post, certified on)} for those of these appointments that count now."""
    programs = qualifying_programs()
    newest = [
        When(post=post, then=Subquery(qualifying_certificates(ids).order_by("-issued_on").values("issued_on")[:1]))
        for post, ids in programs.items()
    ]
    certified_on = Case(*newest, default=Value(None), output_field=DateField()) if newest else Value(None, DateField())
    rows = list(
        Appointment.objects.filter(pk__in=appointment_ids, is_current=True, requires_training=True)
        .annotate(newest=certified_on, unit_path=Substr("organization__path", 1, UNIT_DEPTH * Organization.steplen))
        .order_by()
        .values_list("pk", "organization_id", "unit_path", "post", "newest")
    )
    units = dict(Organization.objects.filter(path__in={row[2] for row in rows}).values_list("path", "pk"))
    return {pk: (organization_id, units[unit], post, newest) for pk, organization_id, unit, post, newest in rows}


def _counted_post(pk, values):
    organization_id, unit_id, post, certified_on = values
    return CountedPost(
        appointment_id=pk, organization_id=organization_id, unit_id=unit_id, post=post, certified_on=certified_on
    )


def _add(deltas):
    changes = sorted((key, delta) for key, delta in deltas.items() if delta)
    ComplianceTally.objects.bulk_create(
        [ComplianceTally(unit_id=unit, post=post, certified_year=year) for (unit, post, year), _delta in changes],
        ignore_conflicts=True,
    )
    # One row at a time and in key order, so that writers in other transactions lock tally rows in the same order.
    for (unit, post, year), delta in changes:
        ComplianceTally.objects.filter(unit_id=unit, post=post, certified_year=year).update(
            holders=F("holders") + delta
        )


def _apply(counted, now):
    """Bring the counted posts `counted` ({id: CountedPost}) to `now` ({id: values}), and the tallies with them."""
    deltas = Counter()
    changed, gone = [], []
    for pk, row in counted.items():
        values = now.get(pk)
        if values == (row.organization_id, row.unit_id, row.post, row.certified_on):
            continue
        deltas[_key(row.unit_id, row.post, row.certified_on)] -= 1
        if values is None:
            gone.append(pk)
            continue
        row.organization_id, row.unit_id, row.post, row.certified_on = values
        deltas[_key(*values[1:])] += 1
        changed.append(row)
    new = [_counted_post(pk, values) for pk, values in now.items() if pk not in counted]
    deltas.update(_key(row.unit_id, row.post, row.certified_on) for row in new)
    CountedPost.objects.filter(pk__in=gone).delete()
    CountedPost.objects.bulk_update(changed, ["organization", "unit", "post", "certified_on"])
    CountedPost.objects.bulk_create(new)
    _add(deltas)


@transaction.atomic
def _refresh(appointment_ids):
    # The appointments are locked in id order first: two writers recounting the same posts take turns.
    ids = list(
        Appointment.objects.select_for_update()
        .filter(pk__in=appointment_ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    _apply({row.pk: row for row in CountedPost.objects.filter(pk__in=ids)}, _counted_now(ids))


def refresh(appointments: "QuerySet[Appointment]") -> None:
    """Recount these appointments (a query set of them) and apply the differences to the tallies."""
    ids = list(appointments.order_by("pk").values_list("pk", flat=True).distinct())
    for start in range(0, len(ids), CHUNK):
        _refresh(ids[start : start + CHUNK])


def forget(appointment_ids: Iterable[int]) -> None:
    """Take these appointments out of the tallies (they are being deleted)."""
    _apply({row.pk: row for row in CountedPost.objects.filter(pk__in=appointment_ids)}, {})


@transaction.atomic
def rebuild() -> int:
    """Count every post again from scratch."""
    if connection.vendor == "postgresql":
        # After a bulk load the tables read below may have no planner statistics yet, and without them each
        # chunk's certificate look-ups were planned as scans of the whole table (minutes a chunk at national size).
        with connection.cursor() as cursor:
            tables = [model._meta.db_table for model in (Organization, Appointment, Course, Enrollment, Certificate)]
            cursor.execute(f"ANALYZE {', '.join(tables)}")
    ComplianceTally.objects.all().delete()
    CountedPost.objects.all().delete()
    counted = Appointment.objects.filter(is_current=True, requires_training=True).order_by("pk")
    ids = list(counted.values_list("pk", flat=True))
    tallies: Counter = Counter()
    for start in range(0, len(ids), CHUNK):
        now = _counted_now(ids[start : start + CHUNK])
        CountedPost.objects.bulk_create(_counted_post(pk, values) for pk, values in now.items())
        tallies.update(_key(*values[1:]) for values in now.values())
    ComplianceTally.objects.bulk_create(
        ComplianceTally(unit_id=unit, post=post, certified_year=year, holders=holders)
        for (unit, post, year), holders in sorted(tallies.items())
    )
    if connection.vendor == "postgresql":
        # Planner statistics now, not when autovacuum gets round to the tables the pages read.
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {CountedPost._meta.db_table}, {ComplianceTally._meta.db_table}")
    return len(ids)


@task()
def refresh_posts_task(posts: list[str]) -> None:
    """Recount every holder of these posts, after the programs that qualify them changed: a whole country's
    holders of a post are too many for the request that saved the program."""
    refresh(Appointment.objects.filter(post__in=posts))


def _members_of(enrollment_ids):
    return Appointment.objects.filter(
        member_id__in=Enrollment.objects.filter(pk__in=enrollment_ids).values("member_id")
    )


# --- what changes the counts ------------------------------------------------------------------------------------


@receiver(post_save, sender=Appointment, dispatch_uid="oversight.tallies.appointment_saved")
def _appointment_saved(sender, instance, raw=False, update_fields=None, **kwargs):
    if not raw and (update_fields is None or set(update_fields) & APPOINTMENT_FIELDS):
        _refresh([instance.pk])


@receiver(pre_delete, sender=Appointment, dispatch_uid="oversight.tallies.appointment_deleted")
def _appointment_deleted(sender, instance, **kwargs):
    forget([instance.pk])


@receiver(bulk_saved, sender=Appointment, dispatch_uid="oversight.tallies.appointments_bulk_saved")
def _appointments_bulk_saved(sender, objs, fields, **kwargs):
    if fields is not None and not set(fields) & APPOINTMENT_FIELDS:
        return
    if all(obj.pk is not None for obj in objs):
        refresh(Appointment.objects.filter(pk__in=[obj.pk for obj in objs]))
    else:  # created with ignore_conflicts: no ids came back
        refresh(Appointment.objects.filter(member_id__in={obj.member_id for obj in objs}))


@receiver(post_save, sender=Certificate, dispatch_uid="oversight.tallies.certificate_saved")
@receiver(post_delete, sender=Certificate, dispatch_uid="oversight.tallies.certificate_deleted")
def _certificate_written(sender, instance, raw=False, update_fields=None, **kwargs):
    if not raw and (update_fields is None or set(update_fields) & CERTIFICATE_FIELDS):
        refresh(_members_of([instance.enrollment_id]))


@receiver(bulk_saved, sender=Certificate, dispatch_uid="oversight.tallies.certificates_bulk_saved")
def _certificates_bulk_saved(sender, objs, fields, **kwargs):
    if fields is None or set(fields) & CERTIFICATE_FIELDS:
        refresh(_members_of({obj.enrollment_id for obj in objs}))


@receiver(pre_save, sender=Program, dispatch_uid="oversight.tallies.program_saving")
def _program_saving(sender, instance, raw=False, **kwargs):
    saved = Program.objects.filter(pk=instance.pk).values_list("qualifying_posts", flat=True).first()
    instance._saved_qualifying_posts = set(saved or [])


@receiver(post_save, sender=Program, dispatch_uid="oversight.tallies.program_saved")
def _program_saved(sender, instance, raw=False, **kwargs):
    posts = sorted(getattr(instance, "_saved_qualifying_posts", set()) ^ set(instance.qualifying_posts or []))
    if posts and not raw:
        transaction.on_commit(lambda: refresh_posts_task.enqueue(posts))


# A course's program and its quality verdict (whether its certificates train: certificates/training.py) decide
# whom its certificates count for.
COURSE_FIELDS = {"program", "program_id", "quality"}


@receiver(pre_save, sender=Course, dispatch_uid="oversight.tallies.course_saving")
def _course_saving(sender, instance, raw=False, update_fields=None, **kwargs):
    instance._saved_counting = None
    if instance.pk is not None and (update_fields is None or set(update_fields) & COURSE_FIELDS):
        instance._saved_counting = Course.objects.filter(pk=instance.pk).values_list("program_id", "quality").first()


@receiver(post_save, sender=Course, dispatch_uid="oversight.tallies.course_saved")
def _course_saved(sender, instance, raw=False, **kwargs):
    saved = getattr(instance, "_saved_counting", None)
    if not raw and saved is not None and saved != (instance.program_id, instance.quality):
        refresh(_members_of(Enrollment.objects.filter(course=instance, certificates__isnull=False).values("pk")))


@receiver(path_updated, sender=Organization, dispatch_uid="oversight.tallies.subtree_moved")
def _subtree_moved(sender, old_path, new_path, **kwargs):
    # Siblings shifted to make room keep their parent, and so their unit; a sub-tree under a new parent may not.
    if old_path[: -Organization.steplen] != new_path[: -Organization.steplen]:
        refresh(Appointment.objects.filter(organization__path__startswith=new_path))
