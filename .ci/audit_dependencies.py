"""Known vulnerabilities in requirements.txt and what it pulls in: pip-audit, with an honest account of what it
could and could not check. Exits 1 when a package has a known vulnerability.

    .venv/bin/python .ci/audit_dependencies.py [REQUIREMENTS_FILE]   # requirements.txt by default

pip-audit asks PyPI's JSON API about each exact version (/pypi/NAME/VERSION/json). Where that answer is not
served (a registry mirror that only serves /pypi/NAME/json, as on this project's machines), the package is
checked against /pypi/NAME/json instead, whose vulnerability list is that of the latest release: it counts as
audited only when the pinned version is that latest release. Whatever is left is named as not audited; with
AUDIT_STRICT=1 that fails too.
"""

import json
import os
import re
import subprocess
import sys
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROJECT_JSON = "https://pypi.org/pypi/{name}/json"


def pip_audit(requirements):
    process = subprocess.run(
        [Path(sys.executable).parent / "pip-audit", "-r", requirements, "--format", "json"]
        + ["--progress-spinner", "off"],
        capture_output=True,
        text=True,
    )
    if not process.stdout.strip():
        sys.exit(f"pip-audit did not run:\n{process.stderr}")
    return json.loads(process.stdout)["dependencies"]


def latest_release_vulnerabilities(name, version):
    """The project's vulnerabilities if `version` is its latest release, else None (not known from here)."""
    try:
        with urllib.request.urlopen(PROJECT_JSON.format(name=name), timeout=30) as response:
            project = json.load(response)
    except OSError:
        return None
    if project["info"]["version"] != version:
        return None
    return [{"id": v["id"], "fix_versions": v.get("fixed_in") or []} for v in project.get("vulnerabilities") or []]


def main():
    audited, vulnerable, not_audited = [], [], []
    requirements = sys.argv[1] if len(sys.argv) > 1 else ROOT / "requirements.txt"
    for dependency in pip_audit(requirements):
        name = dependency["name"]
        vulns = dependency.get("vulns")
        if "skip_reason" in dependency:
            version = re.search(r"\(([^()]+)\)$", dependency["skip_reason"]).group(1)
            vulns = latest_release_vulnerabilities(name, version)
            if vulns is None:
                not_audited.append(f"{name} {version}")
                continue
        else:
            version = dependency["version"]
        audited.append(name)
        if vulns:
            vulnerable.append((name, version, vulns))

    for name, version, vulns in vulnerable:
        for vuln in vulns:
            fixed = ", ".join(vuln["fix_versions"]) or "no fixed release"
            print(f"VULNERABLE {name} {version}: {vuln['id']} (fixed in: {fixed})")
    print(f"pip-audit: {len(audited)} packages audited, {len(vulnerable)} with known vulnerabilities")
    if not_audited:
        print(
            f"NOT AUDITED ({len(not_audited)}): {', '.join(not_audited)}: no vulnerability data for these exact "
            "versions reached this machine (pinned below the latest release, and the per-version JSON API is not "
            "served here). Nothing is known about them either way."
        )
    if vulnerable or (not_audited and os.environ.get("AUDIT_STRICT") == "1"):
        sys.exit(1)


if __name__ == "__main__":
    main()
