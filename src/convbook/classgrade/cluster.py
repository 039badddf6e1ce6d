"""Scheduling on Dask: a local cluster or an existing one, one task per submission.

The course bundle (:class:`.worker.CourseBundle`) becomes one task whose result every
grading task depends on: Dask copies it to each worker once, and because the
scheduler keeps the task's definition it can rebuild the bundle if the workers
holding it die. Each submission is one task (:func:`.worker.grade_submission`),
submitted a window at a time so that the coordinator never holds more than a few
times the cluster's thread count of submissions in memory. When a worker dies,
the scheduler gives its tasks to other workers (Dask's ``allowed-failures``, 3 by
default, bounds how many deaths one task may cause before it is reported as failed).
"""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from .worker import CourseBundle, Graded, Submission, grade_submission


def default_workers() -> int:
    """The number of local workers when none is given: the cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def connect(workers: int | None = None, scheduler: str | None = None) -> tuple[Any, str]:
    """A Dask client for the cluster at ``scheduler``, or for a new local cluster of ``workers`` processes.

    Returns the client and a phrase describing the cluster. Closing the client
    also closes a local cluster.
    """
    from distributed import Client, LocalCluster

    if scheduler:
        client = Client(scheduler, timeout="60s")
        info = client.scheduler_info()
        threads = sum(w.get("nthreads", 0) for w in info.get("workers", {}).values())
        return client, f"the cluster at {scheduler} ({len(info.get('workers', {}))} workers, {threads} threads now)"
    count = workers or default_workers()
    cluster = LocalCluster(
        n_workers=count, threads_per_worker=1, processes=True, dashboard_address=None,
        silence_logs=logging.ERROR,
    )
    client = Client(cluster)
    client._convbook_cluster = cluster  # closed with the client (see close)
    return client, f"a local cluster of {count} worker process{'es' if count > 1 else ''}"


def close(client: Any) -> None:
    """Close the client, and the local cluster :func:`connect` started for it."""
    cluster = getattr(client, "_convbook_cluster", None)
    client.close()
    if cluster is not None:
        cluster.close()


def total_threads(client: Any) -> int:
    """The number of task threads the cluster has right now."""
    workers = client.scheduler_info().get("workers", {})
    return sum(w.get("nthreads", 0) for w in workers.values())


def _bundle(bundle: CourseBundle) -> CourseBundle:
    return bundle


def grade_all(
    client: Any,
    bundle: CourseBundle,
    submissions: Iterable[tuple[str, Callable[[], Submission]]],
    on_result: Callable[[Graded], None],
    record_url: str | None = None,
    timeout: float = 1800,
    window: int | None = None,
) -> None:
    """Grade every submission on the cluster, calling ``on_result`` on the coordinator as each one ends.

    ``submissions`` yields (student, function reading the submission); a submission that
    cannot be read, or whose task fails (for example because every worker that tried it
    died), still produces a :class:`.worker.Graded` with ``ok=False`` and the reason.
    """
    from distributed import as_completed
    from distributed.scheduler import KilledWorker

    run = uuid.uuid4().hex[:8]
    course = client.submit(_bundle, bundle, key=f"convbook-course-{bundle.assignment}-{run}", pure=False)
    pending = iter(submissions)
    students: dict[str, str] = {}
    results = as_completed()

    def submit_next() -> bool:
        for student, read in pending:
            try:
                submission = read()
            except (OSError, ValueError) as error:
                on_result(Graded(student=student, ok=False, reason=f"could not read the submission: {error}"))
                continue
            key = f"convbook-grade-{bundle.assignment}-{student}-{run}"
            future = client.submit(grade_submission, course, submission, record_url, timeout, key=key, pure=False)
            students[future.key] = student
            results.add(future)
            return True
        return False

    def room() -> int:
        return window or max(16, 4 * total_threads(client))

    while len(students) < room() and submit_next():
        pass
    try:
        for future in results:
            student = students.pop(future.key)
            on_result(_outcome(future, student, bundle.assignment, KilledWorker))
            future.release()
            while len(students) < room() and submit_next():
                pass
    finally:
        for future in list(results.futures):
            future.cancel()
        course.release()


def _outcome(future: Any, student: str, assignment: str, killed_worker: type) -> Graded:
    """The :class:`.worker.Graded` of a finished task, or one saying why the task failed."""
    if future.status == "finished":
        return future.result()
    if future.status != "error":
        return Graded(student=student, ok=False, reason=f"the task ended as {future.status}")
    error = future.exception()
    if isinstance(error, killed_worker):
        return Graded(student=student, ok=False, reason=(
            "every worker that graded it died (Dask's allowed-failures); the submission may crash or exhaust "
            f"the machine: grade it alone with `nbgrader autograde {assignment} --student {student}`"))
    return Graded(student=student, ok=False, reason=f"the task failed: {type(error).__name__}: {error}")


__all__ = ["close", "connect", "default_workers", "grade_all", "total_threads"]
