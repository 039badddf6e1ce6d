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
_SKIPPED = re.compile(r"Skipping existing assignment: .*/([^/]+)/([^/]+)/?$")


class _Collector(logging.Handler):
    """Remembers the last error's reason, students that failed, students skipped."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.reason = ""
        self.failed: dict[str, str] = {}
        self.skipped: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        failed = _FAILED.search(message)
        skipped = _SKIPPED.search(message)
        if failed:
            self.failed[f"{failed.group(2)} ({failed.group(1)})"] = self.reason or "see the log above"
        elif skipped:
            self.skipped.append(f"{skipped.group(1)} ({skipped.group(2)})")
        elif record.levelno >= logging.ERROR:
            lines = [line.strip() for line in message.strip().splitlines() if line.strip()]
            if lines and not message.startswith("Please see"):
                self.reason = lines[-1][:300]

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


def install(app_name: str = "AutogradeApp") -> None:
    """Collect the autograde log and print the summary when the process ends."""
    collector = _Collector()
    logging.getLogger(app_name).addHandler(collector)

    def report() -> None:
        text = collector.summary()
        if text:
            print(text, file=sys.stderr)

    atexit.register(report)
