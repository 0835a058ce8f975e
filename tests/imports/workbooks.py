"""Workbooks built in memory for the import tests."""

import io
import zipfile

import openpyxl


def xlsx(*sheets, merge_title=False):
    """A workbook with a sheet per (title, rows), rows as lists of cell values."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets:
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
        if merge_title:
            sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=4)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def rewritten(data, change):
    """The workbook with each entry's bytes passed through change(name, content)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            target.writestr(entry.filename, change(entry.filename, source.read(entry)))
    return output.getvalue()


def with_entries(data, entries):
    """The workbook with extra zip entries, name -> (bytes or a callable writing into a stream)."""
    output = io.BytesIO(data)
    with zipfile.ZipFile(output, "a", zipfile.ZIP_DEFLATED) as target:
        for name, content in entries.items():
            if callable(content):
                with target.open(name, "w", force_zip64=True) as stream:
                    content(stream)
            else:
                target.writestr(name, content)
    return output.getvalue()
