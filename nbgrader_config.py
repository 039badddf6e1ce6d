"""nbgrader configuration: the course root is the repository root.

Run every nbgrader command from this directory, e.g.
    nbgrader generate_assignment 01-conv1d --force
    nbgrader autograde 01-conv1d
Source notebooks (solutions + hidden tests) live in solutions/<id>/,
student versions are generated into exercises/<id>/.
Environment variables (for CI and scratch courses):
    CONVBOOK_CELL_TIMEOUT   seconds per cell at autograde (default 60)
    CONVBOOK_KERNEL_MEMORY  address-space cap of grading kernels in MB (default 4096, 0 = none)
"""

import os

c = get_config()  # noqa: F821 - provided by nbgrader when it loads this file

c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "exercises"
c.CourseDirectory.submitted_directory = "submitted"
c.CourseDirectory.autograded_directory = "autograded"
c.CourseDirectory.feedback_directory = "feedback"
c.CourseDirectory.course_id = "convbook"
# a PostgreSQL gradebook for parallel per-student autograde:
# c.CourseDirectory.db_url = "postgresql://user:password@localhost/convbook"

# One cell may run this long at autograde; an infinite loop fails that cell only.
c.Execute.timeout = int(os.environ.get("CONVBOOK_CELL_TIMEOUT", "60"))
c.Execute.interrupt_on_timeout = True

# Cap the grading kernel's address space, so a runaway allocation becomes a
# gradable MemoryError instead of an OOM kill (which discards the submission).
# exec_lines run inside the kernel process before any notebook cell.
_memory_mb = int(os.environ.get("CONVBOOK_KERNEL_MEMORY", "4096"))
_kernel_args = ["--HistoryManager.hist_file=:memory:"]
if _memory_mb > 0:
    _limit = _memory_mb * 1024 * 1024
    _kernel_args.append(
        "--IPKernelApp.exec_lines=['import resource as _r; "
        f"_r.setrlimit(_r.RLIMIT_AS, ({_limit}, {_limit})); del _r']"
    )
c.Execute.extra_arguments = _kernel_args

# Restore deleted test cells too, not only edited ones.
c.OverwriteCells.add_missing_cells = True

# Feedback must not show the hidden tests' source: ClearHiddenTests removes it from
# the cells, and ShortTracebacks keeps only "ErrorName: message" of each error, because
# IPython's tracebacks quote the lines around the failing one (hidden tests included).
from nbconvert.preprocessors import Preprocessor  # noqa: E402


class ShortTracebacks(Preprocessor):
    """Replace every error traceback by its last line (the grading message)."""

    enabled = True

    def preprocess_cell(self, cell, resources, index):  # noqa: ANN001, ANN201 - nbconvert's signature
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                output["traceback"] = [f"{output.get('ename', 'Error')}: {output.get('evalue', '')}"]
        return cell, resources


c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "nbgrader.preprocessors.ClearHiddenTests",
    ShortTracebacks,
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]

# Release notebooks: no outputs, solutions and hidden tests removed (nbgrader's defaults).
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
