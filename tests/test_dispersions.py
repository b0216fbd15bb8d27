"""Monte Carlo dispersions (rendezvous.dispersions, rendezvous.parallel): the zero-error sample
flies the nominal, results depend only on the seed (not on chunking or on where chunks run), and
the miss scales linearly with small errors."""

from __future__ import annotations

import numpy as np
import pytest

from rendezvous import dispersions as D
from rendezvous.mission import MissionConfig, simulate
from rendezvous.times import parse_utc

ZERO = D.ErrorModel(
    insertion_pos_m=(0, 0, 0),
    insertion_vel_m_s=(0, 0, 0),
    burn_magnitude=0,
    burn_pointing_deg=0,
    nav_pos_m=0,
    nav_vel_m_s=0,
    ballistic_sigma=0,
    density_sigma=0,
)


@pytest.fixture(scope="module")
def nominal():
    cfg = MissionConfig(launch=parse_utc("2025-04-08T05:47:15.309Z"))  # MS-27 (russianspaceweb.com)
    return D.nominal_from_mission(simulate(cfg), cfg)


def test_zero_errors_fly_the_nominal(nominal):
    out = D.fly_samples(nominal, D.ErrorModel(), np.zeros((1, D.N_DRAWS)))
    # mission.simulate's differential correction meets AS to metres and mm/s; the re-targeting
    # from the exact state reproduces its burns
    assert np.linalg.norm(out.miss_r[:, 0]) < 1.0
    assert np.linalg.norm(out.miss_v[:, 0]) < 1e-3
    assert out.dv_correction[0] < 1e-3
    assert not out.fallback[0]
    assert out.status[0] == 0
    # the far-range burns are the nominal ones (Burn.dv_m_s of the simulated flight)
    assert out.dv_far[0] == pytest.approx(np.sum(np.linalg.norm(nominal.dv_rtn, axis=1)), abs=1e-3)


def test_errors_without_random_draws_are_zero(nominal):
    z = D.draw(5, 11)
    out = D.fly_samples(nominal, ZERO, z)
    assert np.max(np.linalg.norm(out.miss_r, axis=0)) < 1.0


def test_navigation_miss_scales_linearly(nominal):
    """Halving the navigation errors halves the miss they cause (a linear far range)."""
    from dataclasses import replace

    z = D.draw(6, 3)
    full = D.fly_samples(nominal, replace(ZERO, nav_pos_m=30.0, nav_vel_m_s=0.03), z).miss_r
    half = D.fly_samples(nominal, replace(ZERO, nav_pos_m=15.0, nav_vel_m_s=0.015), z).miss_r
    ratio = np.linalg.norm(half, axis=0) / np.linalg.norm(full, axis=0)
    np.testing.assert_allclose(ratio, 0.5, atol=0.01)


def test_draws_are_in_sample_order():
    np.testing.assert_array_equal(D.draw(10, 42), D.draw(40, 42)[:10])
    assert not np.array_equal(D.draw(10, 42), D.draw(10, 43))
    # any range across the fixed blocks is the same rows of the whole draw
    whole = D.draw(2 * D.BLOCK + 5, 42)
    for a, b in ((0, 1), (990, 1010), (D.BLOCK, 2 * D.BLOCK + 5), (7, 2 * D.BLOCK + 1)):
        np.testing.assert_array_equal(D.draw_range(42, a, b), whole[a:b])
    assert D.draw(1, 2**64 - 1).shape == (1, D.N_DRAWS)  # the largest seed the CLI accepts


def test_samples_are_flown_and_counted_ok(nominal):
    out = D.fly_samples(nominal, D.ErrorModel(), D.draw(4, 1))
    assert out.status.tolist() == [0, 0, 0, 0]
    assert np.all(out.predicted_miss < D.RETARGET_TOL_M)


def test_fallback_is_the_next_slower_scheme():
    assert D._fallback("2-orbit")[0] == "4-orbit"
    assert D._fallback("4-orbit")[0] == "2-day"
    assert D._fallback("2-day") == (None, 0.0)


def test_same_seed_same_report_whatever_the_chunks(nominal):
    a = D.run_dispersions(nominal, 24, 5, chunk_size=24)
    b = D.run_dispersions(nominal, 24, 5, chunk_size=12)
    assert D.report(a) == D.report(b)
    # other chunks: the same samples to round-off (bit-identical for the same chunks, see below)
    np.testing.assert_allclose(a.miss_r, b.miss_r, rtol=0, atol=1e-6)
    assert "samples 24, seed 5" in D.report(a)


def test_dask_cluster_gives_identical_results(nominal):
    pytest.importorskip("dask.distributed")
    local = D.run_dispersions(nominal, 40, 9, chunk_size=20)
    remote = D.run_dispersions(nominal, 40, 9, chunk_size=20, workers=2)
    for f in (
        "miss_r",
        "miss_v",
        "dv_far",
        "dv_correction",
        "dv_total",
        "fallback",
        "t_docking",
        "traj",
    ):
        np.testing.assert_array_equal(getattr(local, f), getattr(remote, f))
    assert D.report(local) == D.report(remote)


def test_bad_input():
    with pytest.raises(ValueError, match="samples"):
        D.draw(0, 1)
    with pytest.raises(ValueError, match="ErrorModel"):
        D.ErrorModel(nav_pos_m=-1.0)
    from rendezvous.parallel import map_chunks

    with pytest.raises(ValueError, match="workers"):
        map_chunks(len, [[1]], workers=2, scheduler="tcp://127.0.0.1:1")


def test_figures_are_written(nominal, tmp_path):
    from rendezvous.plotting import write_dispersion_figures

    res = D.run_dispersions(nominal, 12, 2, chunk_size=12)
    paths = write_dispersion_figures(res, tmp_path)
    assert [p.name for p in paths] == ["dispersion_histograms.png", "dispersion_lvlh.png"]
    assert all(p.stat().st_size > 10_000 for p in paths)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in paths)


def test_script_bad_input_exits_2(capsys, tmp_path):
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "scripts" / "dispersions.py"
    spec = importlib.util.spec_from_file_location("dispersions_script", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    out = tmp_path / "out"
    assert mod.main(["--samples", "0", "--seed", "1", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: --samples") and err.count("\n") == 1
    assert not out.exists()
    # an occupied --out is refused before any work, and left as it was
    out.mkdir()
    (out / "mine.txt").write_text("keep")
    assert mod.main(["--samples", "5", "--seed", "1", "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: --out") and "--overwrite" in err
    assert [p.name for p in out.iterdir()] == ["mine.txt"]
    assert (out / "mine.txt").read_text() == "keep"
