"""Certificate PDF speed and memory, measured in one run on the same template.

    python bench/certificates.py [--renders 400] [--batch 100] [--repeat 15] [--batch-repeat 3]

Builds a throw-away SQLite database and media folder in a temporary directory, issues a course of
`--batch` trainees (rendering and storing their PDFs), then prints: a warm single render (from the
database row to the PDF bytes), the bare WeasyPrint render of the same HTML (the floor), the batch as
one document per page (median of --batch-repeat renders), serving a stored PDF through the portal,
and memory over `--renders` renders.
"""

import argparse
import gc
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup(workdir):
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ["MEDIA_ROOT"] = str(workdir / "media")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")  # no request log lines between the figures
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def build_course(size):
    """A closed course of the center with `size` completed trainees, and the trainee login of the first."""
    import datetime

    from django.contrib.auth.models import User

    from certificates.models import IssuerProfile
    from courses.models import Course, Program
    from enrollments.models import Enrollment
    from organizations.models import Member, Organization
    from tests.factories import vietnamese_name

    root = Organization.objects.add_root(
        {"kind": Organization.Kind.BLOC, "code": "DBK", "name": "Đảng bộ Khối Các cơ quan Trung ương"}
    )
    cell = Organization.objects.add_child(
        root, {"kind": Organization.Kind.CELL, "code": "CB1", "name": "Chi bộ Vụ Tổng hợp, Văn phòng Bộ Tư pháp"}
    )
    IssuerProfile.objects.create(
        organization=root,
        header_line_1="ĐẢNG BỘ KHỐI CÁC CƠ QUAN TRUNG ƯƠNG",
        header_line_2="TRUNG TÂM BỒI DƯỠNG CHÍNH TRỊ",
        signer_title="GIÁM ĐỐC",
        signer_name="Nguyễn Văn Thành",
        register_suffix="CC-TTBDCT",
    )
    program = Program.objects.create(
        code="BTCB", name="Bồi dưỡng nghiệp vụ công tác đảng cho bí thư chi bộ và cấp ủy viên cơ sở"
    )
    course = Course.objects.create(
        code="2021-K1-L1",
        program=program,
        organizer=root,
        year=2021,
        intake=1,
        number=1,
        start_date=datetime.date(2021, 3, 1),
        end_date=datetime.date(2021, 3, 12),
        capacity=size,
        status=Course.Status.CLOSED,
    )
    trainee = User.objects.create_user("hocvien", password="bench")
    for n in range(size):
        member = Member.objects.create(
            full_name=vietnamese_name(n),
            birth_date=datetime.date(1970, 1, 1) + datetime.timedelta(days=211 * n),
            organization=cell,
            user=trainee if n == 0 else None,
        )
        Enrollment.objects.create(
            course=course, member=member, post="secretary", status=Enrollment.Status.COMPLETED, grade="good"
        )
    return course, trainee


def timed(*functions, repeat):
    """Median wall and CPU seconds of each function, called in turn so that other load on the machine
    weighs on all of them alike."""
    wall = [[] for _function in functions]
    cpu = [[] for _function in functions]
    for _index in range(repeat):
        for function, wall_times, cpu_times in zip(functions, wall, cpu, strict=True):
            started, started_cpu = time.perf_counter(), time.process_time()
            function()
            wall_times.append(time.perf_counter() - started)
            cpu_times.append(time.process_time() - started_cpu)
    return [(statistics.median(w), statistics.median(c)) for w, c in zip(wall, cpu, strict=True)]


def ms(pair):
    return f"{pair[0] * 1000:7.1f} ms wall, {pair[1] * 1000:7.1f} ms CPU"


def rss_mib():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--renders", type=int, default=400)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--batch-repeat", type=int, default=3)
    options = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-certificates-") as workdir:
        setup(Path(workdir))
        from django.conf import settings
        from django.test import Client
        from django.urls import reverse
        from weasyprint import HTML

        from certificates import pdf
        from certificates.models import Certificate
        from certificates.services import issue_certificates
        from common.pdf import shared

        course, trainee = build_course(options.batch)
        started = time.perf_counter()
        issue_certificates(course, by=None, notify=False)
        issuing = time.perf_counter() - started

        certificate_id = Certificate.objects.get(enrollment__member__user=trainee).pk

        def single():
            certificate = Certificate.objects.select_related("issuer", "enrollment__course").get(pk=certificate_id)
            return pdf.render_certificate(certificate)

        certificate = Certificate.objects.select_related("issuer", "enrollment__course").get(pk=certificate_id)
        html = pdf.certificates_html([certificate], pdf.certificate_title(certificate))
        font_config, fetcher = shared()

        def floor():
            return HTML(string=html, base_url=settings.SITE_URL, url_fetcher=fetcher).write_pdf(font_config=font_config)

        single()
        floor()
        single_time, floor_time = timed(single, floor, repeat=options.repeat)

        batch = list(Certificate.objects.filter(enrollment__course=course).for_printing())
        ((batch_wall, batch_cpu),) = timed(lambda: pdf.render_batch(batch, "bench"), repeat=options.batch_repeat)

        client = Client()
        client.force_login(trainee)
        url = reverse("portal:course-certificate", args=[course.code])
        assert client.get(url).status_code == 200
        (serve_time,) = timed(lambda: client.get(url), repeat=50)

        gc.collect()
        samples = [rss_mib()]
        step = max(1, options.renders // 4)
        for index in range(1, options.renders + 1):
            single()
            if index % step == 0:
                samples.append(rss_mib())
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print(f"issuing {options.batch} certificates (numbers + stored PDFs): {issuing:.2f} s")
    print(f"warm single render:      {ms(single_time)}")
    print(f"bare WeasyPrint (floor): {ms(floor_time)}   single/floor = {single_time[1] / floor_time[1]:.2f} (CPU)")
    pages = options.batch
    print(
        f"batch of {pages} as one document, per page (median of {options.batch_repeat}): "
        + ms((batch_wall / pages, batch_cpu / pages))
    )
    print(f"serving a stored PDF:    {ms(serve_time)}")
    print(
        f"memory over {options.renders} renders (RSS MiB, every {step}): "
        + " → ".join(f"{sample:.0f}" for sample in samples)
        + f"; peak {peak:.0f} MiB"
    )


if __name__ == "__main__":
    main()
