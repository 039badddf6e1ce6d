"""Wrong variants of the exercises of chapter 12 (assignment 12-computing)."""

from __future__ import annotations

from typing import Any

import numpy as np

from . import Shape, misconception, signature
