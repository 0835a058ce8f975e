"""Issuing, revoking and replacing certificates: register numbers, verification codes, stored PDFs, mail."""

import datetime
import hashlib
import logging
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from certificates import pdf
from certificates.models import (
    CODE_ALPHABET,
    CODE_LENGTH,
    REGISTER_NUMBER,
    Certificate,
    IssuerProfile,
    RegisterCounter,
    format_register_number,
)
from certificates.rules import check_issue_date, next_register_numbers
from common.history import attribute
from common.vietnamese import normalize_name
from courses import lifecycle
from courses.models import Course
from enrollments.models import Enrollment, EnrollmentQuerySet
from organizations.permissions import may_issue, may_revoke

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.db.models import QuerySet

logger = logging.getLogger(__name__)


class StoredPDFMismatch(Exception):
    """A stored PDF no longer has the SHA-256 recorded when it was issued."""


@dataclass
class IssuingPreview:
    """What issuing a course's certificates on a date would write, read without writing or locking anything."""

    course: Course
    issued_on: datetime.date
    issuer: IssuerProfile
    count: int
    already_issued: int
    numbers: range

    @property
    def first_number(self) -> str:
        return format_register_number(self.numbers[0], self.issued_on.year, self.issuer.register_suffix)

    @property
    def last_number(self) -> str:
        return format_register_number(self.numbers[-1], self.issued_on.year, self.issuer.register_suffix)


@dataclass
class IssuingSummary:
    course: Course
    issued: list[Certificate] = field(default_factory=list)
    already_issued: int = 0


def new_verification_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _index in range(CODE_LENGTH))


def _new_codes(count):
    """Codes that no certificate holds yet; the unique constraint stays the guarantee."""
    codes = set()
    while len(codes) < count:
        wanted = {new_verification_code() for _index in range(count - len(codes))}
        taken = set(
            Certificate.objects.filter(verification_code__in=wanted).values_list("verification_code", flat=True)
        )
        codes |= wanted - taken
    return list(codes)


def take_register_numbers(issuer: IssuerProfile, year: int, count: int) -> range:
    """The next `count` numbers of the issuer's register book for the year, gap-free.

    Must run inside the transaction that writes the certificates: the counter row stays locked until it
    commits, so concurrent issuers wait for each other, and a rollback gives the numbers back.
    """
    # The counter row is created if missing without a race: ON CONFLICT DO NOTHING, then locked.
    RegisterCounter.objects.bulk_create([RegisterCounter(issuer=issuer, year=year)], ignore_conflicts=True)
    counter = RegisterCounter.objects.select_for_update().get(issuer=issuer, year=year)
    first = counter.last_number + 1
    counter.last_number += count
    counter.save(update_fields=["last_number"])
    return range(first, first + count)


def issuer_for(course: Course) -> IssuerProfile:
    issuer = IssuerProfile.objects.filter(organization_id=course.organizer_id).first()
    if issuer is None:
        raise ValidationError(
            _("%(organizer)s chưa có thông tin đơn vị cấp giấy chứng nhận; hãy khai báo trước khi cấp.")
            % {"organizer": course.organizer}
        )
    return issuer


def _new_certificate(enrollment, issuer, *, number, code, issued_on, by, replaces=None):
    member = enrollment.member
    course = enrollment.course
    certificate = Certificate(
        enrollment=enrollment,
        issuer=issuer,
        year=issued_on.year,
        number=number,
        register_number=format_register_number(number, issued_on.year, issuer.register_suffix),
        verification_code=code,
        issued_on=issued_on,
        issued_by=by,
        holder_name=normalize_name(member.full_name),
        holder_birth_date=member.birth_date,
        holder_post=enrollment.post,
        holder_organization=normalize_name(member.organization.name),
        program_name=normalize_name(course.program.name),
        course_title=normalize_name(course.title),
        grade=enrollment.grade,
        signer_title=issuer.signer_title,
        signer_name=issuer.signer_name,
        replaces=replaces,
    )
    # References, uniqueness and constraints are the database's to enforce, in the same statement: checking
    # them here would cost queries for every certificate.
    certificate.full_clean(
        exclude=["enrollment", "issuer", "issued_by", "replaces"], validate_unique=False, validate_constraints=False
    )
    return certificate


