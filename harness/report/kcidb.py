"""KCIDB I/O JSON: the report in the form KernelCI's database and dashboards consume.

One checkout per kernel, one build per (kernel, arch), one test per result with the path
``mm.<suite>.<case>``, and for every finding an *issue* whose ``culprit`` says who is to
blame (``code`` for the kernel, ``tool`` for the test, ``harness`` for the environment and
configuration), with one *incident* per affected test. Issue ids are the cause
(``ORIGIN:9p-unlinked-file``), so the same cause found by many runs is one issue with many
incidents. Findings with no known culprit (``unknown``) get no issue: KCIDB considers an issue
with every culprit false invalid; their tests carry their status and evidence all the same.

The output is validated against the newest schema kcidb-io knows before it is returned.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from harness.errors import UsageError
from harness.lazy_regex import lazy
from harness.model import Category, Finding, Report, Result, Status
from harness.report.common import all_findings, clean_text, evidence_of, results_of, where_from

DEFAULT_ORIGIN = "harness"
ORIGIN_RE = lazy(r"^[a-z0-9_]+$")

# KCIDB statuses: FAIL (tested code faulty), ERROR (the test did not complete), MISS (the test
# did not run because of the harness), PASS, SKIP (not applicable).
STATUS = {
    Status.PASS: "PASS", Status.FAIL: "FAIL", Status.SKIP: "SKIP", Status.XFAIL: "PASS",
    Status.XPASS: "FAIL", Status.ERROR: "ERROR", Status.TIMEOUT: "ERROR", Status.CRASH: "FAIL",
    Status.MISSING: "MISS",
}

# Who is to blame for each category; categories missing here have no known culprit.
CULPRIT: dict[Category, dict[str, bool]] = {
    Category.KERNEL_BUG: {"code": True, "tool": False, "harness": False},
    Category.KNOWN_ISSUE: {"code": True, "tool": False, "harness": False},
    Category.TEST_BUG: {"code": False, "tool": True, "harness": False},
    Category.ENV: {"code": False, "tool": False, "harness": True},
    Category.CONFIG: {"code": False, "tool": False, "harness": True},
}

_URL = lazy(r"https?://[^\s()<>\"']+")
_SLUG = lazy(r"[^a-z0-9]+")
MAX_EXCERPT = 16384


class KcidbError(UsageError):
    """A KCIDB option the schema cannot carry (one line)."""


BUILD_ID_RE = lazy(r"^[a-z0-9_]+:[^\0]*$")


@dataclass(frozen=True)
class KcidbOptions:
    """origin: prefixes every id. build_id: an existing KCIDB build (``origin:id``, submitted
    by the CI that built the kernel) the tests attach to; then no checkout or build is written."""

    origin: str = DEFAULT_ORIGIN
    build_id: str | None = None


def options_of(args: object) -> KcidbOptions:
    return KcidbOptions(getattr(args, "kcidb_origin", None) or DEFAULT_ORIGIN,
                        getattr(args, "kcidb_build", None))


def check_build_id(value: str) -> str:
    if not BUILD_ID_RE.match(value):
        raise KcidbError(f"--kcidb-build {value!r}: a KCIDB build id is ORIGIN:ID (origin in "
                         "lower-case letters, digits and _)")
    return value


def check_origin(origin: str) -> str:
    if not ORIGIN_RE.match(origin):
        raise KcidbError(f"--kcidb-origin {origin!r}: use lower-case letters, digits and _ "
                         "(KCIDB's origin pattern)")
    return origin


def slug(text: str) -> str:
    return _SLUG.sub("_", text.lower()).strip("_")


def case_name(result: Result) -> str:
    """The test's last path element: its description and config, without the number."""
    return slug(result.name) or str(result.number)


def _digest(*parts: object) -> str:
    return hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()[:16]


def _kernel_label(result: Result) -> str:
    """'A-debian-6.1' for a two-kernel report's result, '' otherwise."""
    return result.run_id.kernel if result.run_id else ""


def _fs_of(report: Report, result: Result) -> str:
    if result.run_id:
        return result.run_id.fs
    return report.environment.fs or ""


