"""Importing the party tree, its members and their posts from one workbook: a sheet of organizations
(Mã tổ chức, Tên tổ chức, Loại, Mã tổ chức cấp trên) and a sheet of people with their posts.

Rows are matched on natural keys (an organization's code; a member's name and birth date; a post's
member, organization, post and term), so a yearly update adds what is new, changes what differs and
leaves the rest. Everything is read and written in bulk: the number of queries does not grow with the
file.
"""

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F, Max
from django.db.models.functions import Substr, Upper
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

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
from organizations.access import scope_acting_for
from organizations.models import Appointment, ImportRecord, Member, Organization, Post
from organizations.people_columns import GENDER_CHOICES, PEOPLE_COLUMNS, POST_CHOICES, POST_NAMES
from organizations.permissions import holds, may_import_into, may_import_tree
from organizations.uploads import imported_meanwhile, new_report, record_import

if TYPE_CHECKING:
    from django.contrib.auth.models import User


Kind = Organization.Kind
BATCH_SIZE = 1000
# Posts on these levels are not what the center trains for (as in the demo data).
UNTRAINED_KINDS = (Kind.BLOC, Kind.AFFILIATED_COMMITTEE)


def _field_length(model, name):
    return model._meta.get_field(name).max_length


# A file's headers are its format's, in Vietnamese whatever the interface's language.
ORGANIZATION_COLUMNS = [
    Column("code", "Mã tổ chức", ("Mã", "Mã tổ chức đảng", "Mã đơn vị"), required=True, width=18),
    Column("name", "Tên tổ chức", ("Tên tổ chức đảng", "Tên"), required=True, width=50),
    Column("kind", "Loại", ("Loại tổ chức", "Loại hình"), required=True, width=22),
    Column(
        "parent_code",
        "Mã tổ chức cấp trên",
        ("Mã cấp trên", "Cấp trên", "Mã tổ chức đảng cấp trên"),
        required=True,
        width=20,
    ),
]
SPECS = {"organizations": ORGANIZATION_COLUMNS, "people": PEOPLE_COLUMNS}

# The names a file may give each kind: the file format's Vietnamese first (it is what the template and error
# messages name), then the interface's label, in whatever language is active.
KIND_CHOICES = [
    (Kind.BLOC, "Đảng bộ Khối", "Đảng ủy Khối", Kind.BLOC.label),
    (Kind.AFFILIATED_COMMITTEE, "Đảng ủy trực thuộc", "Đảng bộ trực thuộc", Kind.AFFILIATED_COMMITTEE.label),
    (Kind.GRASSROOTS_COMMITTEE, "Đảng bộ cơ sở", "Đảng ủy cơ sở", Kind.GRASSROOTS_COMMITTEE.label),
    (Kind.GRASSROOTS_CELL, "Chi bộ cơ sở", Kind.GRASSROOTS_CELL.label),
    (Kind.PARTIAL_COMMITTEE, "Đảng bộ bộ phận", Kind.PARTIAL_COMMITTEE.label),
    (Kind.CELL, "Chi bộ", "Chi bộ trực thuộc", Kind.CELL.label),
]
# choice -> the name a file gives it
KIND_NAMES = {choice: names[0] for choice, *names in KIND_CHOICES}
_TERM = re.compile(r"(\d{4})\s*[-–—/]\s*(\d{4})")


