"""Sample Excel files for the imports, in the shapes committees really send: written by Excel or by
LibreOffice, with titles and merged cells above the header, headers in another order or worded
differently, dates as dates or as text or as a year, names in capitals or with combining accents.

They are built from the demo data (so they match its members and its open class) and import cleanly;
the tests import every one of them. The full bloc's tree is built here too, for the benchmark.
"""

import io
import re
import unicodedata
import zipfile
from datetime import date
from pathlib import Path
from xml.etree import ElementTree

import openpyxl
from openpyxl.styles import Alignment, Font

from common.imports.spreadsheets import save
from common.workbook_cells import safe_row
from courses.models import Course
from demo.builder import OFFICER_LOGIN
from enrollments.models import Enrollment
from organizations.models import Appointment, Member, Officer, Organization, Post
from organizations.people_columns import GENDER_NAMES, PEOPLE_COLUMNS, POST_NAMES
from organizations.tree_import import KIND_NAMES, ORGANIZATION_COLUMNS

Kind = Organization.Kind
SAMPLES_FOLDER = "mau-nhap-excel"  # under MEDIA_ROOT
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
TITLE_FONT = Font(bold=True, size=14)
DATE_FORMAT = "dd/mm/yyyy"
# People the samples add: (name, birth date, gender).
NEW_PEOPLE = [
    ("Hoàng Thị Thu Trang", date(1984, 9, 12), "Nữ"),
    ("Đinh Quang Vinh", date(1979, 1, 30), "Nam"),
    ("Trịnh Ngọc Ánh", date(1990, 11, 5), "Nữ"),
    ("Lương Văn Khải", date(1976, 6, 18), "Nam"),
    ("Mai Thị Hồng Nhung", date(1988, 3, 3), "Nữ"),
    ("Tạ Đức Thắng", date(1982, 12, 24), "Nam"),
    ("Kiều Minh Tuấn", date(1987, 7, 7), "Nam"),
]


def _dmy(day):
    return day.strftime("%d/%m/%Y")


def _title(sheet, lines, width):
    """Title lines above the table, each merged across the table's width, then a blank row."""
    for line in lines:
        sheet.append(safe_row(sheet, [line]))
        row = sheet.max_row
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
        sheet.cell(row=row, column=1).font = TITLE_FONT
        sheet.cell(row=row, column=1).alignment = Alignment(horizontal="center")
    sheet.append([])


def _append(sheet, values):
    sheet.append(safe_row(sheet, values))
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, date):
            cell.number_format = DATE_FORMAT


EXCEL = "Microsoft Excel"
LIBREOFFICE = "LibreOffice/7.6.4.1$Linux_X86_64 LibreOffice_project/e19e193f88cd6c0525a17fb7a176ed8e6a3e2aa1"
SHARED_STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
SHARED_STRINGS_RELATION = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"


def saved_by(data, application, *, drop_dimension=False, drop_cell_references=False):
    """The workbook as a spreadsheet application saves it: its text in a shared-strings table (openpyxl
    writes text inline in each cell; Excel and LibreOffice do not), the application named in its
    properties; optionally without the stated dimension and without cells' A1 references, as some
    reporting tools write sheets."""
    source = zipfile.ZipFile(io.BytesIO(data))
    ElementTree.register_namespace("", MAIN)
    strings = {}
    sheets = {
        entry.filename: _shared_strings(source.read(entry), strings, drop_dimension, drop_cell_references)
        for entry in source.infolist()
        if entry.filename.startswith("xl/worksheets/sheet")
    }
    table = ElementTree.Element(f"{{{MAIN}}}sst", count=str(len(strings)), uniqueCount=str(len(strings)))
    for text in strings:
        ElementTree.SubElement(ElementTree.SubElement(table, f"{{{MAIN}}}si"), f"{{{MAIN}}}t").text = text
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            content = sheets.get(entry.filename) or source.read(entry)
            if entry.filename == "[Content_Types].xml":
                override = f'<Override PartName="/xl/sharedStrings.xml" ContentType="{SHARED_STRINGS_TYPE}"/>'
                content = content.replace(b"</Types>", override.encode() + b"</Types>")
            elif entry.filename == "xl/_rels/workbook.xml.rels":
                relation = (
                    f'<Relationship Id="rIdStrings" Type="{SHARED_STRINGS_RELATION}" Target="sharedStrings.xml"/>'
                )
                content = content.replace(b"</Relationships>", relation.encode() + b"</Relationships>")
            elif entry.filename == "docProps/app.xml":
                content = re.sub(
                    rb"<Application>[^<]*</Application>", f"<Application>{application}</Application>".encode(), content
                )
            target.writestr(entry.filename, content)
        target.writestr("xl/sharedStrings.xml", ElementTree.tostring(table, xml_declaration=True, encoding="UTF-8"))
    return output.getvalue()


