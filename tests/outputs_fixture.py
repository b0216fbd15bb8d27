"""One shared MS-27 output folder for the export tests (test_export, test_ccsds, test_view).

Import the fixture into a test module with ``from outputs_fixture import ms27_outputs``.
"""

from __future__ import annotations

import pytest

from rendezvous import export


@pytest.fixture(scope="session")
def ms27_outputs(ms27_result, tmp_path_factory):
    """The folder of ``export.write_outputs`` for the default MS-27 flight (no figures)."""
    out = tmp_path_factory.mktemp("exports") / "ms27"
    export.write_outputs(ms27_result, out, inputs={"scheme_requested": None})
    return out
