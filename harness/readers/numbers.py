"""Numbers read from logs: a test number, plan, pid, fd or return value of absurd length is
not a count to convert (Python refuses over 4,300 digits, and long conversions are slow)."""

from __future__ import annotations

NUMBER_DIGITS = 18
HUGE = 10 ** NUMBER_DIGITS


def number_of(digits: str) -> int:
    """int(digits), or +/-HUGE when it has more than NUMBER_DIGITS digits (never a ValueError
    for a string of digits with an optional sign)."""
    body = digits.lstrip("+-")
    if len(body) <= NUMBER_DIGITS:
        return int(digits)
    return -HUGE if digits.startswith("-") else HUGE