def import_template() -> bytes:
    """The workbook to fill in, downloadable from the admin."""
    kinds = ", ".join(str(name) for name in KIND_NAMES.values())
    posts = ", ".join(str(name) for name in POST_NAMES.values())
    return template_workbook(
        [(_("Tổ chức đảng"), ORGANIZATION_COLUMNS), (_("Đảng viên và chức vụ"), PEOPLE_COLUMNS)],
        guidance=[
            ("Mã tổ chức", _("Bắt buộc, không trùng nhau, ví dụ BTCTW-01-02.")),
            ("Loại", _("Một trong: %(kinds)s.") % {"kinds": kinds}),
            (
                _("Mã tổ chức cấp trên"),
                _("Mã của tổ chức cấp trên, có trong tệp hoặc đã có trong hệ thống; để trống chỉ với Đảng bộ Khối."),
            ),
            ("Họ và tên, Ngày sinh", _("Bắt buộc; đảng viên được nhận ra theo họ tên và ngày sinh.")),
            ("Ngày sinh, Từ ngày, Đến ngày", _("Ngày dạng 05/03/1975, 5/3/1975, 05-03-1975 hoặc chỉ năm 1975.")),
            ("Chức vụ", _("Để trống nếu không giữ chức vụ; hoặc một trong: %(posts)s.") % {"posts": posts}),
            ("Nhiệm kỳ, Từ ngày", _("Bắt buộc khi có Chức vụ; nhiệm kỳ dạng 2020–2025.")),
            ("Đến ngày", _("Để trống khi đang giữ chức vụ.")),
            ("Giới tính", _("Nam hoặc Nữ.")),
        ],
    )


def parse_term(value):
    text = parse_text(value, _field_length(Appointment, "term_label"))
    if text is None:
        return None
    match = _TERM.fullmatch(text)
    if not match or int(match[1]) >= int(match[2]):
        raise CellError(_("'%(value)s' không phải nhiệm kỳ hợp lệ (ví dụ 2020–2025)") % {"value": text})
    return f"{match[1]}–{match[2]}"


def post_requires_training(organization):
    return organization.kind not in UNTRAINED_KINDS


def column(key):
    return next(column for columns in SPECS.values() for column in columns if column.key == key)


# -- Rows as read -----------------------------------------------------------------------------------


@dataclass(eq=False)
class OrganizationRow:
    result: object
    code: str
    name: str
    kind: str
    parent_code: str | None
    existing: Organization | None = None
    parent: "Organization | OrganizationRow | None" = None
    organization: Organization | None = None  # the saved or planned organization


@dataclass(eq=False)
class PersonRow:
    result: object
    full_name: str
    birth: object  # DateValue
    organization_code: str
    details: dict  # gender, workplace, job_title, email, phone: only those written in the file
    post: str | None
    term: str | None
    start_date: object
    end_date: object
    organization: Organization | None = None
    person: "Person | None" = None


@dataclass(eq=False)
class Person:
    """One person of the file (every row with the same name and birth date) and their member record."""

    key: tuple
    rows: list = field(default_factory=list)
    member: Member | None = None
    home: "Organization | OrganizationRow | None" = None  # where a new member belongs
    created: bool = False
    changed_fields: list = field(default_factory=list)


def _person_key(full_name, birth):
    return search_key(full_name), birth


# -- The import -------------------------------------------------------------------------------------


def import_organizations(
    data: bytes,
    *,
    by: "User | None",
    file_name: str = "",
    dry_run: bool = False,
    valid_only: bool = False,
    record: ImportRecord | None = None,
) -> ImportReport:
    """Plan (dry_run) or run the import of a workbook of organizations, members and posts.

    Returns the ImportReport: what each row creates, changes or leaves, and why a row is refused. Nothing
    is written when dry_run, when the file was imported before, or when a row is refused and valid_only is
    not set; otherwise every taken row is written in one transaction. A user who may not import the tree at all
    (may_import_tree) is refused before the file is read; each row then needs its own right and an organization
    in the user's scope (may_import_into).
    """
    if not may_import_tree(by):
        raise PermissionDenied(_("Tài khoản này không được nhập cây tổ chức."))
    report = new_report(ImportRecord.Kind.ORGANIZATIONS, data, file_name)
    if report.previous is not None and not dry_run:
        return report
    tables = read_tables(data, SPECS, file_name)
    if not any(tables.values()):
        raise SpreadsheetError(missing_headers_message(SPECS), code="no_header")
    for table in tables.values():
        if table is not None:
            report.header_rows[table.sheet] = table.header_row
    with transaction.atomic():
        if not dry_run:
            _lock_tree()
            if imported_meanwhile(report):
                return report
        plan = _Plan(by, report)
        if tables["organizations"] is not None:
            plan.read_organizations(tables["organizations"])
        if tables["people"] is not None:
            plan.read_people(tables["people"])
        plan.resolve()
        if dry_run or not report.may_import(valid_only):
            return report
        plan.write()
        if not record_import(report, by=by, record=record, data=data):
            transaction.set_rollback(True)
            return report
        report.imported = True
    return report


