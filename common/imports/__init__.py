"""The Excel import framework: reading untrusted workbooks, parsing their cells, and reporting what each row does."""