def _shared_strings(content, strings, drop_dimension, drop_cell_references):
    root = ElementTree.fromstring(content)
    if drop_dimension:
        for dimension in root.findall(f"{{{MAIN}}}dimension"):
            root.remove(dimension)
    for cell in root.iter(f"{{{MAIN}}}c"):
        if drop_cell_references:
            cell.attrib.pop("r", None)
        inline = cell.find(f"{{{MAIN}}}is")
        if cell.get("t") == "inlineStr" and inline is not None:
            text = "".join(t.text or "" for t in inline.iter(f"{{{MAIN}}}t"))
            cell.remove(inline)
            cell.set("t", "s")
            ElementTree.SubElement(cell, f"{{{MAIN}}}v").text = str(strings.setdefault(text, len(strings)))
    return ElementTree.tostring(root, xml_declaration=True, encoding="UTF-8")


# -- Nomination lists -----------------------------------------------------------------------------


def _nominees(course, committee, count):
    """Members of the committee's cells not on the course's list and holding a post, in roster order."""
    listed = Enrollment.objects.filter(course=course).values("member")
    members = (
        Member.objects.filter(organization__path__startswith=committee.path, organization__kind=Kind.CELL)
        .exclude(pk__in=listed)
        .exclude(enrollments__course__program=course.program, enrollments__status=Enrollment.Status.COMPLETED)
        .filter(appointments__is_current=True, birth_date__isnull=False)
        .select_related("organization")
        .distinct()
        .roster_order()
    )
    return list(members[:count])


def _post_of(member):
    appointment = member.appointments.filter(is_current=True).order_by("-requires_training").first()
    return POST_NAMES[appointment.post] if appointment else ""


def nomination_list_excel(course, members):
    """As the committee's office types it in Excel: a title over merged cells, STT, dates as Excel dates,
    organizations by code, the columns in the order of the official form."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Danh sách"
    _title(sheet, ["ĐẢNG ỦY KHỐI CÁC CƠ QUAN TRUNG ƯƠNG", f"DANH SÁCH CỬ ĐI HỌC LỚP {course.code}"], 9)
    header = ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Chức vụ", "Chi bộ / Đảng bộ", "Đơn vị công tác"]
    _append(sheet, [*header, "Email", "Điện thoại"])
    for number, member in enumerate(members, 1):
        _append(
            sheet,
            [
                number,
                member.full_name,
                member.birth_date,
                GENDER_NAMES.get(member.gender),
                _post_of(member),
                member.organization.code,
                member.workplace,
                member.email or None,
                member.phone or None,
            ],
        )
    for _ in range(3):
        sheet.append([None] * 9)  # rows Excel keeps after the data was cleared
    return saved_by(save(workbook), EXCEL)


def nomination_list_libreoffice(course, members):
    """As saved by LibreOffice: a cover sheet first, the list on the second sheet with the columns in
    another order and worded differently, names in capitals, with combining accents and double spaces,
    dates as text in three spellings and one as a year alone, organizations by name (by code where the
    bloc has several of that name)."""
    workbook = openpyxl.Workbook()
    cover = workbook.active
    cover.title = "Công văn"
    cover.append(safe_row(cover, ["Kính gửi: Trung tâm Bồi dưỡng chính trị"]))
    cover.append(safe_row(cover, ["Đảng ủy xin cử các đồng chí có tên ở trang sau đi học."]))
    sheet = workbook.create_sheet("DS cu di hoc")
    sheet.append(safe_row(sheet, ["Danh sách kèm theo công văn"]))
    sheet.append([])
    sheet.append([])
    sheet.append(
        safe_row(sheet, ["Chi bộ, Đảng bộ", "TT", "HỌ TÊN", "Năm sinh", "Nam/Nữ", "Chức vụ, chức danh", "SĐT"])
    )
    spellings = [
        lambda day: f"{day.day}/{day.month}/{day.year}",
        lambda day: day.strftime("%d-%m-%Y"),
        lambda day: day.strftime("%d/%m/%Y"),
        lambda day: day.year,
    ]
    for number, member in enumerate(members, 1):
        name = member.full_name
        shapes = [name.upper(), unicodedata.normalize("NFD", name), name.replace(" ", "  ", 1)]
        phone = int(member.phone) if member.phone.isdigit() else None  # Excel drops the leading zero
        organization = member.organization
        namesakes = Organization.objects.filter(search_key=organization.search_key)
        sheet.append(
            safe_row(
                sheet,
                [
                    organization.name.upper() if namesakes.count() == 1 else organization.code,
                    number,
                    shapes[number % len(shapes)],
                    spellings[number % len(spellings)](member.birth_date),
                    GENDER_NAMES.get(member.gender, "").lower(),
                    _post_of(member),
                    phone,
                ],
            )
        )
    return saved_by(save(workbook), LIBREOFFICE, drop_dimension=True, drop_cell_references=True)


def nomination_samples(course, committee, other_committee):
    """file name -> bytes: the committee's list of three for its officer to import (within its quota), and
    another committee's list sent to the center, whose first member is already on the list."""
    listed = (
        Enrollment.objects.filter(course=course, member__organization__path__startswith=other_committee.path)
        .select_related("member__organization")
        .first()
    )
    resent = [listed.member] if listed else []
    return {
        "cu-di-hoc-excel.xlsx": nomination_list_excel(course, _nominees(course, committee, 3)),
        "cu-di-hoc-libreoffice.xlsx": nomination_list_libreoffice(
            course, resent + _nominees(course, other_committee, 3)
        ),
    }