def report_url(reference: str) -> str | None:
    match = _URL.search(reference or "")
    return match.group(0).rstrip(".,;") if match else None


def _excerpt(result: Result) -> str:
    """The evidence lines as the log had them (where each came from goes into misc)."""
    text = "\n".join(clean_text(e.text) for e in evidence_of(result))
    return text[-MAX_EXCERPT:] if text else ""


def _put(obj: dict[str, object], key: str, value: object) -> None:
    """KCIDB has no nulls: leave unknown fields out."""
    if value not in (None, "", [], {}):
        obj[key] = value


def build_kcidb(report: Report, origin: str = DEFAULT_ORIGIN,
                build_id: str | None = None) -> dict[str, object]:
    from kcidb_io.schema import LATEST

    check_origin(origin)
    env = report.environment
    base = _digest(env.kernel_release, env.arch, env.cmdline, env.guest, report.sources,
                   [(str(r.run_id or ""), r.suite, r.number, r.name, str(r.status))
                    for r in report.results])
    kernels = list(dict.fromkeys(_kernel_label(r) for r in report.results)) or [""]
    if build_id is None:
        checkouts, builds, build_of = _kernels(report, origin, base, kernels)
    else:  # the tests go with a build the kernel's CI already submitted
        if len(kernels) > 1:
            raise KcidbError("--kcidb-build: this report has two kernels, a build id names one")
        checkouts, builds, build_of = [], [], {kernels[0]: check_build_id(build_id)}
    tests, test_id = _tests(report, origin, base, build_of)
    issues, incidents = _issues(report, origin, test_id, build_of)
    data: dict[str, object] = {"version": {"major": LATEST.major, "minor": LATEST.minor},
                               "checkouts": checkouts, "builds": builds, "tests": tests,
                               "issues": issues, "incidents": incidents}
    LATEST.validate(data)
    return data


Objects = list[dict[str, object]]


def _kernels(report: Report, origin: str, base: str, kernels: list[str]
             ) -> tuple[Objects, Objects, dict[str, str]]:
    """One checkout and one build per kernel; kernel label -> build id."""
    env = report.environment
    checkouts, builds = [], []
    build_of: dict[str, str] = {}
    for label in kernels:
        key = f"{base}.{slug(label)}" if label else base
        checkout: dict[str, object] = {"id": f"{origin}:{key}", "origin": origin}
        release = env.kernel_release if not label else None
        _put(checkout, "comment", f"kernel {release or label or 'unknown'}: mm selftests "
             "gup_longterm and cow, triaged by harness")
        _put(checkout, "misc", {k: v for k, v in (("kernel_release", release),
                                                  ("kernel_label", label),
                                                  ("selftests_version", env.selftests_version))
                                if v})
        checkouts.append(checkout)
        build: dict[str, object] = {"id": f"{origin}:{key}.build", "origin": origin,
                                    "checkout_id": checkout["id"], "status": "PASS"}
        _put(build, "architecture", slug(env.arch or ""))
        _put(build, "comment", f"{env.arch or 'unknown arch'} kernel; guest: "
             f"{env.guest or 'unknown (triaged logs)'}")
        _put(build, "misc", {k: v for k, v in (("cmdline", env.cmdline), ("accel", env.accel))
                             if v})
        builds.append(build)
        build_of[label] = str(build["id"])
    return checkouts, builds, build_of


def _tests(report: Report, origin: str, base: str, build_of: dict[str, str]
           ) -> tuple[Objects, dict[int, str]]:
    """One test per result; id(result) -> test id."""
    tests: Objects = []
    test_id: dict[int, str] = {}
    seen: set[tuple[str, str]] = set()
    for r in report.results:
        run = str(r.run_id or "")
        path = f"mm.{slug(r.suite) or 'unknown'}.{case_name(r)}"
        if (run, path) in seen:
            path = f"{path}_{r.number}"
        seen.add((run, path))
        ident = f"{origin}:{base}.{slug(run) + '.' if run else ''}{path}"
        if ident in test_id.values():  # still ambiguous (same name and number): the position
            ident = f"{ident}.{len(tests)}"
        test_id[id(r)] = ident
        test: dict[str, object] = {"id": ident, "origin": origin,
                                   "build_id": build_of[_kernel_label(r)], "path": path,
                                   "status": STATUS[r.status]}
        _put(test, "comment", clean_text(f"{r.suite} #{r.number}: {r.name or r.message}"))
        _put(test, "log_excerpt", _excerpt(r) if r.status != Status.PASS else "")
        _put(test, "environment", _environment(report, r))
        _put(test, "misc", _test_misc(r, run))
        tests.append(test)
    return tests, test_id


