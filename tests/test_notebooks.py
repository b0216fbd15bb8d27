"""The notebooks: stored without outputs, thin (no logic of their own), and they run.

Each notebook is executed offline by nbclient in a kernel of the interpreter running the tests:
a kernelspec written for ``sys.executable`` into a temporary Jupyter path, so a user-level
``python3`` kernelspec pointing at another Python cannot be picked up. Matplotlib's Agg backend
(``MPLBACKEND=Agg``) keeps any GUI away. Running both takes about half a minute.
"""

from __future__ import annotations

import ast
import json
import sys
import warnings
from pathlib import Path

import pytest

with warnings.catch_warnings():
    # Some jupyter_core 5.x releases warn, on import, that their folders will move to
    # platformdirs (DeprecationWarning); not ours to fix, and unrelated to the notebooks.
    warnings.filterwarnings(
        "ignore", "Jupyter is migrating its paths to use standard platformdirs", DeprecationWarning
    )
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    kernelspec = pytest.importorskip("ipykernel.kernelspec")

NOTEBOOK_DIR = Path(__file__).resolve().parents[1] / "notebooks"
NOTEBOOKS = ("ms27_walkthrough.ipynb", "schemes_compared.ipynb")
KERNEL_NAME = "rendezvous-tests"

ALLOWED_IMPORTS = {"rendezvous", "numpy", "matplotlib"}
"""Top-level packages a notebook may import: the package, and numpy/matplotlib for display."""


def _read(name: str):
    return nbformat.read(NOTEBOOK_DIR / name, as_version=4)


def _code(cell) -> str:
    """A code cell's source without IPython magics (``%matplotlib inline``), for ``ast``."""
    return "\n".join(line for line in cell.source.splitlines() if not line.lstrip().startswith("%"))


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_stored_without_outputs(name):
    nb = _read(name)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code
    for cell in code:
        assert cell.outputs == [], cell.source[:60]
        assert cell.execution_count is None, cell.source[:60]


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_is_thin(name):
    """Only the package (and numpy/matplotlib) imported; no functions or classes defined."""
    for cell in _read(name).cells:
        if cell.cell_type != "code":
            continue
        tree = ast.parse(_code(cell))
        for node in ast.walk(tree):
            assert not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef), (
                f"{name}: define functions in the package, not the notebook"
            )
            if isinstance(node, ast.Import):
                roots = {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom):
                roots = {(node.module or "").split(".")[0]}
            else:
                continue
            assert roots <= ALLOWED_IMPORTS, f"{name}: imports {roots - ALLOWED_IMPORTS}"


@pytest.fixture(scope="module")
def jupyter_env(tmp_path_factory):
    """Environment for an isolated kernel: a Jupyter data folder holding one kernelspec that runs
    this interpreter, and empty IPython/Jupyter config and runtime folders (so the user's
    profiles, startup files and kernelspecs play no part)."""
    root = tmp_path_factory.mktemp("jupyter")
    spec_dir = root / "data" / "kernels" / KERNEL_NAME
    kernelspec.write_kernel_spec(spec_dir, overrides={"display_name": "rendezvous tests"})
    argv = json.loads((spec_dir / "kernel.json").read_text())["argv"]
    assert argv[0] == sys.executable
    return {
        "JUPYTER_PATH": str(root / "data"),
        "JUPYTER_CONFIG_DIR": str(root / "config"),
        "JUPYTER_RUNTIME_DIR": str(root / "runtime"),
        "IPYTHONDIR": str(root / "ipython"),
        "MPLBACKEND": "Agg",
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",  # quiet the debugger's frozen-modules notice
    }


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs(name, jupyter_env, tmp_path, monkeypatch):
    for key, value in jupyter_env.items():
        monkeypatch.setenv(key, value)
    nb = _read(name)
    client = nbclient.NotebookClient(
        nb, kernel_name=KERNEL_NAME, timeout=300, resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()  # raises CellExecutionError on the first failing cell

    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    stderr = "".join(o.text for o in outputs if o.output_type == "stream" and o.name == "stderr")
    assert "Warning" not in stderr, stderr  # e.g. a stale element set or a numpy RuntimeWarning
    images = [o for o in outputs if "data" in o and "image/png" in o.data]
    assert images, "the figures should be displayed"
    text = "".join(o.text for o in outputs if o.output_type == "stream" and o.name == "stdout")
    assert "2-orbit" in text
    # the run leaves nothing in its working folder
    assert list(tmp_path.iterdir()) == []