# -- The tree, members and posts ----------------------------------------------------------------------


# The official headers, as the templates have them.
ORGANIZATION_HEADER = [column.label for column in ORGANIZATION_COLUMNS]
PEOPLE_HEADER = [column.label for column in PEOPLE_COLUMNS]


def yearly_update(committee):
    """The center's yearly update for a committee, as typed in Excel: a new grassroots committee with two
    cells, their secretaries and committee members, and the committee's own row, unchanged."""
    code = f"{committee.code}-MOI"
    unit = "Cục Chuyển đổi số"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Tổ chức đảng"
    _title(sheet, [f"CÁC TỔ CHỨC ĐẢNG THUỘC {committee.name.upper()}"], 4)
    sheet.append(safe_row(sheet, ORGANIZATION_HEADER))
    parent = Organization.objects.get_parent(committee)
    sheet.append(safe_row(sheet, [committee.code, committee.name, KIND_NAMES[committee.kind], parent.code]))
    sheet.append(safe_row(sheet, [code, f"Đảng bộ {unit}", "Đảng bộ cơ sở", committee.code]))
    sheet.append(safe_row(sheet, [f"{code}-01", "Chi bộ Phòng Hạ tầng số", "Chi bộ", code]))
    sheet.append(safe_row(sheet, [f"{code}-02", "Chi bộ Phòng Dữ liệu", "Chi bộ", code]))
    people = workbook.create_sheet("Đảng viên và chức vụ")
    _title(people, [f"ĐẢNG VIÊN GIỮ CHỨC VỤ — ĐẢNG BỘ {unit.upper()}"], len(PEOPLE_HEADER))
    people.append(safe_row(people, PEOPLE_HEADER))
    congress = date(2020, 6, 15)
    posts = [
        (code, Post.SECRETARY),
        (code, Post.DEPUTY_SECRETARY),
        (f"{code}-01", Post.SECRETARY),
        (f"{code}-01", Post.COMMITTEE_MEMBER),
        (f"{code}-02", Post.SECRETARY),
        (f"{code}-02", Post.DEPUTY_SECRETARY),
    ]
    for (name, born, gender), (where, post) in zip(NEW_PEOPLE, posts, strict=False):
        _append(
            people,
            [name, born, gender, where, POST_NAMES[post], "2020-2025", congress, None, unit, "Chuyên viên", None, None],
        )
    # The grassroots secretary also sits on the first cell's committee: one member, two posts.
    name, born, gender = NEW_PEOPLE[0]
    _append(
        people,
        [name, _dmy(born), gender, f"{code}-01", "Chi ủy viên", "2020–2025", "15/06/2020", "", unit, "", "", ""],
    )
    return saved_by(save(workbook), EXCEL)


