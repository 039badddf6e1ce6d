"""Wrong variants of the exercises of chapter 14 (assignment 14-applications)."""

from __future__ import annotations

from typing import Any

import numpy as np

from . import Shape, misconception, signature
