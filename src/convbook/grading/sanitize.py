"""A step of nbgrader's autograde sanitising: cells that lost their nbgrader identity lose it whole.

nbgrader's ``DeduplicateIds`` answers a test cell pasted twice by emptying the
copy's ``nbgrader`` metadata, and ``OverwriteCells`` then fails on the empty
dict (``KeyError: 'grade_id'``) and discards the whole submission. Removing the
empty metadata makes the copy an ordinary cell of the student's: it runs in
the sandboxed kernel and grades nothing, and the original test still counts.
"""

from __future__ import annotations

from typing import Any

from nbconvert.preprocessors import Preprocessor
from nbformat import NotebookNode


class ForgetEmptyGradingMetadata(Preprocessor):
    """Delete ``metadata.nbgrader`` where it is empty (a duplicate that ``DeduplicateIds`` disowned)."""

    enabled = True  # nbconvert preprocessors are off unless enabled

    def preprocess_cell(self, cell: NotebookNode, resources: Any, index: int) -> tuple[NotebookNode, Any]:
        if "nbgrader" in cell.metadata and not cell.metadata["nbgrader"]:
            del cell.metadata["nbgrader"]
        return cell, resources
