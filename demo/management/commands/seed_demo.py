"""The seed_demo command: fills an empty database with the demo bloc, its people, classes and logins."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo.builder import DEFAULT_SEED, DEMO_PASSWORD, SCALES, DatabaseNotEmpty, seed_demo
from demo.import_samples import SAMPLES_FOLDER, write_samples
from organizations.models import Organization

Kind = Organization.Kind


def _number(value):
    return f"{value:,}".replace(",", ".")


class Command(BaseCommand):
    help = "Tạo dữ liệu mẫu: cây tổ chức đảng, đảng viên và chức vụ, chương trình, lớp bồi dưỡng, tài khoản dùng thử."

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            choices=list(SCALES),
            default="small",
            help="small: vài trăm đảng viên, chạy trong vài giây; full: quy mô thật của Đảng bộ Khối.",
        )
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="Cùng seed cho cùng dữ liệu.")
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Bỏ qua, không báo lỗi, khi cơ sở dữ liệu đã có dữ liệu.",
        )

    def handle(self, *args, scale, seed, if_empty, **options):
        try:
            summary = seed_demo(scale, seed)
        except DatabaseNotEmpty as error:
            if if_empty:
                self.stdout.write("Cơ sở dữ liệu đã có dữ liệu: bỏ qua bước tạo dữ liệu mẫu.")
                return
            raise CommandError(str(error)) from error
        kinds = summary.organizations
        seconds = f"{summary.seconds:.1f}".replace(".", ",")
        grassroots = kinds[Kind.GRASSROOTS_COMMITTEE] + kinds[Kind.GRASSROOTS_CELL]
        by_kind = ", ".join(f"{label} {_number(kinds[kind])}" for kind, label in Kind.choices)
        lines = [
            f"Đã tạo dữ liệu mẫu (quy mô {summary.scale}, seed {summary.seed}) trong {seconds} giây.",
            f"  Tổ chức đảng: {_number(sum(kinds.values()))} ({by_kind}); tổ chức cơ sở đảng: {_number(grassroots)}",
            f"  Đảng viên: {_number(summary.members)}; chức vụ: {_number(summary.appointments)} "
            f"(đang đảm nhiệm: {_number(summary.current_appointments)})",
            f"  Chương trình: {summary.programs} ({summary.topics} chuyên đề); "
            f"giảng viên, báo cáo viên: {summary.lecturers}",
            f"  Lớp bồi dưỡng: {_number(summary.courses)} (2009–2021: {_number(summary.historic_courses)}); "
            f"buổi học: {_number(summary.sessions)}",
            f"  Học viên của lớp: {_number(summary.enrollments)} (2009–2021: {_number(summary.historic_enrollments)}); "
            f"điểm danh: {_number(summary.attendances)}",
            f"Tài khoản dùng thử (mật khẩu {DEMO_PASSWORD}):",
            *(f"  {username} — {description}" for username, description in summary.logins),
        ]
        samples = write_samples(settings.MEDIA_ROOT / SAMPLES_FOLDER)
        lines.append(f"Tệp Excel mẫu để thử chức năng nhập ({len(samples)} tệp): {samples[0].parent}")
        self.stdout.write("\n".join(lines))
