"""The numpydoc examples of the public API run as doctests (they are the documentation users copy:
they must stay true)."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["rendezvous", "rendezvous.mission", "rendezvous.scenario", "rendezvous.window"]


@pytest.mark.parametrize("name", MODULES)
def test_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0, f"{name}: no examples found (deleted?)"
    assert result.failed == 0, f"{name}: {result.failed} of {result.attempted} examples failed"
