"""A process that imports nbgrader, torch and the grader once, then forks one ``nbgrader`` run per submission.

Starting ``nbgrader autograde`` costs several seconds of CPU before it grades
anything (importing nbgrader, the trusted grader, torch), more than grading one
01-conv1d submission. Each worker process keeps one such server: it imports those
modules once, and for every request forks a child that runs nbgrader's own command
line (``NbGraderApp``, what the ``nbgrader`` script runs) with the request's
arguments, in the request's folder, its output going to a log file. A child is a
fresh process, as if ``nbgrader`` had been started there (its own pid, its own
session), minus the imports.

Protocol, one JSON object per line: the client writes
``{"id", "cwd", "argv", "log", "env"}``; the server answers ``{"id", "pid"}`` when
the child started and ``{"id", "status"}`` when it ended (its exit code, or minus
the signal that killed it). When its standard input closes (the worker ended), the
server kills its children and exits; a child is killed if the server dies.
The server lives as long as the worker process that started it.
"""

from __future__ import annotations

import atexit
import ctypes
import importlib
import itertools
import json
import os
import queue
import select
import signal
import subprocess
import sys
import threading
import time
import traceback
from typing import Any

#: Imported once by the server (those that are not installed are skipped).
PRELOAD = (
    "numpy",
    "torch",
    "sqlalchemy",
    "nbformat",
    "nbconvert",
    "nbclient",
    "jupyter_client",
    "nbgrader.apps.nbgraderapp",
    "nbgrader.converters.autograde",
    "convbook.functional",
    "convbook.grading",
    "convbook.grading.trusted_execute",
)
_PR_SET_PDEATHSIG = 1


class ForkServerError(RuntimeError):
    """The fork server could not start, or ended while a run was in progress."""


class RunTimeoutError(RuntimeError):
    """An nbgrader run took longer than its time limit and was killed."""


# ---------------------------------------------------------------- the server (its own process)


def serve(preload: tuple[str, ...] = PRELOAD) -> None:
    """Run the server on standard input and output until standard input closes."""
    loaded = []
    for name in preload:
        try:
            importlib.import_module(name)
            loaded.append(name)
        except ImportError:
            pass
    _probe_sandbox()
    out = os.fdopen(os.dup(sys.stdout.fileno()), "w", buffering=1)
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, sys.stdout.fileno())  # nothing else may write into the answer pipe
    _send(out, {"ready": True, "preloaded": loaded})
    children: dict[int, str] = {}
    pending = b""
    stdin = sys.stdin.fileno()
    while True:
        readable, _, _ = select.select([stdin], [], [], 0.1)
        if readable:
            data = os.read(stdin, 1 << 16)
            if not data:
                break
            pending += data
            while b"\n" in pending:
                line, pending = pending.split(b"\n", 1)
                request = json.loads(line)
                out.flush()
                server = os.getpid()
                pid = os.fork()
                if pid == 0:
                    out.close()  # the child must not hold the answer pipe open
                    _child(request, server)
                children[pid] = request["id"]
                _send(out, {"id": request["id"], "pid": pid})
        _reap(children, out)
    for pid in children:  # the worker is gone: its runs are of no use any more
        _kill_group(pid)
    deadline = time.monotonic() + 10
    while children and time.monotonic() < deadline:
        _reap(children, out)
        time.sleep(0.05)


def _probe_sandbox() -> None:
    """Start the grader's one-off sandbox probe here, so that every child inherits its result.

    ``convbook.grading.sandbox.check_available`` starts a throwaway sandbox (about a second)
    the first time a process grades and remembers the outcome for that process; a plain
    ``nbgrader autograde`` pays it once per class, and so do the children of this server.
    A failure is remembered too, and each child then reports it for its submission.
    """
    try:
        from convbook.grading.sandbox import check_available

        check_available()
    except Exception:  # noqa: BLE001, S110 - the children meet (and report) the same failure
        pass


def _send(out: Any, message: dict[str, Any]) -> None:
    try:
        out.write(json.dumps(message) + "\n")
    except (BrokenPipeError, OSError):
        pass


def _reap(children: dict[int, str], out: Any) -> None:
    while children:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        if pid in children:
            _send(out, {"id": children.pop(pid), "status": os.waitstatus_to_exitcode(status)})