def is_issuable(course: Course) -> bool:
    """Certificates are issued for a class whose results are stored (courses.lifecycle.check_certifiable)."""
    return course.status in lifecycle.RESULTS_STORED


def to_be_issued(course: Course) -> EnrollmentQuerySet:
    """The course's completed trainees who hold no certificate yet: whom issuing gives one."""
    return Enrollment.objects.filter(course=course, status=Enrollment.Status.COMPLETED, certificates__isnull=True)


def already_issued(course: Course) -> int:
    completed = Enrollment.objects.filter(course=course, status=Enrollment.Status.COMPLETED)
    return completed.filter(certificates__isnull=False).distinct().count()


def preview_issuing(course: Course, *, by: "User | None", issued_on: datetime.date | None = None) -> IssuingPreview:
    """What issue_certificates(course, issued_on=...) would do, without doing it: the date it would write, how many
    certificates, the register numbers they would take (read from the counter without taking them: a certificate
    issued meanwhile moves them on, and issuing takes them under its lock) and who issues and signs. Refuses as
    issuing refuses (a ValidationError, the date's on "issued_on")."""
    if not may_issue(by, course):
        raise PermissionDenied(_("Chỉ cán bộ Trung tâm được cấp giấy chứng nhận."))
    lifecycle.check_certifiable(course)
    issued_on = check_issue_date(course.end_date, issued_on)
    issuer = issuer_for(course)
    count = to_be_issued(course).count()
    last = (
        RegisterCounter.objects.filter(issuer=issuer, year=issued_on.year).values_list("last_number", flat=True).first()
    )
    return IssuingPreview(
        course=course,
        issued_on=issued_on,
        issuer=issuer,
        count=count,
        already_issued=already_issued(course),
        numbers=next_register_numbers(last or 0, count),
    )


def issue_certificates(
    course: Course,
    *,
    by: "User | None",
    issued_on: datetime.date | None = None,
    notify: bool = True,
    render_pdfs: bool = True,
) -> IssuingSummary:
    """Issue a certificate to every completed trainee of a closed course who has none yet.

    Idempotent: a second call (or a second staff member clicking at the same moment) issues nothing
    new. The issue date is `issued_on`, today when None: not before the class's end nor after today
    (certificates/rules.py), and its year is the register book's. Register numbers follow the roster order.
    `by` is the staff user (None from the command line). PDFs are rendered and stored, and trainees told by mail,
    once the numbers are committed, so the register book is never locked while pages are laid out; with
    render_pdfs=False (demo data) each PDF is rendered when it is first downloaded.
    """
    if not may_issue(by, course):
        raise PermissionDenied(_("Chỉ cán bộ Trung tâm được cấp giấy chứng nhận."))
    with transaction.atomic():
        # Issuers of the same course queue on the course row; of other courses, on the counter row. Only the
        # course row: FOR UPDATE would otherwise lock the joined program and organizer rows too, and every
        # course of one program would wait for the others.
        course = Course.objects.select_for_update(of=("self",)).select_related("program", "organizer").get(pk=course.pk)
        lifecycle.check_certifiable(course)
        issued_on = check_issue_date(course.end_date, issued_on)
        issuer = issuer_for(course)
        enrollments = list(to_be_issued(course).select_related("member__organization").roster_order())
        summary = IssuingSummary(course=course, already_issued=already_issued(course))
        if enrollments:
            numbers = take_register_numbers(issuer, issued_on.year, len(enrollments))
            codes = _new_codes(len(enrollments))
            certificates = []
            for enrollment, number, code in zip(enrollments, numbers, codes, strict=True):
                enrollment.course = course
                certificates.append(
                    _new_certificate(enrollment, issuer, number=number, code=code, issued_on=issued_on, by=by)
                )
            summary.issued = bulk_create_with_history(
                certificates, Certificate, default_user=by, default_change_reason=_("Cấp giấy chứng nhận")
            )
            lifecycle.mark_certified(course, by=by)
    if render_pdfs:
        store_missing_pdfs(Certificate.objects.filter(enrollment__course=course))
    if notify:
        _notify_after_issuing(summary.issued)
    return summary


