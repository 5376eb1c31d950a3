"""Two questions every reader of pasted text asks of a line: is it quoted, and is it log?"""

from __future__ import annotations

import re

# A mail quote prefix: "> ", ">> ", "> > ", after any indentation.
QUOTE = re.compile(r"^[ \t]*(?:>[ \t]?)+")
# Lines that show the console going on (not prose, not a mail signature).
LOG_LIKE = re.compile(
    r"^(?:ok\s|not ok\s|#|TAP version|KTAP version|1\.\.\d|Bail out|\[\s*\d+\.\d+\]|<\d>|"
    r"\[(?:PASS|FAIL|SKIP|RUN)\]|running\s|selftests:|SUMMARY|(?:\[pid\s+\d+\]\s+|\d+\s+)?"
    r"[a-z_]\w*\(.*\)\s+=|[/~][\w/.-]*\s*[#$]\s*$|\+\+\+ |--- SIG)"
)