def _child(request: dict[str, Any], server: int) -> None:
    """In the forked child: become a fresh ``nbgrader`` process; never returns."""
    code = 1
    try:
        os.setsid()
        _die_with_parent()
        if os.getppid() != server:
            os._exit(1)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        log = os.open(request["log"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(log, 1)
        os.dup2(log, 2)
        os.close(log)
        os.close(null)
        os.chdir(request["cwd"])
        os.environ.update(request.get("env", {}))
        sys.argv = ["nbgrader", *request["argv"]]
        from nbgrader.apps.nbgraderapp import NbGraderApp

        NbGraderApp.launch_instance(argv=request["argv"])
        code = 0
    except SystemExit as done:
        code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
    except BaseException:  # noqa: BLE001 - anything nbgrader raises ends this child with status 1
        traceback.print_exc()
    finally:
        try:
            atexit._run_exitfuncs()  # what the interpreter does when ``nbgrader`` exits (e.g. its closing report)
        except Exception:  # noqa: BLE001, S110 - the exit code still counts
            pass
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:  # noqa: BLE001, S110 - the log may be gone; the exit code still counts
                pass
        os._exit(code)


def _die_with_parent() -> None:
    """Ask Linux to kill this process when its parent ends (no-op elsewhere)."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


# ---------------------------------------------------------------- the client (in the worker)


class ForkServer:
    """The client side: starts the server on first use and runs nbgrader command lines through it."""

    def __init__(self, preload: tuple[str, ...] = PRELOAD, start_timeout: float = 300) -> None:
        self.preload = preload
        self.start_timeout = start_timeout
        self._lock = threading.Lock()
        self._process: subprocess.Popen | None = None
        self._waiting: dict[str, tuple[subprocess.Popen, queue.Queue]] = {}
        self._ids = itertools.count()

    def _start(self) -> subprocess.Popen:
        process = subprocess.Popen(
            [sys.executable, "-m", "convbook.classgrade.forkserver", *self.preload],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, bufsize=0,
        )
        ready: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, args=(process, ready), daemon=True, name="forkserver-reader").start()
        try:
            message = ready.get(timeout=self.start_timeout)
        except queue.Empty:
            process.kill()
            raise ForkServerError(f"the fork server did not start within {self.start_timeout} s") from None
        if not message.get("ready"):
            raise ForkServerError("the fork server ended while starting (is convbook installed on this worker?)")
        return process

    def _read(self, process: subprocess.Popen, ready: queue.Queue) -> None:
        assert process.stdout is not None
        for line in process.stdout:
            message = json.loads(line)
            if "ready" in message:
                ready.put(message)
            elif message.get("id") in self._waiting:
                self._waiting[message["id"]][1].put(message)
        ready.put({})
        with self._lock:
            if self._process is process:
                self._process = None
            for sent_to, waiting in self._waiting.values():
                if sent_to is process:
                    waiting.put({"lost": True})

    def run(self, cwd: str, argv: list[str], log: str, env: dict[str, str] | None = None,
            timeout: float | None = None) -> int:
        """Run ``nbgrader *argv`` in ``cwd`` (output to ``log``); its exit status (minus the signal if killed).

        Raises :class:`RunTimeoutError` after ``timeout`` seconds (the run's whole process
        group is killed) and :class:`ForkServerError` if the server died meanwhile.
        """
        request_id = f"{os.getpid()}-{next(self._ids)}"
        answers: queue.Queue = queue.Queue()
        request = {"id": request_id, "cwd": cwd, "argv": argv, "log": log, "env": env or {}}
        with self._lock:
            if self._process is None or self._process.poll() is not None:
                self._process = self._start()
            self._waiting[request_id] = (self._process, answers)
            try:
                assert self._process.stdin is not None
                self._process.stdin.write((json.dumps(request) + "\n").encode())
            except OSError as error:
                del self._waiting[request_id]
                raise ForkServerError(f"the fork server is gone: {error}") from None
        deadline = None if timeout is None else time.monotonic() + timeout
        pid = None
        try:
            while True:
                left = None if deadline is None else max(0.0, deadline - time.monotonic())
                try:
                    message = answers.get(timeout=left)
                except queue.Empty:
                    if pid is not None:
                        _kill_group(pid)
                        answers.get(timeout=30)
                    raise RunTimeoutError(f"nbgrader ran longer than {timeout:.0f} s and was killed") from None
                if message.get("lost"):
                    raise ForkServerError("the fork server ended during the run")
                if "pid" in message:
                    pid = message["pid"]
                if "status" in message:
                    return int(message["status"])
        finally:
            with self._lock:
                self._waiting.pop(request_id, None)

    def close(self) -> None:
        """Stop the server (it kills runs still in progress)."""
        with self._lock:
            process, self._process = self._process, None
        if process is not None:
            assert process.stdin is not None
            process.stdin.close()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


_server: ForkServer | None = None
_server_lock = threading.Lock()


def fork_server() -> ForkServer:
    """This process's fork server (one per worker process, started on first use, stopped at exit)."""
    global _server
    with _server_lock:
        if _server is None:
            _server = ForkServer()
            atexit.register(_server.close)
        return _server


if __name__ == "__main__":
    serve(tuple(sys.argv[1:]) or PRELOAD)
