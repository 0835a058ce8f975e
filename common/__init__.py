"""Shared machinery with no models that imports no app: PDF rendering, workbook cells, history, page caches, admin."""
