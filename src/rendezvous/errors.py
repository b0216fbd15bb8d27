"""Errors of the flight logic (one line: what, the numbers, and what to do)."""

from __future__ import annotations

__all__ = ["MissionError"]


class MissionError(ValueError):
    """The scenario cannot be flown as asked (one line: what, the numbers, and what to do)."""
