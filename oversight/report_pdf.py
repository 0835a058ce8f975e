"""The inspection report (báo cáo kết quả kiểm tra) as a party document: the Inspection Committee's header, the
organization inspected, when, by whom and on what, the checklist's sections as prepared when the inspection opened
(rendered without knowing them: each section's figures and table), the findings, the conclusion and the corrections
with their responsible organization, due date and status. Rendered by common.pdf (the shipped fonts, the fetcher
that reads only the project's static files). The wording is the fixed Vietnamese of the document, as on the
certificates, whatever language the user who prints it has chosen."""

from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils import timezone, translation

from certificates.pdf import PARTY_NAME, nfc, vietnamese_date
from common.pdf import html_to_pdf
from common.workbook_print import issuer_name
from oversight.models import Correction, Inspection

TEMPLATE = "oversight/pdf/inspection_report.html"
HEADER_LINE_1 = "ĐẢNG BỘ KHỐI CÁC CƠ QUAN TRUNG ƯƠNG"
HEADER_LINE_2 = "ỦY BAN KIỂM TRA"
PLACE = "Hà Nội"


def _date(value) -> str:
    return f"{value:%d/%m/%Y}" if value else ""


@dataclass(frozen=True)
class Section:
    title: str
    figures: list[tuple[str, str]]
    columns: list[str]
    rows: list[list[str]]


def _text(value) -> str:
    return nfc("" if value is None else str(value))


def checklist_sections(checklist: dict) -> list[Section]:
    """The checklist's sections as stored (oversight's generic structure), every value as NFC text; a section
    without figures or table rows keeps its title; a malformed part is left out rather than stopping the print."""
    sections = []
    for section in checklist.get("sections", []) if isinstance(checklist, dict) else []:
        if not isinstance(section, dict):
            continue
        figures = [
            (_text(figure[0]), _text(figure[1]))
            for figure in section.get("figures") or []
            if isinstance(figure, list | tuple) and len(figure) == 2
        ]
        columns = [_text(column) for column in section.get("columns") or []]
        rows = [[_text(cell) for cell in row] for row in section.get("rows") or [] if isinstance(row, list | tuple)]
        sections.append(Section(_text(section.get("title", "")), figures, columns, rows))
    return sections


def report_context(inspection: Inspection) -> dict:
    """What the report prints; reads the inspection's plan and organization (select them with it), its team,
    findings and corrections: three queries whatever their number."""
    team = sorted(issuer_name(user) for user in inspection.team.all())
    findings = [nfc(text) for text in inspection.findings.order_by("pk").values_list("text", flat=True)]
    statuses = dict(Correction.Status.choices)
    corrections = [
        {
            "text": nfc(correction.text),
            "organization": nfc(correction.organization.name),
            "due_date": _date(correction.due_date),
            "status": str(statuses.get(correction.status, correction.status)),
        }
        for correction in inspection.corrections.select_related("organization").order_by("due_date", "pk")
    ]
    plan = inspection.plan
    checklist = inspection.checklist or {}
    prepared_on = checklist.get("prepared_on", "") if isinstance(checklist, dict) else ""
    return {
        "title": nfc(f"Báo cáo kết quả kiểm tra — {inspection.organization.name} ({plan.year})"),
        "header_line_1": HEADER_LINE_1,
        "header_line_2": HEADER_LINE_2,
        "party_name": PARTY_NAME,
        "date_line": vietnamese_date(PLACE, inspection.concluded_on or timezone.localdate()),
        "organization": nfc(inspection.organization.name),
        "year": plan.year,
        "decision_number": nfc(plan.decision_number),
        "decision_date": _date(plan.decision_date),
        "start_date": _date(inspection.start_date),
        "end_date": _date(inspection.end_date),
        "status": str(inspection.get_status_display()),
        "team": [nfc(name) for name in team],
        "topics": nfc(inspection.topics),
        "prepared_on": _prepared_on(prepared_on),
        "period": _text(checklist.get("period", "")) if isinstance(checklist, dict) else "",
        "sections": checklist_sections(checklist),
        "findings": findings,
        "conclusion": nfc(inspection.conclusion),
        "concluded_on": _date(inspection.concluded_on),
        "corrections": corrections,
    }


def _prepared_on(value) -> str:
    """The checklist's ISO date as dd/mm/yyyy (the text as stored if it is not one)."""
    text = _text(value)
    parts = text.split("-")
    if len(parts) == 3 and all(part.isdigit() for part in parts):
        return f"{parts[2]}/{parts[1]}/{parts[0]}"
    return text


def inspection_report_html(inspection: Inspection) -> str:
    with translation.override("vi"):
        return render_to_string(TEMPLATE, report_context(inspection))


def inspection_report_pdf(inspection: Inspection) -> bytes:
    """The PDF of the inspection's report."""
    return html_to_pdf(inspection_report_html(inspection))


def report_filename(inspection: Inspection) -> str:
    return f"bao-cao-kiem-tra-{inspection.plan.year}-{inspection.pk}.pdf"
