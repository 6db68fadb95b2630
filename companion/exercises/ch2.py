"""Graders for the exercises of chapter 2 (see :mod:`companion.exercises`)."""

from __future__ import annotations

import numpy as np

from companion.exercises import register

__all__: list[str] = []
