"""Kernel configuration lines a report shows beside a call the kernel lacks.

A report that pastes ``# CONFIG_MODIFY_LDT_SYSCALL is not set`` beside ``modify_ldt(...) = -1
ENOSYS (Function not implemented)`` (taviso/loadlibrary #9, 2017) names why the call is missing:
the option that provides it is off. The option's line becomes evidence of the failure, where
the rules read it (``kernel-config-missing``), when the option's name holds the call's
(MODIFY_LDT_SYSCALL for modify_ldt, USERFAULTFD for userfaultfd, MEMFD_CREATE for
memfd_create); an option that names another feature says nothing about this call.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from harness.lazy_regex import lazy
from harness.model import LogLine, Result
from harness.readers import catalogue

# "# CONFIG_X is not set" (a .config), "CONFIG_X=n", and the same said in a sentence ("See
# the kernel config file. `CONFIG_IO_URING` is not set yet.", WSL2-Linux-Kernel #175).
UNSET = lazy(r"(?:^|[\s`*_(])#?\s*`?CONFIG_(?P<opt>[A-Z0-9_]+)`? is not (?:set|enabled)\b|"
             r"^[>\s`*_]*CONFIG_(?P<opt2>[A-Z0-9_]+)=n\b")
CALL_AT_START = lazy(r"^[`\s]*(?:\[pid\s+\d+\]\s+|\d+\s+)?(?P<call>[a-z_][a-z0-9_]*)\(")
MAX_LINES = 20_000  # a whole pasted .config has a few thousand


@dataclass
class Reader:
    unset: list[tuple[str, LogLine]] = field(default_factory=list)  # (option, its line)

    def feed(self, line: LogLine) -> None:
        if "CONFIG_" not in line.text or len(self.unset) >= MAX_LINES:
            return
        if m := UNSET.search(line.text):
            self.unset.append((m.group("opt") or m.group("opt2"), line))


# Options whose calls their names do not hold: NUMA's memory-policy calls (mbind: Function not
# implemented under WSL2's "# CONFIG_NUMA is not set", Synch-Framework #30, 2021) and System V
# IPC's (shmget, semget, msgget under "# CONFIG_SYSVIPC is not set").
PROVIDES = {
    "NUMA": frozenset({"mbind", "set_mempolicy", "get_mempolicy", "migrate_pages", "move_pages",
                       "set_mempolicy_home_node"}),
    "SYSVIPC": frozenset({"shmget", "shmat", "shmdt", "shmctl", "semget", "semop", "semctl",
                          "semtimedop", "msgget", "msgsnd", "msgrcv", "msgctl", "ipc"}),
}


def _provides(option: str, call: str) -> bool:
    """The option's name holds the call's (MODIFY_LDT_SYSCALL, modify_ldt) or the call's the
    option's (io_uring_setup, IO_URING), or the option is known to provide it (``PROVIDES``)."""
    if call in PROVIDES.get(option, ()):
        return True
    name = call.upper()
    shorter = min(option, name, key=len)
    return len(shorter) >= 4 and (name in option or option in name)


def attach(unset: list[tuple[str, LogLine]], results: list[Result]) -> None:
    """Each ENOSYS result's call gets the line of the option off that provides it."""
    if not unset:
        return
    for r in results:
        if (r.errno or catalogue.errno_in(r.message)) != "ENOSYS":
            continue
        call = r.syscall or ((m := CALL_AT_START.match(r.message)) and m.group("call"))
        if not call or len(call) < 4:
            continue
        for option, line in unset:
            if _provides(option, call) and line not in r.diagnostics:
                r.diagnostics.append(line)
