"""Check a LAVA job against the schema of Debian's ``lava-common`` (``lava_common.schemas``).

lava-common is a Debian package for the system's Python; when this Python cannot import it,
the check runs in the system's ``python3`` (the job goes in on stdin, the verdict comes back).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from harness.errors import HarnessError

SYSTEM_PYTHON = Path("/usr/bin/python3")
_CHECK = """
import json, sys
try:
    from lava_common.schemas import validate, extra_checks
except ImportError as exc:
    print(json.dumps({"unavailable": str(exc)})); sys.exit(0)
job = json.load(sys.stdin)
try:
    validate(job, strict=True)
    extra_checks(job)
except Exception as exc:
    print(json.dumps({"invalid": str(exc)})); sys.exit(0)
print(json.dumps({"valid": True}))
"""


class LavaSchemaError(HarnessError):
    """A job the LAVA schema rejects, or no lava-common to check it with."""


def validate_job(job: dict) -> None:
    """Raise LavaSchemaError unless lava-common accepts ``job``."""
    for python in (sys.executable, str(SYSTEM_PYTHON)):
        if not Path(python).exists():
            continue
        proc = subprocess.run([python, "-c", _CHECK], input=json.dumps(job), text=True,
                              capture_output=True, timeout=60, check=False)
        try:
            verdict = json.loads(proc.stdout.strip().splitlines()[-1])
        except (IndexError, json.JSONDecodeError):
            continue
        if "unavailable" in verdict:
            continue
        if "invalid" in verdict:
            raise LavaSchemaError(f"LAVA schema: {verdict['invalid']}")
        return
    raise LavaSchemaError("lava-common is not installed: apt-get install lava-common "
                          "(harness setup does)")
