"""The last lines of ``nbgrader autograde``: who could not be graded and why, who was skipped.

nbgrader names a student it could not grade in an ERROR line, but the reason
is in a traceback further up, and a student skipped because an earlier
result exists shows only as an INFO line. ``nbgrader_config.py`` calls
:func:`install`; at exit, when anything needs the instructor's attention,
one block is printed, one line per student, with the reason.
"""

from __future__ import annotations

import atexit
import logging
import re
import sys

_FAILED = re.compile(r"There was an error processing assignment '([^']+)' for student '([^']+)'")
_FAILING = re.compile(r"There was an error processing assignment: .*/([^/]+)/([^/]+)/?$")
_SKIPPED = re.compile(r"Skipping existing assignment: .*/([^/]+)/([^/]+)/?$")


class _Collector(logging.Handler):
    """Remembers the last error's reason, students that failed, students skipped."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.current = ""
        self.reasons: dict[str, str] = {}
        self.failed: dict[str, str] = {}
        self.skipped: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if match := _FAILING.search(message.strip()):  # nbgrader names the folder, then logs the traceback
            self.current = match.group(1)
        elif message.startswith("Traceback (most recent call last)") and self.current:
            lines = [line.strip() for line in message.strip().splitlines() if line.strip()]
            self.reasons[self.current] = lines[-1][:300]
        elif match := _FAILED.search(message):
            student = match.group(2)
            self.failed[f"{student} ({match.group(1)})"] = self.reasons.get(student, "see the log above")
        elif match := _SKIPPED.search(message):
            self.skipped.append(f"{match.group(1)} ({match.group(2)})")

    def summary(self) -> str:
        lines = []
        if self.failed:
            count = len(self.failed)
            lines.append(f"convbook: {count} submission(s) could NOT be graded (their score is not trustworthy):")
            lines += [f"  {who}: {why}" for who, why in self.failed.items()]
        if self.skipped:
            count = len(self.skipped)
            lines.append(f"convbook: {count} submission(s) skipped, graded earlier (use --force to regrade):")
            lines += [f"  {who}" for who in self.skipped]
        return "\n".join(lines)


_installed: list[str] = []


def install(app_name: str = "AutogradeApp") -> None:
    """Collect the autograde log and print the summary when the process ends (once per process)."""
    if app_name in _installed:  # nbgrader reads its configuration more than once
        return
    _installed.append(app_name)
    collector = _Collector()
    logging.getLogger(app_name).addHandler(collector)

    def report() -> None:
        text = collector.summary()
        if text:
            print(text, file=sys.stderr)

    atexit.register(report)
