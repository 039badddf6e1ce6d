"""The trusted grader: nbgrader's Execute step, with the student's code sandboxed and the tests kept outside.

``nbgrader_config.py`` puts :class:`TrustedExecute` in place of nbgrader's
``Execute`` preprocessor. For each code cell of a submission:

- a cell the student wrote (or may have changed) runs in the student's kernel,
  inside the sandbox (:mod:`.sandbox`);
- a locked set-up cell runs there too, and also in the grader (its source is
  the instructor's: taken from the gradebook, never from the submission);
- an autograded test cell never enters the kernel: its source, from the
  gradebook, runs here in the grader, where the names the student defined
  are proxies (:mod:`.proxies`). The grader writes the cell's outputs itself:
  an ``error`` output (the test's message) or a line saying it passed, so
  nbgrader's ``SaveAutoGrades`` records a score nothing in the kernel decides.

A kernel that dies or stops answering is restarted, the student's cells run
again, and grading goes on with the next cell: one bad cell costs that cell.
"""

from __future__ import annotations

import builtins
import contextlib
import io
import linecache
import os
import re
import time
import warnings
from typing import Any

from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat import NotebookNode
from nbformat.v4 import new_code_cell, new_output
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.preprocessors import Execute
from traitlets import Bool, Dict, Integer

from .proxies import RemoteObject, bound_names, free_names, student_exception
from .sandbox import Limits, Sandbox, check_available, kernel_manager_for
from .wire import Decoder, Encoder, SourceFunction, WireError, read_json

HIDDEN = re.compile(r"^[ \t]*### BEGIN HIDDEN TESTS.*?^[ \t]*### END HIDDEN TESTS[^\n]*$", re.M | re.S)
UNSANDBOXED_NOTE = (
    "WARNING: graded WITHOUT the sandbox (c.TrustedExecute.sandbox = False): the student's code ran unconfined.\n"
)


class KernelLostError(RuntimeError):
    """The kernel died or stopped answering while it ran the student's code (it has been restarted)."""


class TestTimeoutError(RuntimeError):
    """A test cell used up its time calling the student's code."""


