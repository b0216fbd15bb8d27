"""The examples in the docstrings of rendezvous.propagate run as doctests."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import rendezvous.propagate as P

MODULES = ["rendezvous.propagate"] + [
    f"rendezvous.propagate.{m.name}" for m in pkgutil.iter_modules(P.__path__)
]


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name):
    mod = importlib.import_module(name)
    result = doctest.testmod(mod, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0


def test_the_package_examples_are_found():
    """The examples exist: a deleted example would otherwise pass the test above silently."""
    attempted = sum(
        doctest.testmod(
            importlib.import_module(n), optionflags=doctest.NORMALIZE_WHITESPACE
        ).attempted
        for n in MODULES
    )
    assert attempted >= 10


def test_propagate_has_a_running_example():
    """``propagate`` documents itself with an example that runs (issue 8)."""
    finder = doctest.DocTestFinder()
    (test,) = [t for t in finder.find(P.front.propagate) if t.name.endswith("propagate")]
    assert len(test.examples) >= 5
    assert doctest.DocTestRunner().run(test).failed == 0