def _test_misc(r: Result, run: str) -> dict[str, object]:
    misc: dict[str, object] = {
        "status": str(r.status), "message": r.message, "run": run, "syscall": r.syscall,
        "errno": r.errno,
        "evidence": [where_from(e) for e in evidence_of(r)] if r.status != Status.PASS else []}
    if r.diagnosis is not None:
        misc.update(category=str(r.diagnosis.category), cause=r.diagnosis.cause,
                    confidence=str(r.diagnosis.confidence))
    return {k: v for k, v in misc.items() if v}


def _issues(report: Report, origin: str, test_id: dict[int, str], build_of: dict[str, str]
            ) -> tuple[Objects, Objects]:
    """An issue per cause with a culprit; an incident per affected test (or build)."""
    issues: dict[str, dict[str, object]] = {}
    incidents: Objects = []
    for finding in all_findings(report):
        culprit = CULPRIT.get(Category(finding.category))
        if culprit is None:
            continue
        issue = issues.setdefault(f"{origin}:{finding.cause}", _issue(finding, origin, culprit))
        affected = results_of(report, finding)
        for r in affected:
            incidents.append({"id": f"{origin}:{_digest(issue['id'], test_id[id(r)])}",
                              "origin": origin, "issue_id": issue["id"], "issue_version": 1,
                              "test_id": test_id[id(r)], "present": True,
                              "comment": clean_text(f"{r.suite} #{r.number} {r.status}: "
                                                    f"{finding.category}/{finding.cause}")})
        if not affected:  # a finding about a run as a whole (a crash before any result)
            for build in build_of.values():
                incidents.append({"id": f"{origin}:{_digest(issue['id'], build)}",
                                  "origin": origin, "issue_id": issue["id"], "issue_version": 1,
                                  "build_id": build, "present": True})
    return list(issues.values()), incidents


def _environment(report: Report, r: Result) -> dict[str, object]:
    env = report.environment
    fs = _fs_of(report, r)
    misc = {"fs": fs, "fs_options": env.fs_options, "tmp_fs": env.tmp_fs, "guest": env.guest,
            "accel": env.accel, "kernel_release": env.kernel_release}
    where = f"{env.guest or 'log'}" + (f" ({env.accel})" if env.accel else "")
    comment = f"{where}, tests' working directory on {fs or 'an unknown filesystem'}"
    if env.tmp_fs:
        comment += f", /tmp on {env.tmp_fs}"
    return {"comment": comment, "misc": {k: v for k, v in misc.items() if v}}


def _issue(finding: Finding, origin: str, culprit: dict[str, bool]) -> dict[str, object]:
    issue: dict[str, object] = {"id": f"{origin}:{finding.cause}", "version": 1,
                                "origin": origin, "culprit": dict(culprit),
                                "categories": [str(finding.category)]}
    _put(issue, "report_url", report_url(finding.reference))
    _put(issue, "report_subject", clean_text(f"{finding.category}: {finding.cause}"))
    comment = clean_text(finding.explanation)
    if finding.reference:
        comment += f" Reference: {clean_text(finding.reference)}"
    if finding.action:
        comment += f" Action: {clean_text(finding.action)}"
    _put(issue, "comment", comment.strip())
    _put(issue, "misc", {"confidence": str(finding.confidence), "tests": finding.count
                         or len(finding.tests)})
    return issue


def render_kcidb(report: Report, options: KcidbOptions | None = None) -> str:
    options = options or KcidbOptions()
    data = build_kcidb(report, options.origin, options.build_id)
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
