"""Wrong variants of the exercises of chapter 13 (assignment 13-architectures)."""

from __future__ import annotations

from typing import Any

import numpy as np

from . import Shape, misconception, signature