def _lock_tree() -> None:
    """Hold the tree's roots until the import's transaction ends, so imports run one after another, each planning
    from the tree the one before left: two plans made at once would give two new organizations one path."""
    list(Organization.objects.select_for_update().filter(depth=1).values_list("pk", flat=True))


class _Plan:
    def __init__(self, by, report):
        self.by = by
        self.scope = scope_acting_for(by)
        self.report = report
        self.today = timezone.localdate()
        self.organization_rows = []
        self.person_rows = []
        self.rows_by_code = {}
        self.refused_codes = {}  # code -> the result of an organization row refused as it was read
        self.headers = {}  # column key -> header text, for messages about cells

    # -- Reading ----------------------------------------------------------------------------------

    def read_organizations(self, table):
        self.headers.update((key, text) for key, text in table.headers.items() if key != "code")
        for row in table.rows:
            result = self.report.add_row(table.sheet, row.number)
            code = take(
                result, table, row, column("code"), parse_text, _field_length(Organization, "code"), required=True
            )
            name = take(
                result, table, row, column("name"), parse_text, _field_length(Organization, "name"), required=True
            )
            kind = take(
                result, table, row, column("kind"), parse_choice, KIND_CHOICES, _("loại tổ chức"), required=True
            )
            parent_code = take(
                result, table, row, column("parent_code"), parse_text, _field_length(Organization, "code")
            )
            result.description = f"{code or '—'} · {name or '—'}"
            if result.refused and code:
                self.refused_codes.setdefault(code.upper(), result)
            if not result.refused:
                self.organization_rows.append(OrganizationRow(result, code, name, kind, parent_code))

    def read_people(self, table):
        self.headers.update(table.headers)
        lengths = {name: _field_length(Member, name) for name in ("full_name", "workplace", "job_title", "phone")}
        for row in table.rows:
            result = self.report.add_row(table.sheet, row.number)
            full_name = take(
                result, table, row, column("full_name"), parse_person_name, lengths["full_name"], required=True
            )
            birth = take(result, table, row, column("birth_date"), parse_date, required=True)
            code = take(
                result,
                table,
                row,
                column("organization_code"),
                parse_text,
                _field_length(Organization, "code"),
                required=True,
            )
            details = {
                "gender": take(result, table, row, column("gender"), parse_choice, GENDER_CHOICES, _("giới tính")),
                "workplace": take(result, table, row, column("workplace"), parse_text, lengths["workplace"]),
                "job_title": take(result, table, row, column("job_title"), parse_text, lengths["job_title"]),
                "email": take(result, table, row, column("email"), parse_email, _field_length(Member, "email")),
                "phone": take(result, table, row, column("phone"), parse_phone, lengths["phone"]),
            }
            post = take(result, table, row, column("post"), parse_choice, POST_CHOICES, _("chức vụ"))
            term = take(result, table, row, column("term"), parse_term, required=bool(post))
            start = take(result, table, row, column("start_date"), parse_date, required=bool(post))
            end = take(result, table, row, column("end_date"), parse_date)
            if start and end and _last_day(end) < start.date:
                result.refuse(_("Đến ngày phải sau Từ ngày."), column=table.headers.get("end_date"))
            if birth and birth.date > self.today:
                result.refuse(_("ngày sinh ở tương lai"), column=table.headers.get("birth_date"))
            result.description = full_name or "—"
            if full_name and birth:
                result.description = f"{full_name} ({birth})"
            if result.refused:
                continue
            self.person_rows.append(
                PersonRow(
                    result,
                    full_name,
                    birth,
                    code.upper(),
                    {key: value for key, value in details.items() if value is not None},
                    post,
                    term,
                    start.date if start else None,
                    _last_day(end) if end else None,
                )
            )

    # -- Deciding -----------------------------------------------------------------------------------

    def resolve(self):
        codes = {row.code.upper() for row in self.organization_rows}
        codes |= {row.parent_code.upper() for row in self.organization_rows if row.parent_code}
        codes |= {row.organization_code for row in self.person_rows}
        self.existing = {}
        # Codes compare without regard to case: "btctw-01" in a file is BTCTW-01.
        organizations = Organization.objects.annotate(code_key=Upper("code"))
        for chunk in in_chunks(codes):
            self.existing.update((org.code_key, org) for org in organizations.filter(code_key__in=chunk))
        self.root = Organization.objects.filter(depth=1).order_by("path").first()
        self._resolve_organizations()
        self._resolve_people()

    def visible(self, organization):
        return may_import_into(self.by, organization)

    def _resolve_organizations(self):
        rows = self.organization_rows
        by_code = {}
        for row in rows:
            if row.code.upper() in by_code:
                other = by_code[row.code.upper()].result.number
                row.result.refuse(
                    _("mã tổ chức '%(code)s' trùng với dòng %(row)d") % {"code": row.code, "row": other},
                    column=str(column("code").label),
                )
                continue
            by_code[row.code.upper()] = row
            row.existing = self.existing.get(row.code.upper())
        self.rows_by_code = by_code
        parent_paths = {org.path[: -Organization.steplen] for org in self.existing.values() if org.depth > 1}
        self.parent_codes = {}
        for chunk in in_chunks(parent_paths):
            self.parent_codes.update(Organization.objects.filter(path__in=chunk).values_list("path", "code"))
        self.new_root = None
        for row in rows:
            self._place(row)
        for row in rows:
            if not row.result.refused:
                self._decide_organization(row)

    def _place(self, row):
        """Give the row its parent, walking up through the rows of the file it hangs under (a loop, not a
        recursion: a hostile file may chain thousands of rows)."""
        chain, seen = [], set()
        top = row
        while not top.result.refused and top.parent is None:
            if id(top) in seen:
                top.result.refuse(_("các tổ chức trong tệp trực thuộc nhau thành vòng"), column=self.parent_header)
                break
            chain.append(top)
            seen.add(id(top))
            parent = self._direct_parent(top)
            if isinstance(parent, OrganizationRow):
                top = parent
            elif parent is not None:
                top.parent = parent
        if chain and chain[-1] is not top:  # stopped at a row placed or refused before
            chain.append(top)
        for lower, upper in zip(reversed(chain[:-1]), reversed(chain[1:]), strict=True):
            if lower.parent is not None or lower.result.refused:
                continue
            if upper.result.refused:
                lower.result.refuse(
                    _("tổ chức cấp trên ở dòng %(row)d không nhận được") % {"row": upper.result.number},
                    column=self.parent_header,
                )
            else:
                lower.parent = upper

    @property
    def parent_header(self):
        return self.headers.get("parent_code", str(column("parent_code").label))

    def _direct_parent(self, row):
        """The row's parent: an organization of the tree, False for a new root, another row of the file, or
        None when the row is refused."""
        code = row.parent_code.upper() if row.parent_code else None
        if row.existing is not None:
            if not self.visible(row.existing):
                row.result.refuse(_("mã tổ chức '%(code)s' đã được dùng cho một tổ chức khác") % {"code": row.code})
                return None
            row.organization = row.existing
            current = None
            if row.existing.depth > 1:
                current = self.parent_codes.get(row.existing.path[: -Organization.steplen])
            if code != (current.upper() if current else None):
                row.result.refuse(
                    _("tổ chức này đang trực thuộc '%(current)s'; hãy chuyển tổ chức trên trang Tổ chức đảng")
                    % {"current": current or "—"},
                    column=self.parent_header,
                )
                return None
            return self.existing.get(code, False) if code else False
        if code is None:
            if self.root is None and self.scope.everything and self.new_root is None:
                self.new_root = row
                return False
            row.result.refuse(_("không được để trống"), column=self.parent_header)
            return None
        parent_row = self.rows_by_code.get(code)
        if parent_row is not None and not parent_row.result.refused:
            return parent_row
        parent = self.existing.get(code)
        refused = parent_row.result if parent_row is not None else self.refused_codes.get(code)
        if refused is not None and (parent is None or not self.visible(parent)):
            row.result.refuse(
                _("tổ chức cấp trên ở dòng %(row)d không nhận được") % {"row": refused.number},
                column=self.parent_header,
            )
            return None
        if parent is None or not self.visible(parent):
            row.result.refuse(
                _("'%(code)s' không có trong tệp hoặc trong phạm vi tổ chức của tài khoản") % {"code": row.parent_code},
                column=self.parent_header,
            )
            return None
        return parent

    def _decide_organization(self, row):
        result = row.result
        if row.existing is None:
            if not holds(self.by, "organizations.add_organization"):
                result.refuse(_("tài khoản này không được thêm tổ chức đảng"))
                return
            result.outcome = Outcome.CREATED
            result.description = _("%(code)s · %(name)s: thêm tổ chức") % {
                "code": row.code,
                "name": row.name,
            }
            return
        organization = row.existing
        changes = []
        if row.name != organization.name:
            changes.append(_("tên '%(old)s' → '%(new)s'") % {"old": organization.name, "new": row.name})
        if row.kind != organization.kind:
            changes.append(
                _("loại '%(old)s' → '%(new)s'") % {"old": organization.get_kind_display(), "new": Kind(row.kind).label}
            )
        if not changes:
            result.description = _("%(code)s · %(name)s") % {"code": row.code, "name": organization.name}
            return
        if not holds(self.by, "organizations.change_organization"):
            result.refuse(_("tài khoản này không được sửa tổ chức đảng"))
            return
        result.outcome = Outcome.CHANGED
        result.description = f"{row.code} · {organization.name}: {'; '.join(changes)}"

    def organization_for(self, code):
        """The organization people rows may name by this code: one of the tree in the user's scope, or one
        this file adds. A string says why there is none."""
        row = self.rows_by_code.get(code)
        if row is not None and row.existing is None and not row.result.refused:
            return row
        organization = self.existing.get(code)
        if organization is not None and self.visible(organization):
            return organization
        refused = row.result if row is not None else self.refused_codes.get(code)
        if refused is not None:
            return _("tổ chức '%(code)s' ở dòng %(row)d của trang %(sheet)s không nhận được") % {
                "code": code,
                "row": refused.number,
                "sheet": refused.sheet,
            }
        return _("'%(code)s' không có trong tệp hoặc trong phạm vi tổ chức của tài khoản") % {"code": code}

    def _resolve_people(self):
        people = {}
        for row in self.person_rows:
            organization = self.organization_for(row.organization_code)
            if isinstance(organization, str):
                row.result.refuse(organization, column=self.headers.get("organization_code"))
                continue
            row.organization = organization
            key = _person_key(row.full_name, row.birth)
            row.person = people.setdefault(key, Person(key))
            row.person.rows.append(row)
        self.people = list(people.values())
        self._match_members()
        self._decide_appointments()
        self._decide_members()

    def _match_members(self):
        names = {person.key[0] for person in self.people}
        candidates = defaultdict(list)
        members = Member.objects.for_scope(self.scope)
        for chunk in in_chunks(names):
            for member in members.filter(search_key__in=chunk).select_related("organization"):
                candidates[member.search_key].append(member)
        for person in self.people:
            name, birth = person.key
            found = [member for member in candidates[name] if birth.matches(member.birth_date)]
            if len(found) > 1:
                paths = [_path_of(row.organization) for row in person.rows]
                found = [
                    member
                    for member in found
                    if any(path and member.organization.path.startswith(path) for path in paths)
                ]
            if len(found) > 1:
                for row in person.rows:
                    row.result.refuse(
                        _(
                            "có %(count)d đảng viên cùng họ tên và ngày sinh trong phạm vi của tài khoản; hãy cập "
                            "nhật đồng chí này trên trang Đảng viên"
                        )
                        % {"count": len(found)}
                    )
                continue
            person.member = found[0] if found else None

    def _decide_appointments(self):
        member_ids = {person.member.pk for person in self.people if person.member is not None}
        existing = {}
        for chunk in in_chunks(member_ids):
            for appointment in Appointment.objects.filter(member_id__in=chunk).order_by("start_date"):
                existing[
                    (appointment.member_id, appointment.organization_id, appointment.post, appointment.term_label)
                ] = appointment
        seen = {}
        self.new_appointments, self.changed_appointments = [], []
        for row in self.person_rows:
            if row.result.refused or row.post is None:
                continue
            key = (id(row.person), id(row.organization), row.post, row.term)
            if key in seen:
                row.result.refuse(
                    _("chức vụ này trùng với dòng %(row)d") % {"row": seen[key].result.number},
                    column=str(column("post").label),
                )
                continue
            seen[key] = row
            current = row.end_date is None or row.end_date > self.today
            appointment = None
            if row.person.member is not None and isinstance(row.organization, Organization):
                appointment = existing.get((row.person.member.pk, row.organization.pk, row.post, row.term))
            label = _("%(post)s %(organization)s (%(term)s)") % {
                "post": Post(row.post).label,
                "organization": row.organization.name,
                "term": row.term,
            }
            if appointment is None:
                if not holds(self.by, "organizations.add_appointment"):
                    row.result.refuse(_("tài khoản này không được thêm chức vụ"))
                    continue
                self.new_appointments.append(row)
                row.result.outcome = Outcome.CREATED
                row.result.description += " — " + _("thêm chức vụ %(post)s") % {"post": label}
                continue
            if (appointment.start_date, appointment.end_date, appointment.is_current) == (
                row.start_date,
                row.end_date,
                current,
            ):
                row.result.description += " — " + label
                continue
            if not holds(self.by, "organizations.change_appointment"):
                row.result.refuse(_("tài khoản này không được sửa chức vụ"))
                continue
            appointment.start_date, appointment.end_date, appointment.is_current = row.start_date, row.end_date, current
            self.changed_appointments.append(appointment)
            row.result.outcome = Outcome.CHANGED
            row.result.description += " — " + _("cập nhật chức vụ %(post)s") % {"post": label}

    def _decide_members(self):
        for person in self.people:
            rows = [row for row in person.rows if not row.result.refused]
            if not rows:
                continue
            details = {}
            for row in rows:
                for key, value in row.details.items():
                    details.setdefault(key, value)
            first = rows[0]
            if person.member is None:
                if not holds(self.by, "organizations.add_member"):
                    for row in rows:
                        row.result.refuse(_("tài khoản này không được thêm đảng viên"))
                    continue
                home = max((row.organization for row in rows), key=_depth_of)
                person.member = Member(
                    full_name=first.full_name,
                    birth_date=first.birth.date,
                    gender=details.get("gender", ""),
                    workplace=details.get("workplace", ""),
                    job_title=details.get("job_title", ""),
                    email=details.get("email", ""),
                    phone=details.get("phone", ""),
                )
                person.home = home
                person.created = True
                first.result.outcome = Outcome.CREATED
                first.result.description += " — " + _("thêm đảng viên")
                continue
            member = person.member
            changed = [key for key, value in details.items() if getattr(member, key) != value]
            if not changed:
                continue
            if not holds(self.by, "organizations.change_member"):
                for row in rows:
                    row.result.refuse(_("tài khoản này không được sửa thông tin đảng viên"))
                continue
            for key in changed:
                setattr(member, key, details[key])
            person.changed_fields = changed
            if first.result.outcome == Outcome.UNCHANGED:
                first.result.outcome = Outcome.CHANGED
            labels = ", ".join(str(Member._meta.get_field(key).verbose_name) for key in changed)
            first.result.description += " — " + _("cập nhật %(fields)s") % {"fields": labels}

    # -- Writing ------------------------------------------------------------------------------------

    def write(self):
        reason = history_reason(self.report.file_name)
        self._write_organizations()
        people = [
            person
            for person in self.people
            if person.member is not None and any(not r.result.refused for r in person.rows)
        ]
        new_members = []
        for person in people:
            if person.created:
                person.member.organization = _saved(person.home)
                person.member.fill_keys()
                new_members.append(person.member)
        bulk_create_with_history(
            new_members, Member, batch_size=BATCH_SIZE, default_user=self.by, default_change_reason=reason
        )
        changed_members = [person.member for person in people if person.changed_fields]
        if changed_members:
            fields = sorted({key for person in people for key in person.changed_fields})
            bulk_update_with_history(
                changed_members,
                Member,
                fields,
                batch_size=BATCH_SIZE,
                default_user=self.by,
                default_change_reason=reason,
            )
        new_appointments = []
        for row in self.new_appointments:
            if row.result.refused:
                continue
            organization = _saved(row.organization)
            end_date = row.end_date
            new_appointments.append(
                Appointment(
                    member=row.person.member,
                    organization=organization,
                    post=row.post,
                    term_label=row.term,
                    start_date=row.start_date,
                    end_date=end_date,
                    is_current=end_date is None or end_date > self.today,
                    requires_training=post_requires_training(organization),
                )
            )
        bulk_create_with_history(
            new_appointments, Appointment, batch_size=BATCH_SIZE, default_user=self.by, default_change_reason=reason
        )
        if self.changed_appointments:
            bulk_update_with_history(
                self.changed_appointments,
                Appointment,
                ["start_date", "end_date", "is_current"],
                batch_size=BATCH_SIZE,
                default_user=self.by,
                default_change_reason=reason,
            )

    def _write_organizations(self):
        new_rows = [row for row in self.organization_rows if row.result.outcome == Outcome.CREATED]
        changed = []
        for row in self.organization_rows:
            if row.result.outcome == Outcome.CHANGED:
                organization = row.existing
                organization.name, organization.kind = row.name, row.kind
                organization.fill_keys()
                changed.append(organization)
        Organization.objects.bulk_update(changed, ["name", "search_key", "kind"], batch_size=BATCH_SIZE)
        if not new_rows:
            return
        steplen = Organization.steplen
        existing_parents = {}
        for row in new_rows:
            parent = _saved(row.parent) if row.parent is not False else None
            if parent is not None and parent.pk:
                existing_parents[parent.path] = parent
        last_step = {}
        for chunk in in_chunks(existing_parents):
            children = (
                Organization.objects.annotate(parent_path=Substr("path", 1, (F("depth") - 1) * steplen))
                .filter(parent_path__in=chunk)
                .values("parent_path")
                .annotate(last=Max("path"))
                .order_by()
            )
            for child in children:
                last_step[child["parent_path"]] = Organization._str2int(child["last"][-steplen:])
        roots = Organization.objects.filter(depth=1).count()
        for row in new_rows:
            row.depth = _row_depth(row)
        added = defaultdict(int)
        for row in sorted(new_rows, key=lambda r: (r.depth, r.code)):
            organization = Organization(kind=row.kind, code=row.code, name=row.name, numchild=0)
            organization.fill_keys()
            if row.parent is False:
                roots += 1
                organization.depth, organization.path = 1, Organization._get_path(None, 1, roots)
            else:
                parent = _saved(row.parent)
                step = last_step.get(parent.path, 0) + added[parent.path] + 1
                added[parent.path] += 1
                organization.depth = parent.depth + 1
                organization.path = Organization._get_path(parent.path, organization.depth, step)
                parent.numchild += 1
            row.organization = organization
        Organization.objects.bulk_create([row.organization for row in new_rows], batch_size=BATCH_SIZE)
        Organization.objects.bulk_update(list(existing_parents.values()), ["numchild"], batch_size=BATCH_SIZE)


def _row_depth(row):
    depth = 1
    while isinstance(row, OrganizationRow) and row.parent is not False:
        if isinstance(row.parent, Organization):
            return depth + row.parent.depth
        row = row.parent
        depth += 1
    return depth


def _saved(organization):
    """An organization of the tree, or the one a row of the file adds."""
    return organization.organization if isinstance(organization, OrganizationRow) else organization


def _path_of(organization):
    return organization.path if isinstance(organization, Organization) else None


def _depth_of(organization):
    return organization.depth if isinstance(organization, Organization) else _row_depth(organization)


def _last_day(value):
    """A year alone, as an end date, means the end of that year."""
    return value.date.replace(month=12, day=31) if value.year_only else value.date
