"""nbgrader configuration: the course root is the repository root.

Run every nbgrader command from this directory, e.g.
    nbgrader generate_assignment 01-conv1d --force
    nbgrader autograde 01-conv1d
Source notebooks (solutions + hidden tests) live in solutions/<id>/,
student versions are generated into exercises/<id>/.
Environment variables (for CI and scratch courses):
    CONVBOOK_CELL_TIMEOUT   seconds per cell at autograde (default 60)
    CONVBOOK_KERNEL_MEMORY  address-space cap of the sandboxed kernels in MB (default 4096, 0 = none)
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

# The trusted grader (convbook.grading.trusted_execute) replaces nbgrader's Execute
# step: each student's kernel runs in a bubblewrap sandbox (no network, no course
# files, NumPy only, limits on memory, CPU, processes and files) and the test cells
# run in this process, with torch, calling the student's functions through proxies.
# If the sandbox cannot start, autograde refuses and says why; to grade without it
# (trusted submissions only) set c.TrustedExecute.sandbox = False.
from convbook.grading.trusted_execute import TrustedExecute  # noqa: E402

c.Autograde.autograde_preprocessors = [
    TrustedExecute,
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]
# Address-space cap of the student's kernel: a runaway allocation becomes a
# gradable MemoryError instead of a dead kernel.
c.TrustedExecute.memory_mb = int(os.environ.get("CONVBOOK_KERNEL_MEMORY", "4096"))
# 11-cnn builds its network from convbook.nn: its sandbox gets the package.
c.TrustedExecute.allow_packages = {"11-cnn": ["convbook"]}
c.Execute.extra_arguments = ["--HistoryManager.hist_file=:memory:"]

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