@transaction.atomic
def revoke_certificate(certificate: Certificate, *, by: "User | None", reason: str) -> Certificate:
    """Revoke a certificate with the written reason; who and when are recorded, the row stays."""
    if not may_revoke(by):
        raise PermissionDenied(_("Chỉ cán bộ Trung tâm được thu hồi giấy chứng nhận."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Hãy ghi lý do thu hồi.")})
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if not certificate.is_valid:
        raise ValidationError(
            _("Giấy chứng nhận %(number)s đã bị thu hồi từ trước.") % {"number": certificate.register_number}
        )
    certificate.status = Certificate.Status.REVOKED
    certificate.revoke_reason = reason
    certificate.revoked_by = by
    certificate.revoked_at = timezone.now()
    certificate.full_clean(validate_unique=False)
    attribute(certificate, by=by, reason=reason)
    certificate.save()
    return certificate


def reissue_certificate(
    certificate: Certificate, *, by: "User | None", issued_on: datetime.date | None = None, notify: bool = True
) -> Certificate:
    """Issue a replacement for a revoked certificate: a new number in the same issuer's book, with the
    trainee's details as they are now (a corrected name, say), pointing back to the one it replaces. Its date, today
    when None, follows the rule of every issue date: not before the class's end nor after today."""
    if not may_issue(by):
        raise PermissionDenied(_("Chỉ cán bộ Trung tâm được cấp giấy chứng nhận."))
    with transaction.atomic():
        old = Certificate.objects.select_for_update(of=("self",)).select_related("issuer").get(pk=certificate.pk)
        if old.is_valid:
            raise ValidationError(_("Chỉ cấp lại thay cho giấy chứng nhận đã bị thu hồi."))
        if Certificate.objects.filter(replaces=old).exists():
            raise ValidationError(
                _("Giấy chứng nhận %(number)s đã được cấp lại từ trước.") % {"number": old.register_number}
            )
        enrollment = Enrollment.objects.select_related("course__program", "member__organization").get(
            pk=old.enrollment_id
        )
        if enrollment.status != Enrollment.Status.COMPLETED:
            raise ValidationError(_("Học viên không còn kết quả hoàn thành: không cấp lại được."))
        # The signer is who signs now; the header and the book stay the old certificate's issuer's.
        issuer = IssuerProfile.objects.get(pk=old.issuer_id)
        issued_on = check_issue_date(enrollment.course.end_date, issued_on)
        (number,) = take_register_numbers(issuer, issued_on.year, 1)
        replacement = _new_certificate(
            enrollment,
            issuer,
            number=number,
            code=_new_codes(1)[0],
            issued_on=issued_on,
            by=by,
            replaces=old,
        )
        attribute(replacement, by=by, reason=_("Cấp lại thay cho %(number)s") % {"number": old.register_number})
        replacement.save()
    store_missing_pdfs(Certificate.objects.filter(pk=replacement.pk))
    replacement.refresh_from_db()
    if notify:
        _notify_after_issuing([replacement])
    return replacement


def find_by_register_number(text: str | None) -> Certificate | None:
    """The certificate with this printed register number (0123/2021/CC-TTBDCT), or None."""
    match = REGISTER_NUMBER.match(text or "")
    if not match:
        return None
    printed = format_register_number(int(match["number"]), int(match["year"]), match["suffix"].upper())
    return Certificate.objects.filter(register_number=printed).first()


def store_missing_pdfs(certificates: "QuerySet[Certificate]") -> list[Certificate]:
    """Render and store the PDF of each of these certificates that has none yet, with its SHA-256: one file per
    certificate, written once. The rows stay locked from finding them without a PDF to recording it, so concurrent
    callers (parallel issuers, a download of a certificate being issued) wait for the first one and then find its
    file, instead of storing another beside it that no certificate would name."""
    storage = Certificate._meta.get_field("pdf").storage
    with transaction.atomic():
        pending = list(
            certificates.filter(pdf="")
            .select_for_update(of=("self",))
            .select_related("issuer", "enrollment__course")
            .order_by("pk")
        )
        for certificate, content in pdf.render_each(pending):
            # The random code in the name keeps the file unguessable should the storage ever be served publicly.
            name = certificate.pdf.field.generate_filename(
                certificate,
                f"{certificate.year}/{certificate.issuer.register_suffix}-{certificate.number:04d}"
                f"-{certificate.verification_code}.pdf",
            )
            # A file of this name while the row holds none was left by an attempt that did not commit: it is
            # replaced, where the storage would keep it and write this one beside it under a random suffix.
            storage.delete(name)
            certificate.pdf.name = storage.save(name, ContentFile(content))
            certificate.pdf_sha256 = hashlib.sha256(content).hexdigest()
        # The stored file is the rendering of what was issued, not a change to it: no history row.
        Certificate.objects.bulk_update(pending, ["pdf", "pdf_sha256"])
    return pending


def stored_pdf(certificate: Certificate) -> bytes:
    """The stored PDF's bytes, checked against the SHA-256 recorded when it was stored."""
    if not certificate.pdf:
        store_missing_pdfs(Certificate.objects.filter(pk=certificate.pk))
        certificate.refresh_from_db()
    with certificate.pdf.open("rb") as stored:
        content = stored.read()
    if hashlib.sha256(content).hexdigest() != certificate.pdf_sha256:
        logger.error("Stored PDF of certificate %s does not match its SHA-256", certificate.register_number)
        raise StoredPDFMismatch(certificate.register_number)
    return content


def pdf_for_staff(certificate: Certificate) -> bytes:
    """The PDF staff open: a valid certificate's stored PDF, checked against its SHA-256; for a revoked one, a copy
    laid out afresh with the "ĐÃ THU HỒI" mark, its date and reason over the page, so no one takes it for a valid
    certificate. The stored PDF (and its SHA-256) stays as it was issued."""
    if certificate.is_valid:
        return stored_pdf(certificate)
    return pdf.render_revoked_copy(certificate)


def pdf_filename(certificate: Certificate) -> str:
    revoked = "" if certificate.is_valid else "-da-thu-hoi"
    return (
        f"giay-chung-nhan-{certificate.number:04d}-{certificate.year}-{certificate.issuer.register_suffix}{revoked}.pdf"
    )


def holder_email(certificate: Certificate) -> str:
    member = certificate.enrollment.member
    return member.email or (member.user.email if member.user else "")


def _notify_after_issuing(certificates):
    # The certificates are issued and stored whatever happens to the mail: a mail server that is down
    # is logged, not turned into an error on a page whose work is done.
    try:
        notify_holders(certificates)
    except OSError:
        logger.exception("Could not send the mail telling trainees their certificates were issued")


def notify_holders(certificates: Iterable[Certificate]) -> int:
    """Tell each trainee by mail that their certificate was issued; trainees without an address are skipped."""
    certificates = list(
        Certificate.objects.filter(pk__in=[certificate.pk for certificate in certificates]).select_related(
            "enrollment__member__user", "enrollment__course"
        )
    )
    messages = []
    for certificate in certificates:
        address = holder_email(certificate)
        if not address:
            continue
        context = {
            "certificate": certificate,
            "portal_url": settings.SITE_URL.rstrip("/")
            + reverse("portal:course-detail", args=[certificate.enrollment.course.code]),
        }
        # Written in the site's language, whatever language the staff member issuing it works in.
        with translation.override(settings.LANGUAGE_CODE):
            subject = " ".join(render_to_string("emails/certificate_issued_subject.txt", context).split())
            body = render_to_string("emails/certificate_issued.txt", context)
        messages.append(EmailMessage(subject, body, to=[address]))
    if messages:
        get_connection().send_messages(messages)
    return len(messages)
