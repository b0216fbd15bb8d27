"""The interactive view (view.html): self-contained, and it renders in a real browser.

The render test opens the page in headless Chromium (the Debian package ``chromium``; .ci/run
installs it) and reads back the DOM plotly built: the WebGL canvas of the 3D scene, the 2D traces,
the slider with one step per frame. It also takes a screenshot and checks it is not blank. Without
Chromium the test is skipped, except in CI (CI=true), where a missing browser is a failure.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import pytest
from outputs_fixture import ms27_outputs  # noqa: F401  (fixture)

from rendezvous import export, samples, view

pytest.importorskip("plotly")

MAX_BYTES = 8_000_000  # plotly.js itself is about 4.7 MB


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail("chromium is not installed (CI=true): .ci/run should have installed it")
    pytest.skip("chromium is not installed (apt-get install chromium)")


def _run_chromium(html: Path, *args: str) -> subprocess.CompletedProcess:
    with tempfile.TemporaryDirectory() as profile:
        cmd = [
            _chromium(), "--headless", "--no-sandbox", "--disable-gpu",
            "--enable-unsafe-swiftshader", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run",
            f"--user-data-dir={profile}", "--window-size=1600,900",
            "--virtual-time-budget=30000", *args, html.resolve().as_uri(),
        ]  # fmt: skip
        return subprocess.run(cmd, capture_output=True, text=True, timeout=180, check=False)


def test_view_is_self_contained(ms27_outputs):  # noqa: F811
    html = (ms27_outputs / "view.html").read_text()
    assert len(html.encode()) < MAX_BYTES
    assert not re.search(r"<script[^>]+src=", html)  # plotly's script is inline, no fetch
    assert "Plotly.newPlot" in html


def test_view_figure_passes_plotly_validation(ms27_result):
    """The page is written without plotly's Python-side validation (for speed): check it here."""
    import plotly.graph_objects as go

    fig = go.Figure(view.figure(ms27_result))
    assert len(fig.frames) == view._frame_times(ms27_result).size
    assert {t.type for t in fig.data} == {"surface", "scatter3d", "scatter"}


def test_view_renders_in_chromium(ms27_outputs, ms27_result):  # noqa: F811
    page = ms27_outputs / "view.html"
    dom = _run_chromium(page, "--dump-dom")
    assert dom.returncode == 0, dom.stderr[-2000:]
    text = dom.stdout
    assert 'class="gl-container"' in text and "<canvas" in text  # the 3D scene (WebGL)
    # 2D traces: keep-out circle, port, approach path, burns, ISS, marker; range, burns, marker
    assert len(re.findall(r'class="trace scatter ', text)) == 9
    steps = len(re.findall(r'class="slider-tick-rect"', text))
    assert steps == view._frame_times(ms27_result).size
    # axis titles drawn as SVG text, not only present in the embedded JSON
    titles = dict(re.findall(r'<text class="(\w*title)"[^>]*>([^<]*)', text))
    assert titles["y2title"] == "range to the ISS, km" and titles["x2title"] == "UTC"
    assert titles["xtitle"].startswith("along-track")
    # the title as drawn (tspans joined): flight, insertion phase angle and contact speed, the
    # numbers timeline.txt and summary.json print (test_export.test_all_outputs_agree_...)
    gtitle = re.sub(r"<[^>]+>", "", re.search(r'<text class="gtitle".*?</text>', text).group(0))
    assert ms27_result.flight in gtitle
    assert f"phase angle {samples.phase_angle_at_insertion(ms27_result):.2f} deg" in gtitle
    assert f"closing {ms27_result.contact_speed_m_s:.3f} m/s along the port axis" in gtitle
    assert "whole flight" in text


def test_view_screenshot_is_not_blank(ms27_outputs, tmp_path):  # noqa: F811
    from PIL import Image

    shot = tmp_path / "view.png"
    run = _run_chromium(ms27_outputs / "view.html", f"--screenshot={shot}")
    assert run.returncode == 0 and shot.exists(), run.stderr[-2000:]
    img = np.asarray(Image.open(shot).convert("RGB"), dtype=float)
    assert img.shape[:2] == (900, 1600)
    left = img[100:650, 50:750]  # the 3D panel: the Earth and orbits are drawn there
    assert left.std() > 20.0
    assert len(np.unique(left.reshape(-1, 3), axis=0)) > 200


def test_run_without_plotly_skips_the_view_with_one_line(ms27_result, tmp_path, monkeypatch):
    monkeypatch.setattr(view, "available", lambda: False)
    notes: list[str] = []
    paths = export.write_outputs(ms27_result, tmp_path / "out", notice=notes.append)
    assert "view.html" not in {p.name for p in paths}
    assert len(notes) == 1 and "pip install" in notes[0]
    with pytest.warns(export.ViewSkippedWarning, match="plotly"):
        export.write_outputs(ms27_result, tmp_path / "out2")


def test_long_flights_draw_the_middle_revolutions_pale():
    """As the PNG figures: a two-day flight keeps its first and last revolutions bright (the
    station only its last), so that 30 revolutions do not become a solid band; a three-hour
    flight is drawn whole. The rule is stated once (``samples.solid_mask``), and the view and
    the PNG figures both use it."""
    from types import SimpleNamespace

    import numpy as np

    from rendezvous import view
    from rendezvous.plotting import _style
    from rendezvous.samples import RECENT_S
    from rendezvous.samples import solid_mask as _solid

    assert view.solid_mask is _solid and _style.solid_mask is _solid

    two_day = SimpleNamespace(t=np.linspace(0.0, 2 * 86400.0, 2001), t_insertion=529.0)
    solid = _solid(two_day)
    assert solid[0] and solid[-1] and not solid[1000]
    assert np.all(solid[two_day.t >= two_day.t[-1] - RECENT_S])
    short = SimpleNamespace(t=np.linspace(0.0, 3.3 * 3600.0, 500), t_insertion=529.0)
    assert _solid(short).all()
