"""System checks of the organizations app: what must hold before the server takes uploads."""

from django.core.checks import Error, register

from common.imports.spreadsheets import defusedxml_protects_openpyxl


@register()
def workbooks_are_parsed_safely(app_configs, **kwargs):
    """Uploaded workbooks are XML: openpyxl must parse them through defusedxml (no entity expansion)."""
    if defusedxml_protects_openpyxl():
        return []
    return [
        Error(
            "defusedxml is not installed (or OPENPYXL_DEFUSEDXML is off): openpyxl would parse uploaded "
            "workbooks without protection against XML entity bombs.",
            hint="Install the packages in requirements.txt (defusedxml is one of them).",
            id="organizations.E001",
        )
    ]
