"""A step of nbgrader's autograde sanitising: cells whose nbgrader identity is not the instructor's lose it.

Two cases made nbgrader discard a whole submission (``KeyError: 'grade_id'`` in
``OverwriteCells``): a test cell pasted twice (``DeduplicateIds`` empties the
copy's ``nbgrader`` metadata) and a cell carrying an id the gradebook does not
know (``OverwriteCells`` empties it). Removing such metadata makes the cell an
ordinary cell of the student's: it runs in the sandboxed kernel and grades
nothing, while the instructor's cells (restored from the gradebook) still count.
"""

from __future__ import annotations

from typing import Any

from nbconvert.preprocessors import Preprocessor
from nbformat import NotebookNode
from nbgrader.api import Gradebook, MissingEntry


class ForgetForeignGradingMetadata(Preprocessor):
    """Delete ``metadata.nbgrader`` where it is empty or names a cell the gradebook does not hold."""

    enabled = True  # nbconvert preprocessors are off unless enabled

    def preprocess(self, nb: NotebookNode, resources: Any) -> tuple[NotebookNode, Any]:
        info = resources.get("nbgrader", {})
        known: set[str] | None = None
        if info.get("db_url"):
            with Gradebook(info["db_url"]) as gb:
                try:
                    known = {c.name for c in gb.find_notebook(info["notebook"], info["assignment"]).source_cells}
                except MissingEntry:
                    known = None
        for cell in nb.cells:
            meta = cell.metadata.get("nbgrader")
            if meta is None:
                continue
            if not meta or (known is not None and meta.get("grade_id") not in known):
                del cell.metadata["nbgrader"]
        return nb, resources
