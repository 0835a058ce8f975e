"""axe-core over the pages the browser tests open: a page fails on any "serious" or "critical" violation.

axe is injected with Playwright's page.evaluate, which goes through the browser's debugging protocol: the
Content-Security-Policy (scripts from the site's own files only) governs the page's own scripts, not the test
driver's, so the policy stays on while axe runs and no bypass is needed (tests/browser/test_accessibility.py
checks that the policy is still sent on a page axe passed).
"""

from weakref import WeakKeyDictionary

from axe_playwright_python.sync_playwright import Axe

AXE = Axe()
# axe reads the page's style sheets again for one rule (css-orientation-lock) and asks for their @imports
# relative to the page, not the sheet: Django's forms.css's "widgets.css" came back as 404s. Not preloaded.
AXE_OPTIONS = {"resultTypes": ["violations"], "preload": False}
# The addresses each browser page passed assert_accessible() at: the check at the test's end opens them again
# only if the test did not check them itself.
passed = WeakKeyDictionary()
FAILING_IMPACTS = ("serious", "critical")
# Held to on top of the serious and critical rules: headings go down one level at a time (an evaluation form
# jumped from h1 to h3). axe rates it "moderate", so it is named here.
ALSO_FAILING_RULES = ("heading-order",)


def accessibility_violations(page):
    """axe-core's violations on the page as it is now that the project does not accept."""
    violations = AXE.run(page, options=AXE_OPTIONS).response["violations"]
    return [
        violation
        for violation in violations
        if violation["impact"] in FAILING_IMPACTS or violation["id"] in ALSO_FAILING_RULES
    ]


def describe(url, violations):
    """One line per rule (id, impact, what it asks) and one per element (its selector and axe's reason)."""
    lines = [f"axe-core: {len(violations)} accessibility violation(s) on {url}"]
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']} [{violation['helpUrl']}]")
        for node in violation["nodes"]:
            target = " ".join(str(selector) for selector in node["target"])
            reason = (node.get("failureSummary") or "").replace("\n", " ").strip()
            lines.append(f"    {target} — {reason}")
    return "\n".join(lines)


def assert_accessible(page):
    """Fails with the list of rules and elements if axe-core finds what the project does not accept."""
    violations = accessibility_violations(page)
    assert not violations, describe(page.url, violations)
    passed.setdefault(page, set()).add(page.url)


class VisitedPages:
    """The pages (HTML, by GET, from the live server) a browser page's top frame went to, in order."""

    def __init__(self, page, origin):
        self.page = page
        self.origin = origin
        self.urls = []
        page.on("response", self.record)

    def record(self, response):
        request = response.request
        if (
            request.is_navigation_request()
            and request.frame == self.page.main_frame
            and request.method == "GET"
            and response.url.startswith(self.origin)
            and "text/html" in (response.headers.get("content-type") or "")
            and response.url not in self.urls
        ):
            self.urls.append(response.url)

    def violations(self):
        """axe-core's findings: the page as the test left it, then every other page it went to."""
        if self.page.is_closed():
            return []
        found = []
        left_at = self.page.url
        if left_at.startswith(self.origin):
            found.append((left_at, accessibility_violations(self.page)))
        checked = passed.get(self.page, set())
        for url in self.urls:
            if url != left_at and url not in checked:
                self.page.goto(url)
                found.append((url, accessibility_violations(self.page)))
        return [(url, violations) for url, violations in found if violations]