def committee_members(committee):
    """An officer's list of its members and posts, saved by LibreOffice: only the people sheet, headers
    worded differently and in another order, dates as text; an existing secretary's row is repeated with
    a new phone number, and a newcomer joins a cell without a post."""
    cell = Organization.objects.filter(path__startswith=committee.path, kind=Kind.CELL).order_by("path").first()
    holder = (
        Appointment.objects.filter(organization=cell, is_current=True, post=Post.SECRETARY)
        .select_related("member")
        .first()
    )
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Danh sach"
    sheet.append(safe_row(sheet, [f"Danh sách đảng viên {cell.name}"]))
    sheet.append([])
    header = ["Mã tổ chức đảng", "Họ tên", "Ngày tháng năm sinh", "Giới", "Chức vụ đảng", "Nhiệm kỳ", "Ngày bắt đầu"]
    sheet.append(safe_row(sheet, [*header, "Ngày kết thúc", "Điện thoại", "Thư điện tử"]))
    member = holder.member
    sheet.append(
        safe_row(
            sheet,
            [
                cell.code.lower(),
                member.full_name.upper(),
                _dmy(member.birth_date),
                GENDER_NAMES.get(member.gender),
                "Bí thư chi bộ",
                holder.term_label.replace("–", "-"),
                _dmy(holder.start_date),
                None,
                "0987654321",
                None,
            ],
        )
    )
    name, born, gender = NEW_PEOPLE[6]
    sheet.append(
        safe_row(
            sheet,
            [cell.code, unicodedata.normalize("NFD", name), born.year, gender, None, None, None, None, None, None],
        )
    )
    return saved_by(save(workbook), LIBREOFFICE)


def organization_samples(committee):
    return {
        "to-chuc-cap-nhat-hang-nam.xlsx": yearly_update(committee),
        "dang-vien-don-vi.xlsx": committee_members(committee),
    }


def demo_samples():
    """file name -> bytes for every sample, for the demo officer's committee and the demo's open class."""
    officer = Officer.objects.filter(user__username=OFFICER_LOGIN).select_related("organization").first()
    if officer is not None:
        committee = officer.organization
    else:
        committee = Organization.objects.filter(kind=Kind.AFFILIATED_COMMITTEE).order_by("path").first()
    # The class still taking nominations: of the open ones, the one starting last (the others are under way).
    course = Course.objects.filter(status=Course.Status.OPEN).order_by("-start_date", "code").first()
    samples = organization_samples(committee)
    other = (
        Organization.objects.filter(kind=Kind.AFFILIATED_COMMITTEE).exclude(pk=committee.pk).order_by("path").first()
    )
    if course is not None and other is not None:
        samples.update(nomination_samples(course, committee, other))
    return samples


def write_samples(folder):
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, content in demo_samples().items():
        path = folder / name
        path.write_bytes(content)
        written.append(path)
    return written


# -- The whole bloc, for the benchmark ----------------------------------------------------------------


def tree_workbook(tree, people):
    """The whole tree and every current post holder of a planned demo tree (demo.tree), as one workbook
    written in write-only mode."""
    workbook = openpyxl.Workbook(write_only=True)
    organizations = workbook.create_sheet("Tổ chức đảng")
    organizations.append(safe_row(organizations, ORGANIZATION_HEADER))
    for node in tree.nodes:
        organization = node.organization
        parent = node.parent.organization.code if node.parent else None
        organizations.append(
            safe_row(organizations, [organization.code, organization.name, KIND_NAMES[organization.kind], parent])
        )
    sheet = workbook.create_sheet("Đảng viên và chức vụ")
    sheet.append(safe_row(sheet, PEOPLE_HEADER))
    for holding in people.holdings:
        if not holding.is_current:
            continue
        member = holding.member
        sheet.append(
            safe_row(
                sheet,
                [
                    member.full_name,
                    _dmy(member.birth_date),
                    GENDER_NAMES.get(member.gender),
                    holding.organization.code,
                    POST_NAMES[holding.post],
                    holding.term_label,
                    _dmy(holding.start_date),
                    None,
                    member.workplace,
                    member.job_title,
                    member.email or None,
                    member.phone or None,
                ],
            )
        )
    return save(workbook)
