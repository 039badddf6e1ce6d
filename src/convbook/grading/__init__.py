"""Grading helpers for the nbgrader assignments, and the trusted grader that uses them.

A test cell is the same source in two places:

- in the student's own kernel (JupyterLab, visible tests), where the student's
  functions are ordinary functions and :func:`check` runs them under a call
  guard (:mod:`.guard`) before computing PyTorch's answer (:mod:`.references`);
- at ``nbgrader autograde``, in the **trusted grader** (:mod:`.trusted_execute`):
  the student's cells run in a sandboxed kernel (:mod:`.sandbox`) that has only
  NumPy, and the test cells run in nbgrader's own process, where every name the
  student defined is a proxy (:mod:`.proxies`) that sends arguments into the
  kernel and brings results back as data (:mod:`.wire`, served in the kernel by
  :mod:`.kernel_side`). The grader decides each test's result.

Test cells use :func:`check`, :func:`check_value`, :func:`check_raises`,
:func:`run_guarded`, :func:`call_guarded`, :func:`assert_same`,
:func:`torch_reference` and, for hidden tests, :func:`fresh_rng` with the
random-case helpers (:mod:`.cases`). This package imports only NumPy, so the
sandbox's ``from convbook import grading`` works without torch.
"""

from .cases import _ints, fresh_rng, random_conv_case, random_pad_case
from .checks import assert_same, check, check_raises, check_value, describe_call, make, run_guarded, summary
from .guard import ForbiddenCallError, GuardDisabledError, call_guarded
from .references import torch_reference

__all__ = [
    "ForbiddenCallError",
    "GuardDisabledError",
    "assert_same",
    "call_guarded",
    "check",
    "check_raises",
    "check_value",
    "describe_call",
    "fresh_rng",
    "make",
    "random_conv_case",
    "random_pad_case",
    "run_guarded",
    "summary",
    "torch_reference",
]

_ints = _ints  # used by hidden tests (10-backprop)
