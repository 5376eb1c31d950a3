"""The CI host's service manager stopping its own test harness, shown only by journal lines.

systemd (v243 and later) reacts to the kernel's OOM killer killing any process of a service by
stopping the whole service (``OOMPolicy=stop``, the default for most units): when a test that
exhausts memory on purpose (LTP's oom01, a job that builds too much) has one of its processes
OOM-killed, systemd stops the CI's harness or runner service it was started from, and the job
aborts with no result of its own. What the reports paste is the journal::

    systemd[1]: restraintd.service: A process of this unit has been killed by the OOM killer.
    systemd[1]: restraintd.service: Killing process 830 (restraintd) with signal SIGKILL.
    systemd[1]: restraintd.service: Failed with result 'oom-kill'.

(CKI's LTP jobs on Fedora 31 hosts, Jan Stancek 2019: "New systemd (v243) has a feature, which
appears to be killing our test harness by default"; a GitHub Actions runner's unit,
``actions.runner.<org>-<repo>.<host>.service: Failed with result 'oom-kill'``, ydb-platform/nbs
#4438, 2025: "runner's systemd-unit stopped because of the oom kill of the child"; also
systemd-oomd's ``<unit>: systemd-oomd killed 2 process(es) in this unit``.)

The unit must be a test harness or CI runner (restraintd, beah, LAVA's worker/dispatcher, a
GitHub/GitLab/Buildkite/Jenkins runner or agent, a unit named after a harness or runner): the
run was aborted by the CI's own service setup, not by a kernel failure. A unit that is the test
itself (systemd's own OOM tests) is no harness, and no result is made for it. One result per
unit, status ``error``; used only when the input holds no result of its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from harness.lazy_regex import lazy
from harness.model import LogLine, Result, Status

# a CI's harness, runner or agent, as its unit is named
HARNESS_UNIT = (r"(?:restraintd|beah[\w-]*|lava-(?:worker|slave|dispatcher|server)[\w-]*|"
                r"actions\.runner\.[\w.@-]+|gitlab-runner|buildkite-agent|jenkins[\w-]*|"
                r"[\w-]*(?:harness|runner)[\w-]*)")
# "<unit>.service: A process of this unit has been killed by the OOM killer." (systemd's
# words for the kernel's kill), "<unit>.service: Failed with result 'oom-kill'." (the unit's
# end), "<unit>.service: systemd-oomd killed 2 process(es) in this unit." (systemd-oomd)
KILLED = lazy(r"(?:^|[\s\]:])(?P<unit>" + HARNESS_UNIT + r")\.service:\s+(?:"
              r"A process of this unit has been killed by the OOM killer|"
              r"Failed with result 'oom-kill'|"
              r"systemd-oomd killed \d+ process(?:\(es\)|es)? in this unit)")
MAX_UNITS = 20


@dataclass
class Reader:
    units: dict[str, list[LogLine]] = field(default_factory=dict)

    def feed(self, line: LogLine) -> None:
        text = line.text.replace("\xa0", " ")  # (a web page's non-breaking spaces)
        if ".service:" not in text or len(text) > 400:
            return
        m = KILLED.search(text)
        if m is None:
            return
        unit = m.group("unit") + ".service"
        if unit in self.units:
            if len(self.units[unit]) < 4:
                self.units[unit].append(line)
        elif len(self.units) < MAX_UNITS:
            self.units[unit] = [line]

    def results(self) -> list[Result]:
        out: list[Result] = []
        for number, (unit, lines) in enumerate(self.units.items(), start=1):
            message = (f"the CI host's service manager stopped the harness service {unit} after "
                       "the OOM killer killed one of its processes (systemd's OOMPolicy): the "
                       "run was aborted by its own infrastructure, not by a kernel failure")
            out.append(Result("ci-host", number, unit, "", Status.ERROR, message,
                              result_line=lines[0], diagnostics=lines[1:]))
        return out

    def note(self) -> str:
        return (f"the CI host's journal: systemd stopped {len(self.units)} harness service(s) "
                "after the OOM killer killed a process of it (OOMPolicy); no test result of "
                "its own in the text")