class TrustedExecute(Execute):
    """nbgrader's Execute step, with student code in a sandboxed kernel and test cells in this process."""

    sandbox = Bool(True, help="Run the student's kernel in the bubblewrap sandbox (False: unconfined, says so).").tag(
        config=True
    )
    allow_packages = Dict(
        {}, help="Assignment id -> packages besides NumPy its sandbox may import, e.g. {'11-cnn': ['convbook']}."
    ).tag(config=True)
    memory_mb = Integer(4096, help="Address-space limit of the student's kernel, in MB (0: none).").tag(config=True)
    max_output_bytes = Integer(100_000, help="Outputs of one cell beyond this many bytes are dropped.").tag(
        config=True
    )
    max_restarts = Integer(8, help="Kernel restarts per notebook before the remaining cells are failed.").tag(
        config=True
    )

    # ------------------------------------------------------------------ set-up

    def preprocess(self, nb: NotebookNode, resources: Any, km: Any = None) -> tuple[NotebookNode, Any]:
        from . import checks, proxies

        checks.IN_GRADER = True
        proxies.current_link = self
        info = resources.get("nbgrader", {})
        self.trusted_cells = _trusted_cells(info)
        self.grader_globals = {"__name__": "__grader__", "__builtins__": builtins}
        self.kernel_history: list[str] = []
        self.restarts = 0
        self.gave_up = False
        self.requests = 0
        self._output_bytes: dict[int, int] = {}
        allowed = tuple(self.allow_packages.get(info.get("assignment", ""), ()))
        folder = resources.get("metadata", {}).get("path") or os.getcwd()
        if self.sandbox:
            check_available()
            self.box = Sandbox(folder, allowed, Limits(memory_mb=self.memory_mb))
            self.log.info("Student kernel sandboxed (bubblewrap, uid %s)", self.box.uid)
        else:
            self.box = None
            self.log.warning("Grading WITHOUT the sandbox: the student's code runs unconfined")
        self.request_seconds = 0.0
        try:
            return super().preprocess(nb, resources, km)
        finally:
            self.log.info("%d calls into the student's kernel took %.2f s; %d kernel restart(s)",
                          self.requests, self.request_seconds, self.restarts)
            if self.box is not None:
                self.box.cleanup()

    def create_kernel_manager(self) -> Any:
        """A kernel manager whose kernel starts in this notebook's sandbox."""
        self.km = kernel_manager_for(self.box, kernel_name="python3", config=self.config)
        return self.km

    # ------------------------------------------------------------------ cells

    def preprocess_cell(self, cell: NotebookNode, resources: Any, index: int) -> tuple[NotebookNode, Any]:
        if cell.cell_type != "code":
            return cell, resources
        meta = cell.metadata.get("nbgrader", {})
        trusted = self.trusted_cells.get(meta.get("grade_id"))
        if trusted is not None and trusted["test"]:
            cell.source = trusted["source"]
            self._run_test_cell(cell, trusted["source"])
            return cell, resources
        if trusted is not None:  # a locked set-up cell: the instructor's source, in both places
            cell.source = trusted["source"]
            self._exec_in_grader(trusted["source"], f"<set-up cell {meta.get('grade_id')}>")
        self._run_in_kernel(cell, index)
        return cell, resources

    def _run_in_kernel(self, cell: NotebookNode, index: int) -> None:
        if self.gave_up:
            cell.outputs = [_error("KernelLostError", self.gave_up)]
            return
        try:
            self.execute_cell(cell, index, store_history=True)
        except DeadKernelError:
            cell.outputs.append(_error("KernelDied", "the kernel died while running this cell "
                                       "(os._exit, a crash, or a resource limit); it was restarted"))
            self._restart()
            return
        except CellTimeoutError:
            cell.outputs.append(_error("CellTimeoutError", f"this cell did not finish within {self.timeout} s; "
                                       "the kernel was restarted without it"))
            self._restart()
            return
        if any(o.get("ename") == "CellTimeoutError" for o in cell.outputs):
            self._restart()  # the kernel may still be busy (an interrupt it swallowed)
            return
        self._kill_strays()
        self.kernel_history.append(cell.source)

    def _run_test_cell(self, cell: NotebookNode, source: str) -> None:
        from . import checks

        checks._passed.clear()  # success counts start afresh in each test cell
        cell.outputs = []
        self.deadline = time.monotonic() + (self.timeout or 60)
        namespace = dict(self.grader_globals)
        for name in sorted(free_names(source) - set(namespace)):
            try:
                answer = self.request("resolve", None, name=name)
                if type(answer) is not tuple or len(answer) != 2 or answer[0] not in ("found", "missing"):
                    raise WireError(f"the kernel answered nonsense when asked for {name!r}")
            except Exception as error:  # noqa: BLE001 - whatever the kernel did, this test fails, grading goes on
                cell.outputs.append(_error(_error_name(error), str(error)))
                return
            if answer[0] == "found":
                namespace[name] = answer[1]
        stdout = _LimitedText(self.max_output_bytes)
        filename = f"<test cell {cell.metadata.get('nbgrader', {}).get('grade_id', '')}>"
        self.hidden_source = "\n".join(m.group(0) for m in HIDDEN.finditer(source))
        try:
            with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(io.StringIO()):
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    _exec(source, filename, namespace)
        except Exception as error:  # noqa: BLE001 - any failure of a test is that test's result
            text = stdout.text if self.box is not None else UNSANDBOXED_NOTE + stdout.text
            if text:
                cell.outputs.append(new_output("stream", name="stdout", text=text))
            cell.outputs.append(_error(_error_name(error), str(error)))
        else:
            text = stdout.text or "passed\n"
            if self.box is None:
                text = UNSANDBOXED_NOTE + text
            cell.outputs.append(new_output("stream", name="stdout", text=text))
        for name in bound_names(source):
            if name in namespace and not isinstance(namespace[name], RemoteObject):
                self.grader_globals[name] = namespace[name]
        self._kill_strays()

    def _kill_strays(self) -> None:
        """No process the student's code started outlives the cell that started it."""
        process = getattr(getattr(self.km, "provisioner", None), "process", None)
        if self.box is not None and process is not None:
            killed = self.box.kill_strays(process.pid)
            if killed:
                self.log.warning("Killed %d process(es) the student's code left running", killed)

    def _exec_in_grader(self, source: str, filename: str) -> None:
        try:
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                _exec(source, filename, self.grader_globals)
        except Exception as error:  # noqa: BLE001 - e.g. a magic: the kernel still runs the cell
            self.log.warning("set-up cell %s did not run in the grader: %s", filename, error)

    # ------------------------------------------------------------------ requests

    def request(self, op: str, args: Any = None, **fields: Any) -> Any:
        """Send one request to the kernel and return its answer as data (or proxies); see ``kernel_side``."""
        self.requests += 1
        number = self.requests
        folder = self.box.request_dir if self.box else self._plain_folder("requests")
        answers = self.box.answer_dir if self.box else self._plain_folder("answers")
        encoder = Encoder(folder, f"r{number}_", sources=self._visible_function)
        request = {"op": op, "args": encoder.encode(args), **fields}
        request_path = os.path.join(folder, f"r{number}.json")
        from .wire import write_json

        write_json(request_path, request)
        code = (f"__import__('convbook.grading.kernel_side', fromlist=['serve']).serve("
                f"{request_path!r}, {answers!r}, {number})")
        started = time.perf_counter()
        try:
            self._run_code(code)
            answer = read_json(os.path.join(answers, f"a{number}.json"))
            if type(answer) is not dict:
                raise WireError("malformed answer")
            if "error" in answer:
                error = answer["error"] if type(answer["error"]) is dict else {}
                raise student_exception(str(error.get("type", "Error"))[:100], str(error.get("message", ""))[:4000])
            decoder = Decoder(answers, lambda n, t, c: RemoteObject(self, n, t, c, fields.get("name", "")))
            return decoder.decode(answer.get("ok"))
        finally:
            self.request_seconds += time.perf_counter() - started
            for folder_ in (folder, answers):
                for name in os.listdir(folder_):
                    if name.startswith((f"r{number}", f"a{number}")):
                        with contextlib.suppress(OSError):
                            os.unlink(os.path.join(folder_, name))

    def _run_code(self, code: str) -> None:
        if self.gave_up:
            raise KernelLostError(self.gave_up)
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise TestTimeoutError(f"the test ran out of time ({self.timeout} s) running your code")
        scratch = new_code_cell(code)
        self.nb.cells.append(scratch)
        saved_timeout = self.timeout
        self.timeout = max(1, int(remaining + 0.999))
        try:
            self.execute_cell(scratch, len(self.nb.cells) - 1, store_history=False)
        except CellTimeoutError:
            scratch.outputs.append(_error("CellTimeoutError", "timeout"))
        except DeadKernelError:
            self._restart()
            raise KernelLostError("the kernel died while running your code (os._exit, a crash, or a "
                             "resource limit such as memory); it was restarted for the next test") from None
        finally:
            self.timeout = saved_timeout
            self.nb.cells.pop()
        if any(o.get("ename") == "CellTimeoutError" for o in scratch.outputs):
            self._restart()
            raise TestTimeoutError(f"your code did not finish within the test's time ({self.timeout} s); "
                              "the kernel was restarted for the next test")

    def _visible_function(self, value: Any) -> SourceFunction | None:
        """Source of a test-cell function to re-create in the kernel, if it is defined in the visible part."""
        code = getattr(value, "__code__", None)
        if code is None or not code.co_filename.startswith("<test cell"):
            return None
        import inspect

        source = inspect.getsource(value)
        if source in self.hidden_source or value.__name__ == "<lambda>":
            raise WireError(f"test error: {value.__name__} cannot be sent to the student's kernel")
        import textwrap

        return SourceFunction(value.__name__, textwrap.dedent(source))

    def _plain_folder(self, name: str) -> str:
        import tempfile

        if not hasattr(self, "_folders"):
            self._folders = {}
        if name not in self._folders:
            self._folders[name] = tempfile.mkdtemp(prefix=f"convbook-{name}-")
        return self._folders[name]

    # ------------------------------------------------------------------ kernel life

    def _restart(self) -> None:
        """A fresh kernel in a fresh sandbox, with the student's earlier cells run again."""
        self.restarts += 1
        self._cleanup_kernel()
        if self.restarts > self.max_restarts:
            self.gave_up = f"the kernel was restarted {self.max_restarts} times; the rest of this notebook is not run"
            self.log.error("Student kernel: %s", self.gave_up)
            return
        self.km = self.create_kernel_manager()
        self.start_new_kernel()
        self.start_new_kernel_client()
        for source in self.kernel_history:
            scratch = new_code_cell(source)
            self.nb.cells.append(scratch)
            try:
                self.execute_cell(scratch, len(self.nb.cells) - 1, store_history=True)
            except (DeadKernelError, CellTimeoutError):
                self._restart()
                return
            finally:
                self.nb.cells.pop()

    async def _async_cleanup_kernel(self) -> None:
        if self.km is not None:  # None once grading gave up on a kernel that kept dying
            await super()._async_cleanup_kernel()

    def output(self, outs: list, msg: dict, display_id: Any, cell_index: int) -> Any:
        """Keep at most ``max_output_bytes`` of one cell's outputs (a flood must not fill the grader's memory)."""
        size = len(str(msg.get("content", "")))
        used = self._output_bytes.get(cell_index, 0)
        self._output_bytes[cell_index] = used + size
        if used + size > self.max_output_bytes:
            if used <= self.max_output_bytes:
                outs.append(new_output("stream", name="stdout",
                                       text=f"\n[output cut: more than {self.max_output_bytes} bytes]\n"))
            return None
        return super().output(outs, msg, display_id, cell_index)


