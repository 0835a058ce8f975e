"""Yearly workbook speed and memory against django-import-export and a bare openpyxl loop, measured in one run.

    python bench/reports.py [--enrollments 100000] [--repeat 3] [--database-url postgres://…/bench_reports]

Builds a scratch database with bulk_create (SQLite in a temporary directory, or the PostgreSQL database named by
--database-url, which it creates and drops): the bloc's tree, members and their current posts, a program, its
lecturers and one year of courses holding --enrollments trainees, certificates for the completed ones and some
evaluations. Then, each export in a fresh process so that its peak memory is its own, --repeat rounds of:

- the yearly workbook (8 sheets) as center staff, with the roster sheet "Học viên" timed on its own;
- the same roster with django-import-export: a ModelResource over Enrollment exported to xlsx, as its admin does;
- the floor: the roster's values_list iterator appended as plain tuples to a bare openpyxl write-only sheet.

The roster sheet and the floor are compared on writing the rows (query included); zipping the sheets into the
file is timed apart. Each figure is given as wall and CPU time: CPU time is the export process's own (on PostgreSQL
the server's share is not in it) and moves less than wall time when other work shares the cores.
django-import-export is a bench-only dependency: pip install -r bench/requirements.txt.
"""

import argparse
import datetime
import json
import os
import platform
import random
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
YEAR = 2021
CLASS_SIZE = 70
SESSIONS_PER_COURSE = 10  # five days, morning and afternoon
BATCH_SIZE = 2000
EXPORTS = {
    "workbook": "yearly workbook, 8 sheets",
    "import_export": "django-import-export, roster",
    "floor": "bare openpyxl loop (floor)",
}


# --- the scratch database ---------------------------------------------------------------------------------------


def environment(database_url, workdir):
    """What the parent and every child run with: the scratch database, and DEBUG off as in production."""
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "MEDIA_ROOT": str(Path(workdir) / "media"),
        "DEBUG": "0",
        "SECRET_KEY": os.environ.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(50),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "LOG_LEVEL": os.environ.get("LOG_LEVEL", "WARNING"),  # no log lines between the figures
    }


def setup_django(env):
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def create_database():
    """Create the scratch PostgreSQL database DATABASE_URL names, through Django's connection to the server's
    maintenance database; an existing one is left alone (it may not be scratch)."""
    from django.db import connection

    name = connection.settings_dict["NAME"]
    with connection._nodb_cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone():
            sys.exit(f"Database {name} already exists: drop it or name another in --database-url.")
        cursor.execute(f"CREATE DATABASE {connection.ops.quote_name(name)}")


def drop_database():
    from django.db import connection, connections

    connections.close_all()
    with connection._nodb_cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {connection.ops.quote_name(connection.settings_dict['NAME'])}")


# --- generated data ---------------------------------------------------------------------------------------------


def _weighted_names(rng, weights, count):
    return rng.choices(list(weights), weights=list(weights.values()), k=count)


def person_names(rng, count):
    """Vietnamese full names, men and women, NFC as the names module writes them."""
    from demo import names

    family = _weighted_names(rng, names.FAMILY_NAMES, count)
    male_middle = _weighted_names(rng, names.MALE_MIDDLE_NAMES, count)
    female_middle = _weighted_names(rng, names.FEMALE_MIDDLE_NAMES, count)
    result = []
    for index in range(count):
        if rng.random() < 0.5:
            result.append(f"{family[index]} {male_middle[index]} {rng.choice(names.MALE_GIVEN_NAMES)}")
        else:
            result.append(f"{family[index]} {female_middle[index]} {rng.choice(names.FEMALE_GIVEN_NAMES)}")
    return result


