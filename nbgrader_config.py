"""nbgrader configuration: the course root is the repository root.

Run every nbgrader command from this directory, e.g.
    nbgrader generate_assignment 01-conv1d --force
    nbgrader autograde 01-conv1d
Source notebooks (solutions + hidden tests) live in solutions/<id>/,
student versions are generated into exercises/<id>/.
A fresh clone is set up (gradebook, every assignment generated and registered, students,
exchange) by `python3 tools/setup_course.py [--students roster.csv]`.
Environment variables (for CI and scratch courses):
    CONVBOOK_CELL_TIMEOUT   seconds per cell at autograde (default 60)
    CONVBOOK_KERNEL_MEMORY  address-space cap of the sandboxed kernels in MB (default 4096, 0 = none)
    CONVBOOK_SANDBOX=0      grade WITHOUT the sandbox (trusted submissions only; outputs say so)
    CONVBOOK_SANDBOX_PYTHON the sandbox's interpreter (default .venv-sandbox/bin/python)
    CONVBOOK_EXCHANGE       the exchange directory (default: exchange/ in this directory)
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

# The exchange (release -> fetch -> submit -> collect -> release feedback -> fetch feedback) of a
# course on one machine: a directory every account of the course can reach. tools/setup_course.py
# creates it with nbgrader's permissions (root 0777, the course's inbound 2733: students can drop
# submissions but not list them). Students of other accounts need the same two settings
# (Exchange.root, CourseDirectory.course_id) in their ~/.jupyter/nbgrader_config.py.
c.Exchange.root = os.environ.get("CONVBOOK_EXCHANGE") or os.path.join(c.CourseDirectory.root, "exchange")
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
from convbook.grading.sanitize import ForgetForeignGradingMetadata  # noqa: E402
from convbook.grading.trusted_execute import TrustedExecute  # noqa: E402

c.Autograde.sanitize_preprocessors = [
    "nbgrader.preprocessors.ClearOutput",
    "nbgrader.preprocessors.DeduplicateIds",
    ForgetForeignGradingMetadata,  # a test cell pasted twice must not discard the submission
    "nbgrader.preprocessors.OverwriteKernelspec",
    "nbgrader.preprocessors.OverwriteCells",
    "nbgrader.preprocessors.CheckCellMetadata",
]
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
# 11-cnn builds its network from convbook.nn and loads scikit-learn's digits: its sandbox gets both.
c.TrustedExecute.allow_packages = {"11-cnn": ["convbook", "sklearn"]}
# Grading without the sandbox is possible only on purpose (CONVBOOK_SANDBOX=0, or set False here);
# every test cell's output then says so.
c.TrustedExecute.sandbox = os.environ.get("CONVBOOK_SANDBOX", "1") != "0"
c.Execute.extra_arguments = ["--HistoryManager.hist_file=:memory:"]
# At the end of autograde: every student who could not be graded, with the reason, and who was skipped.
from convbook.grading import report  # noqa: E402

report.install()

# Restore deleted test cells too, not only edited ones.
c.OverwriteCells.add_missing_cells = True

# nbgrader 0.9.6 on SQLAlchemy 2 warns "Object of type <SubmittedAssignment> not in session, add
# operation along '...' will not proceed" (three times) for every new submission it records; nbgrader
# adds the whole new submission to the session right after, so they say nothing and bury the warnings that do.
import warnings  # noqa: E402

warnings.filterwarnings("ignore", message=r"Object of type <Submitted\w+> not in session, add operation along")

from nbconvert.preprocessors import Preprocessor  # noqa: E402
from nbformat import NotebookNode  # noqa: E402
from nbgrader.api import MissingEntry  # noqa: E402
from nbgrader.converters import Autograde, GenerateAssignment  # noqa: E402
from nbgrader.preprocessors import ClearHiddenTests, OverwriteCells  # noqa: E402


class OverwriteCellsWarnOnEdits(OverwriteCells):
    """nbgrader's OverwriteCells, warning about a changed test cell only if the student changed it.

    The gradebook keeps each test cell with its hidden tests (generate_assignment saves the cells
    before ClearHiddenTests), so nbgrader compares every submitted test cell with a source the
    student never had and logs "Attribute 'checksum' ... has changed!" for each of them in every
    honest submission (jupyter/nbgrader#1961). Here a locked cell identical to its released version
    is restored silently; an edited one is still reported, and every locked cell is still restored.
    """

    _untouched = False

    def preprocess_cell(self, cell, resources, cell_index):  # noqa: ANN001, ANN201 - nbgrader's signature
        self._untouched = False
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id is not None:
            try:
                original = self.gradebook.find_source_cell(grade_id, self.notebook_id, self.assignment_id)
            except MissingEntry:
                original = None
            if original is not None and original.locked and original.cell_type == cell.cell_type:
                released = NotebookNode(cell_type=original.cell_type, source=original.source, metadata={})
                ClearHiddenTests(parent=self)._remove_hidden_test_region(released)
                self._untouched = cell.source == released.source
        return super().preprocess_cell(cell, resources, cell_index)

    def report_change(self, name, attr, old, new):  # noqa: ANN001, ANN201 - nbgrader's signature
        if attr == "checksum" and self._untouched:
            self.log.debug("Cell %s is its released version; hidden tests restored", name)
            return
        super().report_change(name, attr, old, new)


if "sanitize_preprocessors" in c.Autograde:
    _sanitize = list(c.Autograde.sanitize_preprocessors)
else:
    _sanitize = list(Autograde.class_traits()["sanitize_preprocessors"].default())
c.Autograde.sanitize_preprocessors = [
    OverwriteCellsWarnOnEdits if p in (OverwriteCells, "nbgrader.preprocessors.OverwriteCells") else p
    for p in _sanitize
]


class ReleaseNotebookMetadata(Preprocessor):
    """Write the kernelspec and language_info that JupyterLab writes when it opens the notebook.

    With nbgrader's minimal metadata (`language_info: {name: python}`) JupyterLab fills in the
    rest as soon as the kernel starts, so every student notebook opens as modified and asks to be
    saved on close. The values are those of this environment's `python3` kernel (the one a
    notebook server started from this environment runs).
    """

    enabled = True

    def preprocess(self, nb, resources):  # noqa: ANN001, ANN201 - nbconvert's signature
        name = nb.metadata.get("kernelspec", {}).get("name", "python3")
        try:
            from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

            spec = KernelSpecManager().get_kernel_spec(name)
            nb.metadata["kernelspec"] = {"display_name": spec.display_name, "language": spec.language, "name": name}
        except (ImportError, NoSuchKernel):
            pass
        if nb.metadata.get("kernelspec", {}).get("language", "python") == "python":
            from ipykernel.ipkernel import IPythonKernel

            nb.metadata["language_info"] = dict(IPythonKernel.language_info)
        return nb, resources


c.GenerateAssignment.preprocessors = [
    ReleaseNotebookMetadata,
    *GenerateAssignment.class_traits()["preprocessors"].default(),
]

# Feedback must not show the hidden tests' source: ClearHiddenTests removes it from
# the cells, and ShortTracebacks keeps only "ErrorName: message" of each error, because
# IPython's tracebacks quote the lines around the failing one (hidden tests included).


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
