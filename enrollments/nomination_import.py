"""Importing a nomination list (danh sách cử đi học) from a workbook, as committees send it.

Each row names a member by name, birth date and party organization (a code or a name); the member is
found diacritics-, case- and space-insensitively inside that organization's sub-tree, or created when
asked, and nominated through nominations.nominate_many(): the same rules as the nomination form.
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models.functions import Upper
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from common.imports.cells import (
    CellError,
    in_chunks,
    parse_choice,
    parse_date,
    parse_email,
    parse_person_name,
    parse_phone,
    parse_text,
    take,
)
from common.imports.report import ImportReport, Outcome, history_reason
from common.imports.spreadsheets import (
    Column,
    SpreadsheetError,
    missing_headers_message,
    read_tables,
    template_workbook,
)
from common.vietnamese import search_key
from courses.models import Course
from enrollments.models import Enrollment
from enrollments.nominations import is_already_listed, nominate_many
from organizations.access import scope_acting_for
from organizations.models import ImportRecord, Member, Organization
from organizations.people_columns import GENDER_CHOICES, PEOPLE_COLUMNS, POST_CHOICES
from organizations.permissions import holds
from organizations.uploads import imported_meanwhile, new_report, record_import

if TYPE_CHECKING:
    from django.contrib.auth.models import User


# A course seats a hundred or so; a list many times that is a wrong file, not a nomination list.
MAX_ROWS = 5000
_PEOPLE = {column.key: column for column in PEOPLE_COLUMNS}
# A file's headers are its format's, in Vietnamese whatever the interface's language.
COLUMNS = [
    Column("number", "STT", ("Số TT", "TT", "Số thứ tự"), width=6),
    _PEOPLE["full_name"],
    _PEOPLE["birth_date"],
    _PEOPLE["gender"],
    Column("post", "Chức vụ", ("Chức vụ đảng", "Chức vụ, chức danh", "Chức danh"), width=24),
    Column(
        "organization",
        "Chi bộ / Đảng bộ",
        (
            "Chi bộ, Đảng bộ",
            "Chi bộ - Đảng bộ",
            "Chi bộ",
            "Đảng bộ",
            "Tổ chức đảng",
            "Mã tổ chức",
            "Chi bộ sinh hoạt",
            "Sinh hoạt tại chi bộ",
            "Đảng bộ, chi bộ",
        ),
        required=True,
        width=40,
    ),
    _PEOPLE["workplace"],
    _PEOPLE["email"],
    _PEOPLE["phone"],
]
SPECS = {"nominations": COLUMNS}
COLUMN = {column.key: column for column in COLUMNS}


def import_template() -> bytes:
    return template_workbook(
        [(_("Danh sách cử đi học"), COLUMNS)],
        guidance=[
            ("Họ và tên, Ngày sinh", _("Bắt buộc. Ngày dạng 05/03/1975, 5/3/1975, 05-03-1975 hoặc chỉ năm 1975.")),
            (
                _("Chi bộ / Đảng bộ"),
                _("Bắt buộc: mã hoặc tên tổ chức đảng nơi đồng chí sinh hoạt (hoặc tổ chức cấp trên của nơi đó)."),
            ),
            (
                _("Chức vụ"),
                _("Bí thư, Phó Bí thư, Ủy viên Ban Thường vụ, Cấp ủy viên; để trống để lấy chức vụ hiện tại."),
            ),
        ],
    )


@dataclass(eq=False)
class NominationRow:
    result: object
    full_name: str
    birth: object  # DateValue
    organization_text: str
    post: str  # a party post, or ""
    details: dict  # for a member created from this row
    organization: Organization | None = None
    member: Member | None = None
    created_member: bool = False  # the member is made from this row (again on each run: see _nominate)


def import_nominations(
    data: bytes,
    *,
    course: Course,
    by: "User | None",
    file_name: str = "",
    dry_run: bool = False,
    valid_only: bool = False,
    create_members: bool = False,
    record: ImportRecord | None = None,
    reason: str = "",
) -> ImportReport:
    """Plan (dry_run) or run the import of a nomination list into `course`.

    Returns the ImportReport. The rows that can be taken are nominated in one transaction, unless dry_run,
    the file was imported into this course before, the course's list is closed to the user, or a row is
    refused and valid_only is not set. `by` None is the command line, with the center's rights.
    """
    report = new_report(ImportRecord.Kind.NOMINATIONS, data, file_name, target=course.code)
    if report.previous is not None and not dry_run:
        return report
    table = read_tables(data, SPECS, file_name)["nominations"]
    if table is None:
        raise SpreadsheetError(missing_headers_message(SPECS), code="no_header")
    if len(table.rows) > MAX_ROWS:
        raise SpreadsheetError(
            _("Danh sách có %(count)d dòng, tối đa %(limit)d dòng mỗi tệp.")
            % {"count": len(table.rows), "limit": MAX_ROWS},
            code="too_many_rows",
        )
    report.header_rows[table.sheet] = table.header_row
    if not holds(by, "enrollments.add_enrollment"):
        report.errors.append(_("Tài khoản này không được cử học viên."))
    if create_members and not holds(by, "organizations.add_member"):
        report.errors.append(_("Tài khoản này không được thêm đảng viên."))
    rows = _read_rows(table, report)
    with transaction.atomic():
        # The course row stays locked from the preview pass to the writing pass, so no seat changes between.
        course = Course.objects.select_for_update().get(pk=course.pk)
        if not dry_run and imported_meanwhile(report):
            return report
        _find_members(rows, by, create_members, table.headers)
        candidates = [row for row in rows if not row.result.refused]
        try:
            with transaction.atomic():
                outcomes = _nominate(course, candidates, by=by, reason=reason, file_name=file_name)
                transaction.set_rollback(True)
        except (ValidationError, PermissionDenied) as refusal:
            report.errors.extend(getattr(refusal, "messages", None) or [str(refusal)])
            return report
        _describe(candidates, outcomes, course)
        if dry_run or not report.may_import(valid_only):
            return report
        taken = [row for row in candidates if not row.result.refused and row.result.outcome != Outcome.UNCHANGED]
        outcomes = _nominate(course, taken, by=by, reason=reason, file_name=file_name)
        refused = [
            (row, outcome) for row, outcome in zip(taken, outcomes, strict=True) if isinstance(outcome, ValidationError)
        ]
        for row, error in refused:  # only if the database changed between the two passes
            for message in error.messages:
                row.result.refuse(message)
        if (refused and not valid_only) or not record_import(report, by=by, record=record, data=data):
            transaction.set_rollback(True)
            return report
        report.imported = True
    return report


def _read_rows(table, report):
    rows = []
    lengths = {
        name: Member._meta.get_field(name).max_length for name in ("full_name", "workplace", "job_title", "phone")
    }
    for row in table.rows:
        result = report.add_row(table.sheet, row.number)
        full_name = take(
            result, table, row, COLUMN["full_name"], parse_person_name, lengths["full_name"], required=True
        )
        birth = take(result, table, row, COLUMN["birth_date"], parse_date, required=True)
        organization = take(result, table, row, COLUMN["organization"], parse_text, 255, required=True)
        post_text = take(result, table, row, COLUMN["post"], parse_text, lengths["job_title"])
        details = {
            "gender": take(result, table, row, COLUMN["gender"], parse_choice, GENDER_CHOICES, _("giới tính")) or "",
            "workplace": take(result, table, row, COLUMN["workplace"], parse_text, lengths["workplace"]) or "",
            "email": take(result, table, row, COLUMN["email"], parse_email, Member._meta.get_field("email").max_length)
            or "",
            "phone": take(result, table, row, COLUMN["phone"], parse_phone, lengths["phone"]) or "",
        }
        # The column holds a party post as often as a job title; a job title is kept for a new member.
        try:
            post = parse_choice(post_text, POST_CHOICES, "") or ""
        except CellError:
            post = ""
            details["job_title"] = post_text
        result.description = full_name or "—"
        if full_name and birth:
            result.description = f"{full_name} ({birth})"
        if not result.refused:
            rows.append(NominationRow(result, full_name, birth, organization, post, details))
    return rows


def _find_members(rows, by, create_members, headers):
    """Give each row its organization and member, refusing the rows where either is missing or ambiguous."""
    scope = scope_acting_for(by)
    organizations = Organization.objects.for_scope(scope)
    texts = {row.organization_text for row in rows}
    by_code, by_name = {}, {}
    coded = organizations.annotate(code_key=Upper("code"))
    for chunk in in_chunks({text.upper() for text in texts}):
        by_code.update((org.code_key, org) for org in coded.filter(code_key__in=chunk))
    for chunk in in_chunks({search_key(text) for text in texts}):
        for org in organizations.filter(search_key__in=chunk):
            by_name.setdefault(org.search_key, []).append(org)
    header = headers.get("organization", str(COLUMN["organization"].label))
    for row in rows:
        found = by_code.get(row.organization_text.upper())
        named = by_name.get(search_key(row.organization_text), [])
        if found is None and len(named) == 1:
            found = named[0]
        if found is None:
            if named:
                message = _("có %(count)d tổ chức đảng cùng tên '%(name)s'; hãy ghi mã tổ chức") % {
                    "count": len(named),
                    "name": row.organization_text,
                }
            else:
                message = _("'%(value)s' không có trong phạm vi tổ chức của tài khoản") % {
                    "value": row.organization_text
                }
            row.result.refuse(message, column=header)
            continue
        row.organization = found
    rows = [row for row in rows if not row.result.refused]
    members = Member.objects.for_scope(scope)
    candidates = {}
    for chunk in in_chunks({search_key(row.full_name) for row in rows}):
        for member in members.filter(search_key__in=chunk).select_related("organization"):
            candidates.setdefault(member.search_key, []).append(member)
    seen = {}
    for row in rows:
        found = [
            member
            for member in candidates.get(search_key(row.full_name), [])
            if row.birth.matches(member.birth_date) and member.organization.path.startswith(row.organization.path)
        ]
        if len(found) > 1:
            row.result.refuse(
                _(
                    "có %(count)d đảng viên cùng họ tên và ngày sinh trong %(organization)s; hãy cử đồng chí này "
                    "trên trang Học viên của lớp"
                )
                % {"count": len(found), "organization": row.organization.name}
            )
            continue
        if not found and not create_members:
            row.result.refuse(
                _(
                    "không tìm thấy đảng viên này trong %(organization)s; kiểm tra họ tên, ngày sinh, hoặc chọn "
                    "tạo đảng viên mới"
                )
                % {"organization": row.organization.name}
            )
            continue
        row.member = found[0] if found else None
        key = row.member.pk if row.member else (search_key(row.full_name), row.birth, row.organization.pk)
        if key in seen:
            row.result.refuse(_("đồng chí này đã có ở dòng %(row)d") % {"row": seen[key].result.number})
            continue
        seen[key] = row


def _nominate(course, rows, *, by, reason, file_name):
    """Create the members the rows need (fresh objects each time) and nominate every row's member."""
    new_members = []
    for row in rows:
        if row.member is None or row.member.pk is None or row.created_member:
            row.member = Member(
                full_name=row.full_name,
                birth_date=row.birth.date,
                organization=row.organization,
                job_title=row.details.get("job_title", ""),
                **{key: row.details[key] for key in ("gender", "workplace", "email", "phone")},
            )
            row.member.fill_keys()
            row.created_member = True
            new_members.append(row.member)
    bulk_create_with_history(new_members, Member, default_user=by, default_change_reason=history_reason(file_name))
    return nominate_many(course, [(row.member, row.post) for row in rows], by=by, reason=reason)


def _describe(rows, outcomes, course):
    withdrawn = set(
        Enrollment.objects.filter(
            course=course, status=Enrollment.Status.WITHDRAWN, member_id__in=[row.member.pk for row in rows]
        ).values_list("member_id", flat=True)
    )
    for row, outcome in zip(rows, outcomes, strict=True):
        result = row.result
        where = row.organization.name
        if isinstance(outcome, ValidationError):
            if is_already_listed(outcome):
                result.description += " — " + _("đã có tên trong lớp %(code)s") % {"code": course.code}
                continue
            for message in outcome.messages:
                result.refuse(message)
            continue
        post = f" ({outcome.get_post_display()})" if outcome.post else ""
        if row.created_member:
            result.outcome = Outcome.CREATED
            result.description += " — " + _("thêm đảng viên mới vào %(organization)s và cử đi học%(post)s") % {
                "organization": where,
                "post": post,
            }
        elif row.member.pk in withdrawn:
            result.outcome = Outcome.CHANGED
            result.description += " — " + _("cử đi học lại (đã rút khỏi lớp trước đó)%(post)s") % {"post": post}
        else:
            result.outcome = Outcome.CREATED
            result.description += " — " + _("cử đi học%(post)s") % {"post": post}