def build_tree(cell_count):
    """The bloc, its affiliated committees, grassroots organizations and cells, with treebeard's paths set by
    hand so they go in with one bulk_create. Returns the root, the committees, the cells and how many there are
    in all."""
    from common.vietnamese import normalize_name, search_key
    from demo import names
    from organizations.models import Organization

    Kind = Organization.Kind
    grassroots_count = max(2, cell_count // 5)
    committee_count = max(1, min(len(names.AFFILIATED_COMMITTEES), grassroots_count // 25))

    def node(kind, code, name, path):
        name = normalize_name(name)
        depth = len(path) // Organization.steplen
        return Organization(kind=kind, code=code, name=name, search_key=search_key(name), path=path, depth=depth)

    code, name, _short = names.BLOC
    root = node(Kind.BLOC, code, name, Organization._get_path(None, 1, 1))
    root.can_self_organize = True
    organizations, committees, cells = [root], [], []
    for index, (code, agency, category, _size) in enumerate(names.AFFILIATED_COMMITTEES[:committee_count], 1):
        committee = node(
            Kind.AFFILIATED_COMMITTEE, code, f"Đảng ủy {agency}", Organization._get_path(root.path, 2, index)
        )
        committee.can_self_organize = index <= 3
        committee.category = category
        committees.append(committee)
    root.numchild = len(committees)
    organizations += committees
    for index in range(grassroots_count):
        committee = committees[index % committee_count]
        committee.numchild += 1
        units = names.GRASSROOTS_UNITS[committee.category]
        unit = f"{units[index // committee_count % len(units)]} {index // committee_count // len(units) + 1}"
        grassroots = node(
            Kind.GRASSROOTS_COMMITTEE,
            f"{committee.code}-{committee.numchild:03d}",
            f"Đảng bộ {unit}, {committee.name.removeprefix('Đảng ủy ')}",
            Organization._get_path(committee.path, 3, committee.numchild),
        )
        organizations.append(grassroots)
        for number in range(cell_count // grassroots_count + (index < cell_count % grassroots_count)):
            department = names.DEPARTMENTS[number % len(names.DEPARTMENTS)]
            cell = node(
                Kind.CELL,
                f"{grassroots.code}-{number + 1:02d}",
                f"Chi bộ {department} {number // len(names.DEPARTMENTS) + 1}, {unit}",
                Organization._get_path(grassroots.path, 4, number + 1),
            )
            cell.committee = committee
            cells.append(cell)
            organizations.append(cell)
            grassroots.numchild += 1
    Organization.objects.bulk_create(organizations, batch_size=BATCH_SIZE)
    return root, committees, cells, len(organizations)


def build_members(rng, cells, count):
    """Members spread over the cells; the first two of each cell hold its secretary and deputy posts."""
    from organizations.models import Appointment, Member, Post

    members = []
    for index, full_name in enumerate(person_names(rng, count)):
        member = Member(
            full_name=full_name,
            birth_date=datetime.date(1965, 1, 1) + datetime.timedelta(days=rng.randrange(30 * 365)),
            organization=cells[index % len(cells)],
        )
        member.fill_keys()
        members.append(member)
    Member.objects.bulk_create(members, batch_size=BATCH_SIZE)
    holders = {}
    appointments = []
    for index, member in enumerate(members[: 2 * len(cells)]):
        post = Post.SECRETARY if index < len(cells) else Post.DEPUTY_SECRETARY
        holders[member.pk] = post
        appointments.append(
            Appointment(
                member=member,
                organization=member.organization,
                post=post,
                term_label="2020–2025",
                start_date=datetime.date(2020, 7, 1),
            )
        )
    Appointment.objects.bulk_create(appointments, batch_size=BATCH_SIZE)
    return members, holders


def build_catalog(rng, root):
    """One program with its topics, its lecturers, and the center's issuer."""
    from certificates.models import IssuerProfile
    from common.vietnamese import search_key
    from courses.models import Lecturer, Program, Topic
    from demo import names
    from organizations.models import Post

    spec = names.PROGRAMS[0]
    program = Program.objects.create(
        code=spec["code"],
        name=spec["name"],
        version=spec["version"],
        status=Program.Status.ISSUED,
        qualifying_posts=[Post.SECRETARY, Post.DEPUTY_SECRETARY],
    )
    topics = Topic.objects.bulk_create(
        Topic(program=program, order=order, title=title, hours=hours)
        for order, (title, hours) in enumerate(spec["topics"], 1)
    )
    lecturers = []
    for full_name in person_names(rng, 12):
        lecturers.append(
            Lecturer(
                name=full_name, academic_title=rng.choice(list(names.LECTURER_TITLES)), search_key=search_key(full_name)
            )
        )
    Lecturer.objects.bulk_create(lecturers)
    # Certificates copy the issuer's lines; no PDF is rendered here, so any will do.
    issuer = IssuerProfile.objects.create(
        organization=root,
        header_line_1=root.name.upper(),
        header_line_2="TRUNG TÂM BỒI DƯỠNG CHÍNH TRỊ",
        signer_title="GIÁM ĐỐC",
        signer_name=lecturers[0].name,
        register_suffix="CC-TTBDCT",
    )
    return program, topics, lecturers, issuer


def build_courses(root, committees, program, topics, lecturers, count):
    """`count` closed courses of YEAR, one in ten run by a committee allowed to organize its own."""
    from courses.models import Course, Session

    organizers = [root] * 9 + [committee for committee in committees if committee.can_self_organize]
    numbers = {}
    courses = []
    for index in range(count):
        organizer = organizers[index % len(organizers)]
        sequence = numbers[organizer.pk] = numbers.get(organizer.pk, 0) + 1
        intake, number = divmod(sequence - 1, 20)
        start = datetime.date(YEAR, 2, 1) + datetime.timedelta(days=index * 300 // count)
        prefix = "" if organizer is root else f"{organizer.code}-"
        courses.append(
            Course(
                code=f"{YEAR}-{prefix}K{intake + 1}-L{number + 1}",
                program=program,
                organizer=organizer,
                year=YEAR,
                intake=intake + 1,
                number=number + 1,
                start_date=start,
                end_date=start + datetime.timedelta(days=4),
                capacity=100,
                status=Course.Status.CLOSED,
            )
        )
    Course.objects.bulk_create(courses, batch_size=BATCH_SIZE)
    sessions = []
    for index, course in enumerate(courses):
        for slot in range(SESSIONS_PER_COURSE):
            sessions.append(
                Session(
                    course=course,
                    date=course.start_date + datetime.timedelta(days=slot // 2),
                    period=Session.Period.MORNING if slot % 2 == 0 else Session.Period.AFTERNOON,
                    topic=topics[slot % len(topics)],
                    lecturer=lecturers[(index + slot) % len(lecturers)],
                )
            )
    Session.objects.bulk_create(sessions, batch_size=BATCH_SIZE)
    return courses


def _score(rng, low, high):
    return Decimal(rng.randint(low * 10, high * 10)) / 10


def build_enrollments(rng, courses, members, holders, count):
    """`count` enrollments: every member once, then again in the next course, until there are enough."""
    from enrollments.models import Enrollment
    from enrollments.rules import grade_for
    from organizations.models import Post

    Status = Enrollment.Status
    enrollments = []
    for index in range(count):
        member = members[index % len(members)]
        course = courses[(index % len(members) + index // len(members)) % len(courses)]
        draw = rng.random()
        if draw < 0.05:
            status, attended, score = Status.WITHDRAWN, _score(rng, 0, 30), None
        elif draw < 0.13:
            status, attended, score = Status.NOT_COMPLETED, _score(rng, 40, 100), _score(rng, 2, 8)
        else:
            status, attended, score = Status.COMPLETED, _score(rng, 80, 100), _score(rng, 5, 10)
        enrollments.append(
            Enrollment(
                course=course,
                member=member,
                nominated_by=member.organization.committee,
                post=holders.get(member.pk) or rng.choice([Post.COMMITTEE_MEMBER, Post.STANDING_MEMBER, ""]),
                status=status,
                attended_percent=attended,
                final_score=score,
                grade=(grade_for(score) or "") if status == Status.COMPLETED else "",
            )
        )
    Enrollment.objects.bulk_create(enrollments, batch_size=BATCH_SIZE)
    return enrollments


def build_certificates(rng, enrollments, program, issuer):
    """A certificate for every completed enrollment, numbered in order in the center's register; one in two
    hundred revoked and replaced under the next numbers."""
    from django.utils import timezone

    from certificates.models import CODE_ALPHABET, CODE_LENGTH, Certificate, format_register_number
    from courses.wording import course_title
    from enrollments.models import Enrollment

    numbers = iter(range(1, len(enrollments) * 2))

    def certificate(enrollment, **extra):
        course, member = enrollment.course, enrollment.member
        number = next(numbers)
        return Certificate(
            enrollment=enrollment,
            issuer=issuer,
            year=YEAR,
            number=number,
            register_number=format_register_number(number, YEAR, issuer.register_suffix),
            verification_code="".join(rng.choices(CODE_ALPHABET, k=CODE_LENGTH)),
            issued_on=course.end_date + datetime.timedelta(days=7),
            holder_name=member.full_name,
            holder_birth_date=member.birth_date,
            program_name=program.name,
            course_title=course_title(program.name, course.intake, course.number, course.year),
            grade=enrollment.grade,
            signer_title=issuer.signer_title,
            signer_name=issuer.signer_name,
            **extra,
        )

    revoked = {"status": Certificate.Status.REVOKED, "revoked_at": timezone.now(), "revoke_reason": "Sai ngày sinh"}
    certificates = [
        certificate(enrollment, **(revoked if index % 200 == 0 else {}))
        for index, enrollment in enumerate(e for e in enrollments if e.status == Enrollment.Status.COMPLETED)
    ]
    Certificate.objects.bulk_create(certificates, batch_size=BATCH_SIZE)
    replacements = [
        certificate(old.enrollment, replaces=old) for old in certificates if old.status == Certificate.Status.REVOKED
    ]
    Certificate.objects.bulk_create(replacements, batch_size=BATCH_SIZE)
    return len(certificates) + len(replacements)


def build_evaluations(rng, enrollments, lecturers, topics):
    """Three in ten completed trainees fill in the evaluation, rating two of their lecturers."""
    from enrollments.models import Enrollment, Evaluation, LecturerRating

    completed = [e for e in enrollments if e.status == Enrollment.Status.COMPLETED]
    evaluations = [
        Evaluation(
            enrollment=enrollment,
            organization_rating=rng.randint(3, 5),
            content_rating=rng.randint(3, 5),
            materials_rating=rng.randint(3, 5),
        )
        for enrollment in rng.sample(completed, len(completed) * 3 // 10)
    ]
    Evaluation.objects.bulk_create(evaluations, batch_size=BATCH_SIZE)
    ratings = [
        LecturerRating(
            evaluation=evaluation,
            lecturer=lecturers[(evaluation.enrollment.course_id + slot) % len(lecturers)],
            topic=topics[slot],
            rating=rng.randint(3, 5),
        )
        for evaluation in evaluations
        for slot in range(2)
    ]
    LecturerRating.objects.bulk_create(ratings, batch_size=BATCH_SIZE)
    return len(evaluations)


def build(enrollment_count, seed):
    """Fill the migrated scratch database; returns what was made, for the report."""
    from django.db import connection, transaction

    rng = random.Random(seed)
    member_count = max(2, enrollment_count * 4 // 5)
    course_count = max(1, -(-enrollment_count // CLASS_SIZE))
    with transaction.atomic():
        root, committees, cells, organizations = build_tree(max(4, member_count // 14))
        members, holders = build_members(rng, cells, member_count)
        program, topics, lecturers, issuer = build_catalog(rng, root)
        courses = build_courses(root, committees, program, topics, lecturers, course_count)
        enrollments = build_enrollments(rng, courses, members, holders, enrollment_count)
        certificates = build_certificates(rng, enrollments, program, issuer)
        evaluations = build_evaluations(rng, enrollments, lecturers, topics)
    with connection.cursor() as cursor:
        # Planner statistics, as a database in service has them.
        cursor.execute("ANALYZE")
    return {
        "organizations": organizations,
        "cells": len(cells),
        "members": len(members),
        "posts": len(holders),
        "courses": len(courses),
        "enrollments": len(enrollments),
        "certificates": certificates,
        "evaluations": evaluations,
    }


# --- the exports, each run in its own process -------------------------------------------------------------------


def center_staff():
    """The command line's user: a superuser never saved, which the access mechanism lets see everything."""
    from django.contrib.auth import get_user_model

    return get_user_model()(username="bench", is_superuser=True, is_active=True)


def clock():
    """Wall and CPU seconds now. The CPU time is this process's: on PostgreSQL the server's share is not in it."""
    return time.perf_counter(), time.process_time()


def between(start, end):
    return {"wall": end[0] - start[0], "cpu": end[1] - start[1]}


def export_workbook(target):
    from reports.workbook import YearWorkbook

    marks = {}
    started = clock()
    # The workbook reports progress after each of its 8 sheets: the roster is the 5th.
    YearWorkbook(center_staff(), YEAR, progress=lambda done: marks.setdefault(done, clock())).save(target)
    ended = clock()
    return {
        "total": between(started, ended),
        "rows": between(marks[4 / 8], marks[5 / 8]),
        "save": between(marks[1.0], ended),
    }


def roster_resource(labels):
    """What a Django user would write for the roster: a ModelResource with the workbook's columns."""
    from import_export import fields, resources, widgets

    from enrollments.models import Enrollment

    class RosterResource(resources.ModelResource):
        full_name = fields.Field("member__full_name", "Họ và tên")
        birth_date = fields.Field("member__birth_date", "Ngày sinh", widget=widgets.DateWidget())
        post = fields.Field("post", "Chức vụ khi học")
        organization = fields.Field(column_name="Tổ chức đảng")
        course = fields.Field("course__code", "Lớp")
        attended = fields.Field("attended_percent", "Chuyên cần")
        score = fields.Field("final_score", "Điểm", widget=widgets.DecimalWidget())
        grade = fields.Field("grade", "Xếp loại")
        status = fields.Field("status", "Kết quả")
        register_number = fields.Field("register_number", "Số vào sổ")

        class Meta:
            model = Enrollment
            fields = (
                "full_name",
                "birth_date",
                "post",
                "organization",
                "course",
                "attended",
                "score",
                "grade",
                "status",
                "register_number",
            )

        def dehydrate_post(self, enrollment):
            return enrollment.get_post_display()

        def dehydrate_organization(self, enrollment):
            return labels.get(enrollment.member.organization.path, "")

        def dehydrate_attended(self, enrollment):
            percent = enrollment.attended_percent
            return None if percent is None else float(percent) / 100

        def dehydrate_grade(self, enrollment):
            return enrollment.get_grade_display()

        def dehydrate_status(self, enrollment):
            return enrollment.get_status_display()

    return RosterResource()


def export_import_export(target):
    from django.db.models import OuterRef, Subquery
    from import_export.formats.base_formats import XLSX

    from certificates.models import Certificate
    from reports.yearly import YearReport

    report = YearReport(center_staff(), YEAR)
    register_number = Certificate.objects.valid().filter(enrollment=OuterRef("pk")).values("register_number")[:1]
    enrollments = (
        report.enrollments()
        .select_related("member__organization", "course")
        .annotate(register_number=Subquery(register_number))
        .order_by("course__start_date", "course__code", "member__sort_key", "member__birth_date", "pk")
    )
    started = clock()
    resource = roster_resource(report.organization_labels())
    # As its admin export does for a binary format: dates and numbers stay dates and numbers.
    dataset = resource.export(queryset=enrollments, force_native_type=True)
    rows_done = clock()
    Path(target).write_bytes(XLSX().export_data(dataset))
    ended = clock()
    return {"total": between(started, ended), "rows": between(started, rows_done), "save": between(rows_done, ended)}


def export_floor(target):
    from openpyxl import Workbook

    from reports.yearly import YearReport

    started = clock()
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Học viên")
    for row in YearReport(center_staff(), YEAR).trainee_rows():
        sheet.append(row)
    rows_done = clock()
    workbook.save(target)
    ended = clock()
    return {"total": between(started, ended), "rows": between(started, rows_done), "save": between(rows_done, ended)}


def memory_mib(field):
    """VmHWM (this process's peak resident memory) or VmRSS (now), in MiB."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    raise LookupError(field)


def run_export(name, target):
    """In the child: one export, printed as JSON with this process's memory before it (Django set up) and at its
    peak."""
    before = memory_mib("VmRSS")
    figures = {"workbook": export_workbook, "import_export": export_import_export, "floor": export_floor}[name](target)
    figures.update(before=before, peak=memory_mib("VmHWM"), size=Path(target).stat().st_size)
    print(json.dumps(figures))


def measure(name, env, workdir):
    completed = subprocess.run(
        [sys.executable, __file__, "--export", name, "--output", str(Path(workdir) / f"{name}.xlsx")],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode:
        sys.exit(f"{name} failed:\n{completed.stderr}")
    return json.loads(completed.stdout.splitlines()[-1])


# --- the report -------------------------------------------------------------------------------------------------


def machine():
    def first(path, prefix):
        with open(path) as lines:
            return next((line.split(":", 1)[1].strip() for line in lines if line.startswith(prefix)), "?")

    import openpyxl
    from django.db import connection

    memory = int(first("/proc/meminfo", "MemTotal").split()[0]) / 2**20
    with connection.cursor() as cursor:
        cursor.execute("SELECT sqlite_version()" if connection.vendor == "sqlite" else "SHOW server_version")
        database = f"{connection.vendor} {cursor.fetchone()[0]}"
    return (
        f"{platform.freedesktop_os_release()['PRETTY_NAME']}, {os.cpu_count()} × "
        f"{first('/proc/cpuinfo', 'model name')}, {memory:.0f} GiB; Python {platform.python_version()}; {database}; "
        f"openpyxl {openpyxl.__version__} ({'with lxml ' + version('lxml') if openpyxl.LXML else 'without lxml'}); "
        f"django-import-export {version('django-import-export')}"
    )


def spread(values, digits=2):
    """median (min–max) of repeated figures."""
    if len(values) == 1:
        return f"{values[0]:.{digits}f}"
    return f"{statistics.median(values):.{digits}f} ({min(values):.{digits}f}–{max(values):.{digits}f})"


def report(results, rows, loads):
    def figures(name, part, clock):
        return [run[part][clock] for run in results[name]]

    def median(name, part, clock):
        return statistics.median(figures(name, part, clock))

    def line(label, name, part):
        peak = [run["peak"] for run in results[name]]
        print(
            f"  {label:<36} {spread(figures(name, part, 'wall')):<22} {spread(figures(name, part, 'cpu')):<22} "
            f"{rows / median(name, part, 'wall'):>8,.0f}   {spread(peak, 0)}"
        )

    print(f"\n{len(results['workbook'])} rounds, each figure the median (min–max); peak = the export's own process")
    print(f"  {'':<36} {'wall s':<22} {'CPU s':<22} {'rows/s':>8}   peak MiB")
    line(EXPORTS["workbook"], "workbook", "total")
    line("— its roster sheet «Học viên»", "workbook", "rows")
    line(EXPORTS["import_export"], "import_export", "total")
    line(EXPORTS["floor"], "floor", "total")
    line("— its rows, without zipping", "floor", "rows")
    for name, label in EXPORTS.items():
        runs = results[name]
        print(
            f"  {label}: zipping {spread(figures(name, 'save', 'wall'))} s wall, file "
            f"{runs[0]['size'] / 2**20:.1f} MiB, process before the export {spread([r['before'] for r in runs], 0)} MiB"
        )
    loads = ", ".join(f"{load:.2f}" for load in loads)
    print(f"  load average (1 min) before each round: {loads}, on {os.cpu_count()} cores")
    print("\ntargets (wall, CPU):")
    for label, (numerator, denominator), target in [
        ("roster sheet / floor rows", (("workbook", "rows"), ("floor", "rows")), "≤ 1.3×"),
        ("django-import-export / workbook", (("import_export", "total"), ("workbook", "total")), "≥ 2×"),
    ]:
        ratios = [median(*numerator, clock) / median(*denominator, clock) for clock in ("wall", "cpu")]
        print(f"  {label:<34} {ratios[0]:.2f}×, {ratios[1]:.2f}×  ({target})")
    peak = statistics.median(run["peak"] for run in results["workbook"])
    print(f"  {'workbook peak memory':<34} {peak:.0f} MiB  (< 150 MiB)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enrollments", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3, help="rounds of the three exports (default 3)")
    parser.add_argument("--database-url", help="a PostgreSQL database to create, fill and drop (default: SQLite)")
    parser.add_argument("--seed", type=int, default=YEAR)
    parser.add_argument("--export", choices=EXPORTS, help=argparse.SUPPRESS)
    parser.add_argument("--output", help=argparse.SUPPRESS)
    options = parser.parse_args()

    if options.export:
        setup_django(dict(os.environ))
        run_export(options.export, options.output)
        return

    with tempfile.TemporaryDirectory(prefix="bench-reports-") as workdir:
        env = environment(options.database_url or f"sqlite:///{Path(workdir) / 'bench.sqlite3'}", workdir)
        setup_django(env)
        from django.core.management import call_command
        from django.db import connections

        if options.database_url:
            create_database()
        try:
            call_command("migrate", verbosity=0)
            started = time.perf_counter()
            made = build(options.enrollments, options.seed)
            print(machine())
            print(
                f"data: {made['enrollments']:,} enrollments in {made['courses']:,} courses of {YEAR}, "
                f"{made['members']:,} members in {made['cells']:,} cells ({made['organizations']:,} organizations), "
                f"{made['posts']:,} current posts, {made['certificates']:,} certificates, "
                f"{made['evaluations']:,} evaluations; built in {time.perf_counter() - started:.1f} s",
                flush=True,
            )
            connections.close_all()
            results = {name: [] for name in EXPORTS}
            loads = []
            for _round in range(options.repeat):
                loads.append(os.getloadavg()[0])
                # In turn, so that other load on the machine weighs on all three alike.
                for name in EXPORTS:
                    results[name].append(measure(name, env, workdir))
            report(results, made["enrollments"], loads)
        finally:
            if options.database_url:
                drop_database()


if __name__ == "__main__":
    main()
