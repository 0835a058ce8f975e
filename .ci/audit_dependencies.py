"""Known vulnerabilities in what a server installs: every package of requirements.txt and everything it pulls in,
resolved as pip resolves it today, checked with pip-audit. Exits 1 on a known vulnerability, and on a runtime
package it could not check. The test and lint tools (requirements-dev.txt) never reach a server and are not audited.

    .venv/bin/python .ci/audit_dependencies.py [REQUIREMENTS_FILE]   # requirements.txt by default

pip-audit asks the registry's JSON API about each exact version (/pypi/NAME/VERSION/json). The registry these
machines reach answers that with 404 ("Dependency not found") and serves only the project-wide /pypi/NAME/json,
whose vulnerability list is that of the project's latest release. A package pip-audit skips is therefore looked up
there instead, and counts as audited when its version is that latest release. Anything else fails the audit (pin
the latest release), but for a release series its project keeps patched (SECURITY_SERIES): that one passes, named
as not audited, as long as it is the newest release of its series.
"""

import json
import subprocess
import sys
import tempfile
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from packaging.utils import canonicalize_name
from packaging.version import Version
from pip._internal.models.index import PyPI

ROOT = Path(__file__).resolve().parent.parent
# Django 5.2 is a long-term-support release: Django discloses each security issue together with a 5.2 patch release
# that fixes it, until April 2028. While 5.2 is not Django's latest release, no per-version data reaches us for it.
SECURITY_SERIES = {"django": "5.2"}


def resolve(requirements):
    """{name: version} of every package `pip install -r requirements` would install into an empty environment."""
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "report.json"
        process = subprocess.run(
            [sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed", "--quiet"]
            + ["--report", str(report), "-r", str(requirements)],
            capture_output=True,
            text=True,
        )
        if process.returncode:
            sys.exit(f"pip could not resolve {requirements}:\n{process.stderr}")
        installs = json.loads(report.read_text())["install"]
    return {canonicalize_name(item["metadata"]["name"]): item["metadata"]["version"] for item in installs}


def pip_audit(packages):
    """pip-audit's verdict on each exact version: {name: list of vulnerabilities, or None where it skipped it}."""
    with tempfile.NamedTemporaryFile("w", suffix=".txt") as pins:
        pins.write("".join(f"{name}=={version}\n" for name, version in packages.items()))
        pins.flush()
        process = subprocess.run(
            [Path(sys.executable).parent / "pip-audit", "-r", pins.name, "--no-deps", "--disable-pip"]
            + ["--format", "json", "--progress-spinner", "off"],
            capture_output=True,
            text=True,
        )
    if not process.stdout.strip():
        sys.exit(f"pip-audit did not run:\n{process.stderr}")
    return {
        canonicalize_name(dependency["name"]): None if "skip_reason" in dependency else dependency["vulns"]
        for dependency in json.loads(process.stdout)["dependencies"]
    }


def project(name):
    """The project-wide JSON of `name`, or None if the registry does not answer."""
    try:
        with urllib.request.urlopen(f"{PyPI.pypi_url}/{name}/json", timeout=60) as response:
            return json.load(response)
    except OSError:
        return None


def newest_of_series(releases, series):
    versions = [
        Version(version)
        for version, files in releases.items()
        if files and not all(file["yanked"] for file in files) and version.startswith(f"{series}.")
    ]
    return max((version for version in versions if not version.is_prerelease), default=None)


def check_by_latest_release(name, version, data):
    """(vulnerabilities, None) when `version` is the latest release; else (None, why it could not be audited)."""
    if data is None:
        return None, "the registry did not answer"
    latest = data["info"]["version"]
    if Version(version) == Version(latest):
        return [{"id": v["id"], "fix_versions": v.get("fixed_in") or []} for v in data["vulnerabilities"] or []], None
    return None, f"not the latest release ({latest}), and no per-version data reaches this machine"


def main():
    requirements = Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "requirements.txt")
    packages = resolve(requirements)
    verdicts = pip_audit(packages)
    skipped = [name for name in packages if verdicts.get(name) is None]
    with ThreadPoolExecutor(max_workers=8) as pool:
        projects = dict(zip(skipped, pool.map(project, skipped), strict=True))

    by_version = len(packages) - len(skipped)
    by_latest, accepted, not_audited = 0, [], []
    for name in skipped:
        vulns, why = check_by_latest_release(name, packages[name], projects[name])
        if why is None:
            verdicts[name] = vulns
            by_latest += 1
            continue
        series = SECURITY_SERIES.get(name)
        newest = series and projects[name] and newest_of_series(projects[name]["releases"], series)
        if newest and Version(packages[name]) == newest:
            accepted.append(f"{name} {packages[name]} (the newest {series} release; {why})")
        else:
            newest_allowed = f" (or the newest {series} release)" if series else ""
            not_audited.append(f"{name} {packages[name]}: {why}: pin the latest release{newest_allowed}")

    vulnerable = {name: vulns for name, vulns in verdicts.items() if vulns}
    for name, vulns in sorted(vulnerable.items()):
        for vuln in vulns:
            fixed = ", ".join(vuln["fix_versions"]) or "no fixed release"
            print(f"VULNERABLE {name} {packages[name]}: {vuln['id']} (fixed in: {fixed})")
    print(
        f"pip-audit: {len(packages)} runtime packages checked ({requirements.name} as pip resolves it): "
        f"{by_version + by_latest} audited ({by_version} by exact version, {by_latest} as their latest release), "
        f"{len(accepted)} accepted without audit, {len(not_audited)} not audited; "
        f"{len(vulnerable)} with known vulnerabilities"
    )
    for line in accepted:
        print(f"ACCEPTED WITHOUT AUDIT {line}")
    for line in not_audited:
        print(f"NOT AUDITED {line}")
    if vulnerable or not_audited:
        sys.exit(1)


if __name__ == "__main__":
    main()
