"""The dependency rule, executable: every module of the product's packages is read with `ast` (every import, the
ones inside functions too) and an import against the direction fails the test.

    common <- config, ops <- organizations <- courses <- enrollments <- certificates <- oversight <- reports
                                                                  portal, backoffice <- demo

- `common` is shared machinery: it imports no package of the project.
- `config` (settings-level helpers: logs, caches, rate limits, middleware, error pages) and `ops` (background jobs,
  backups, health, housekeeping) are the infrastructure: they may import `common` and each other, no app. Only the
  project's wiring (config/urls.py, wsgi.py, asgi.py) may import the apps it wires.
- An app imports only the apps to its left.
- `portal` reads organizations, courses, enrollments and certificates; `backoffice` (the admin composed from what
  each app contributes) may import every app. Nothing imports either of them but the wiring.
- `demo` may import everything; nothing imports it.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

INFRASTRUCTURE = {"config", "ops"}
APPS = ["organizations", "courses", "enrollments", "certificates", "oversight", "reports"]
# What each package may import besides itself.
ALLOWED = {
    "common": set(),
    "config": {"common", "ops"},
    "ops": {"common", "config"},
    **{app: {"common", *INFRASTRUCTURE, *APPS[:position]} for position, app in enumerate(APPS)},
    "portal": {"common", *INFRASTRUCTURE, "organizations", "courses", "enrollments", "certificates"},
    "backoffice": {"common", *INFRASTRUCTURE, *APPS},
    "demo": {"common", *INFRASTRUCTURE, *APPS, "portal", "backoffice"},
}
PACKAGES = set(ALLOWED)
# The modules that wire the whole project together and so may import any package but demo.
WIRING = {"config.urls", "config.wsgi", "config.asgi"}


def imported_packages(source, module):
    """(line, imported module) for every import of one of the project's packages in `source`, the module named
    `module` (dotted): absolute imports, and relative ones resolved against the module's package."""
    package_parts = module.split(".")[:-1]
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package_parts[: len(package_parts) - (node.level - 1)]
                names = [".".join([*base, node.module] if node.module else base)]
            else:
                names = [node.module]
        else:
            continue
        found += [(node.lineno, name) for name in names if name.split(".")[0] in PACKAGES]
    return found


def violations(source, module):
    """'module:line imports name' for each import in `source` (module `module`) against the rule."""
    package = module.split(".")[0]
    allowed = ALLOWED[package] | {package}
    if module in WIRING:
        allowed = PACKAGES - {"demo"}
    return [
        f"{module}:{line} imports {name}"
        for line, name in imported_packages(source, module)
        if name.split(".")[0] not in allowed
    ]


def product_modules():
    for package in sorted(PACKAGES):
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT).with_suffix("")
            parts = relative.parts[:-1] if relative.name == "__init__" else relative.parts
            yield path, ".".join(parts)


def test_no_module_imports_against_the_dependency_direction():
    found = [problem for path, module in product_modules() for problem in violations(path.read_text("utf-8"), module)]
    assert found == []


def test_the_rule_covers_the_product_packages():
    """Every package of the product with Python code in it is named by the rule (a new app must be placed)."""
    packages = {
        path.parent.name
        for path in ROOT.glob("*/__init__.py")
        if path.parent.name not in {"tests", "bench", "deploy", "docs", "static", "templates", "locale"}
    }
    assert packages <= PACKAGES
    assert len(list(product_modules())) > 50


@pytest.mark.parametrize(
    "module, source",
    [
        ("common.pdf", "from organizations.models import Organization"),
        ("common.pdf", "import config.settings"),
        ("config.page_cache", "from organizations.signals import bulk_saved"),
        ("ops.jobs", "def later():\n    from reports.models import ReportJob\n"),
        ("organizations.models", "import courses.models"),
        ("courses.services", "class Tool:\n    def run(self):\n        from enrollments import rules\n"),
        ("enrollments.closing", "from certificates.services import issue_certificates"),
        ("certificates.views", "from reports import compliance"),
        ("reports.views", "from portal.views import home"),
        ("portal.views", "from reports.compliance import by_organization"),
        ("portal.views", "from backoffice.admin import CourseAdmin"),
        ("backoffice.admin", "from demo import builder"),
        ("config.urls", "import demo.builder"),
        ("organizations.admin", "from ..courses import models"),
    ],
)
def test_the_checker_finds_a_planted_violation(module, source):
    last_line = source.rstrip("\n").count("\n") + 1
    [problem] = violations(source, module)
    assert problem.startswith(f"{module}:{last_line} imports ")
    assert problem.split(" imports ")[1].split(".")[0] in {*PACKAGES} - ALLOWED[module.split(".")[0]]


@pytest.mark.parametrize(
    "module, source",
    [
        ("common.pdf", "import weasyprint\nfrom django.conf import settings\nfrom common import history"),
        ("config.views", "from ops.jobs import stale_counts"),
        ("ops.middleware", "from config.views import bare_page"),
        ("courses.models", "from organizations.models import Organization\nfrom common.pdf import render"),
        ("reports.jobs", "def run():\n    from certificates.models import Certificate\n"),
        ("portal.views", "from certificates.models import Certificate\nfrom .page_cache import served"),
        ("backoffice.admin", "from reports.admin import tools"),
        ("demo.builder", "from portal import views\nfrom backoffice import admin"),
        ("config.urls", "from portal import urls\nfrom backoffice.admin import site"),
        ("enrollments.views", "from . import rules\nfrom .closing import close_course"),
    ],
)
def test_the_checker_lets_an_allowed_import_pass(module, source):
    assert violations(source, module) == []
