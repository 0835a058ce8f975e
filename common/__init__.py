"""Shared machinery with no models that imports no app: PDFs, workbook cells, history, page cache, Vietnamese, admin."""
