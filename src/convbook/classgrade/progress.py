"""What the instructor sees: a progress line while grading, a summary at the end."""

from __future__ import annotations

import sys
import time
from typing import TextIO


def duration(seconds: float) -> str:
    """``75`` -> ``1m15s``; ``3700`` -> ``1h01m``."""
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"


class Progress:
    """A progress bar: students graded, failed, remaining, the rate and the time left.

    On a terminal it redraws one line; elsewhere (a log, CI) it prints a line every
    ``every`` seconds and at the end.
    """

    def __init__(self, total: int, stream: TextIO | None = None, every: float = 10.0) -> None:
        self.total = total
        self.graded = 0
        self.failed = 0
        self.stream = stream or sys.stderr
        self.every = every
        self.start = time.monotonic()
        self.last = 0.0
        self.tty = self.stream.isatty()

    @property
    def remaining(self) -> int:
        return self.total - self.graded - self.failed

    def rate(self) -> float:
        """Submissions finished (graded or failed) per minute so far."""
        minutes = (time.monotonic() - self.start) / 60
        return (self.graded + self.failed) / minutes if minutes > 0 else 0.0

    def line(self) -> str:
        """``[#####-----] 20/40 graded · 1 failed · 19 remaining · 12.0/min · ~1m35s left``"""
        done = self.graded + self.failed
        filled = round(20 * done / self.total) if self.total else 20
        rate = self.rate()
        left = f" · ~{duration(60 * self.remaining / rate)} left" if rate > 0 and self.remaining else ""
        return (f"[{'#' * filled}{'-' * (20 - filled)}] {self.graded}/{self.total} graded · {self.failed} failed · "
                f"{self.remaining} remaining · {rate:.1f}/min{left}")

    def add(self, ok: bool) -> None:
        """Count one finished submission and redraw."""
        if ok:
            self.graded += 1
        else:
            self.failed += 1
        self.show()

    def show(self, force: bool = False) -> None:
        """Draw the line (on a terminal always; elsewhere at most every ``every`` seconds)."""
        now = time.monotonic()
        if self.tty:
            self.stream.write("\r" + self.line() + "\033[K")
        elif force or now - self.last >= self.every or self.remaining == 0:
            self.stream.write(self.line() + "\n")
        else:
            return
        self.last = now
        self.stream.flush()

    def finish(self) -> None:
        """End the progress line."""
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()

    def elapsed(self) -> float:
        """Seconds since the progress started."""
        return time.monotonic() - self.start


def summary(assignment: str, progress: Progress, skipped: int, failures: dict[str, str],
            scores: list[float], max_score: float | None, cluster: str) -> str:
    """The closing report: counts, time, rate, scores, and every student who could not be graded and why."""
    lines = [
        f"{assignment}: graded {progress.graded} of {progress.total} submissions in {duration(progress.elapsed())} "
        f"({progress.rate():.1f}/min) on {cluster}"
    ]
    if skipped:
        lines.append(f"{skipped} already graded, not regraded (--force regrades them)")
    if scores and max_score:
        mean = sum(scores) / len(scores)
        lines.append(f"scores: min {min(scores):g}, mean {mean:.2f}, max {max(scores):g} of {max_score:g}")
    if failures:
        lines.append(f"could not grade {len(failures)} student{'s' if len(failures) > 1 else ''}:")
        lines += [f"  {student}: {reason}" for student, reason in sorted(failures.items())]
        lines.append("Fix the cause and rerun: students already graded are not graded again.")
    return "\n".join(lines)


__all__ = ["Progress", "duration", "summary"]