def _trusted_cells(info: dict) -> dict[str, dict]:
    """grade_id -> {"source", "test"} for the instructor's locked and test cells, read from the gradebook."""
    cells: dict[str, dict] = {}
    if not info.get("db_url"):
        return cells
    with Gradebook(info["db_url"]) as gb:
        try:
            notebook = gb.find_notebook(info["notebook"], info["assignment"])
        except MissingEntry:
            return cells
        tests = {c.name for c in notebook.grade_cells if c.cell_type == "code" and c.max_score}
        for cell in notebook.source_cells:
            if cell.cell_type != "code" or not cell.locked:
                continue
            cells[cell.name] = {"source": cell.source, "test": cell.name in tests}
    return cells


def _exec(source: str, filename: str, namespace: dict) -> None:
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    exec(compile(source, filename, "exec"), namespace)  # noqa: S102 - the instructor's test code


def _error(name: str, message: str) -> NotebookNode:
    return new_output("error", ename=name, evalue=message, traceback=[f"{name}: {message}"])


def _error_name(error: BaseException) -> str:
    return getattr(error, "student_type", None) or type(error).__name__


class _LimitedText(io.StringIO):
    """A text buffer that keeps only its first ``limit`` characters."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def write(self, text: str) -> int:
        room = self.limit - self.tell()
        if room > 0:
            super().write(text[:room])
        return len(text)

    @property
    def text(self) -> str:
        return self.getvalue()


__all__ = ["KernelLostError", "TestTimeoutError", "TrustedExecute"]
