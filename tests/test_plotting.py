"""Figures: each returns a Figure with the expected content; write_figures writes every file.

No pixel baselines: the tests read the artists back (line data, labels, patches, collections).
The flight is the synthetic one of tests/synthetic.py, so these tests do not depend on the mission.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.collections import LineCollection  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Circle, Polygon  # noqa: E402
from PIL import Image  # noqa: E402
from synthetic import synthetic_flight  # noqa: E402

from rendezvous import plotting  # noqa: E402
from rendezvous.mission import Burn  # noqa: E402
from rendezvous.times import parse_utc  # noqa: E402


@pytest.fixture(scope="module")
def flight():
    return synthetic_flight()


def _titles(fig: Figure) -> str:
    texts = [ax.get_title() for ax in fig.axes]
    if fig._suptitle is not None:
        texts.append(fig._suptitle.get_text())
    return " ".join(texts)


def _line_data(ax, prefix=""):
    lines = [ln for ln in ax.get_lines() if ln.get_label().startswith(prefix)]
    if not lines:
        return np.empty(0), np.empty(0)
    xy = np.concatenate([ln.get_xydata() for ln in lines])  # dates come back as day numbers
    return xy[:, 0], xy[:, 1]


@pytest.fixture(scope="module")
def all_figures(flight):
    return _all_figures(flight)


def _all_figures(flight):
    result, tracks, phase = flight
    return {
        "overview": plotting.overview_figure(result),
        "ground_track": plotting.ground_track_figure(result, tracks),
        "lvlh": plotting.lvlh_figure(result),
        "range": plotting.range_figure(result, tracks, phase),
        "timeline": plotting.timeline_figure(result),
    }


def test_every_figure_is_titled_with_flight_and_scheme(flight, all_figures):
    result = flight[0]
    for name, fig in all_figures.items():
        assert isinstance(fig, Figure), name
        title = _titles(fig)
        assert result.flight in title and result.scheme in title, name


def test_every_labelled_axis_states_its_unit(all_figures):
    for name, fig in all_figures.items():
        for ax in fig.axes:
            labels = [ax.get_xlabel(), ax.get_ylabel()]
            if hasattr(ax, "get_zlabel"):
                labels.append(ax.get_zlabel())
            for label in filter(None, labels):
                assert "(" in label and ")" in label, f"{name}: {label!r} has no unit"


def test_overview_draws_the_ship_path_in_km(flight):
    result = flight[0]
    ax = plotting.overview_figure(result).axes[0]
    ship = [ln for ln in ax.get_lines() if ln.get_label().startswith("ship:")]
    xs = np.concatenate([ln.get_data_3d()[0] for ln in ship])
    zs = np.concatenate([ln.get_data_3d()[2] for ln in ship])
    # The ship's lines together span the ship's GCRS positions, converted to km.
    expected = [result.ship[0].min() / 1e3, result.ship[0].max() / 1e3]
    np.testing.assert_allclose([xs.min(), xs.max()], expected, rtol=1e-12)
    np.testing.assert_allclose(zs.max(), result.ship[2].max() / 1e3, rtol=1e-12)
    assert "km" in ax.get_xlabel() and "GCRS" in ax.get_xlabel()
    labels = [t.get_text() for t in ax.figure.legends[0].get_texts()]
    assert any(label.startswith("burns") for label in labels) and "contact" in labels


def test_ground_track_has_coastlines_tracks_and_site(flight):
    result, tracks, _ = flight
    ax = plotting.ground_track_figure(result, tracks).axes[0]
    coast = [c for c in ax.collections if c.get_gid() == "coastlines"]
    assert len(coast) == 1 and isinstance(coast[0], LineCollection)
    assert len(coast[0].get_segments()) > 100  # Natural Earth 110m: 128 polylines
    lon, lat = _line_data(ax, "ship")
    ok = np.isfinite(lon)
    np.testing.assert_allclose(np.sort(lon[ok]), np.sort(tracks.ship_lon_deg))
    np.testing.assert_allclose(np.sort(lat[ok]), np.sort(tracks.ship_lat_deg))
    site_lon, site_lat = _line_data(ax, "launch site")
    assert (site_lon[0], site_lat[0]) == (result.site_lon_deg, result.site_lat_deg)
    assert ax.get_xlim() == (-180.0, 180.0) and ax.get_ylim() == (-90.0, 90.0)
    assert "deg" in ax.get_xlabel() and "deg" in ax.get_ylabel()


def test_coastlines_are_real_world_polylines():
    lines = plotting.coastlines()
    assert len(lines) > 100
    allpts = np.concatenate(lines, axis=1)
    assert allpts.shape[0] == 2
    assert np.all(np.abs(allpts[0]) <= 180.0) and np.all(np.abs(allpts[1]) <= 90.0)
    # Africa reaches 34.8 deg S near Cape Agulhas (Natural Earth 110m: about -34.82 at 20 deg E).
    africa = allpts[
        :, (allpts[0] > 15.0) & (allpts[0] < 25.0) & (allpts[1] < -30.0) & (allpts[1] > -40.0)
    ]
    assert africa[1].min() == pytest.approx(-34.8, abs=0.3)


def test_dateline_crossings_are_broken():
    lon = np.array([170.0, 178.0, -178.0, -170.0])
    lat = np.array([0.0, 1.0, 2.0, 3.0])
    x, y = plotting._wrap_lon(lon, lat)
    assert np.isnan(x[2]) and np.isnan(y[2]) and x.size == 5
    finite = np.isfinite(x)
    assert np.all(np.abs(np.diff(x)[np.isfinite(np.diff(x))]) < 180.0)
    assert finite.sum() == 4


def test_lvlh_figure_keepout_cone_port_and_axis_convention(flight):
    result = flight[0]
    fig = plotting.lvlh_figure(result)
    top, near, close = fig.axes
    for ax in (top, near, close):
        lo, hi = ax.get_ylim()
        assert lo > hi, "z toward Earth must be drawn downwards"
    keepout = [p for p in close.patches if p.get_gid() == "keepout"]
    assert len(keepout) == 1 and isinstance(keepout[0], Circle)
    assert keepout[0].get_radius() == result.keepout_radius_m
    cone = [p for p in close.patches if isinstance(p, Polygon)][0].get_xy()
    np.testing.assert_allclose(cone[0], result.port.position[[0, 2]])  # apex at the port
    half = np.degrees(np.arctan2(abs(cone[1, 0] - cone[2, 0]) / 2, cone[1, 1] - cone[0, 1]))
    assert half == pytest.approx(result.approach_cone_half_angle_deg)
    hold_x, hold_z = _line_data(close, "hold points")
    assert (hold_x[0], hold_z[0]) == (result.hold_points[0][0], result.hold_points[0][2])
    # The top panel draws insertion to contact in km.
    x, z = _line_data(top, "phasing")
    i_ins = int(np.argmin(np.abs(result.t - result.t_insertion)))
    assert x.min() == pytest.approx(result.relative[0, i_ins:].min() / 1e3)
    assert z.max() == pytest.approx(result.relative[2, i_ins:].max() / 1e3)
    texts = " ".join(t.get_text() for t in fig.texts)
    assert "V-bar" in texts and "R-bar" in texts and "toward Earth" in texts
    assert "(m)" in close.get_xlabel() and "(km)" in top.get_xlabel()


def test_range_figure_panels(flight):
    result, tracks, phase = flight
    fig = plotting.range_figure(result, tracks, phase)
    rng_ax, rate_ax, alt_ax, phase_ax = fig.axes
    assert rng_ax.get_yscale() == "log"
    _, rng = _line_data(rng_ax, "range")
    np.testing.assert_allclose(rng, np.linalg.norm(result.relative[:3], axis=0) / 1e3)
    _, alt = _line_data(alt_ax, "station")
    np.testing.assert_allclose(alt, tracks.station_height_m / 1e3)
    _, ph = _line_data(phase_ax, "phase angle")
    np.testing.assert_allclose(ph, phase)
    _, rate = _line_data(rate_ax, "closing rate")
    assert rate.shape == result.t.shape
    # One shaded span per phase in every panel, named in the legend.
    names = [t.get_text() for t in rng_ax.get_legend().get_texts()]
    assert names == [p.name for p in result.phases]
    assert "UTC" in phase_ax.get_xlabel()
    for ax in fig.axes:
        assert "(" in ax.get_ylabel()


def test_range_figure_without_phase_angle_says_so(flight):
    result, tracks, _ = flight
    fig = plotting.range_figure(dataclasses.replace(result, phase_angle_deg=None), tracks)
    assert any("not in the result" in t.get_text() for t in fig.axes[3].texts)


def test_timeline_has_real_and_simulated_events(flight):
    result = flight[0]
    fig = plotting.timeline_figure(result)
    texts = " ".join(t.get_text() for t in fig.axes[0].texts)
    assert "08:57:45  docking" in texts  # FACTS.md: real docking 08:57:45 UTC
    assert "05:47:15  liftoff" in texts
    for b in result.burns:
        assert b.label in texts
    assert "before the real docking" in texts or "after the real docking" in texts


def test_timeline_without_real_times(flight):
    result = dataclasses.replace(flight[0], real_docking=None)
    texts = " ".join(t.get_text() for t in plotting.timeline_figure(result).axes[0].texts)
    assert "docking" not in texts and "05:47:15  liftoff" in texts
    result = dataclasses.replace(result, real_launch=None)
    texts = " ".join(t.get_text() for t in plotting.timeline_figure(result).axes[0].texts)
    assert "no published times" in texts


def test_label_spreading_keeps_a_gap():
    spots = plotting._spread(np.array([0.0, 1.0, 1.5, 2.0, 100.0]), 5.0, -10.0, 12.0)
    assert np.all(np.diff(spots) >= 5.0 - 1e-9)
    assert spots[-1] <= 12.0 or spots[0] == -10.0


def test_tracks_of_the_wrong_length_are_refused(flight):
    result, tracks, _ = flight
    short = plotting.GroundTracks(*(np.asarray(a)[:-1] for a in vars(tracks).values()))
    with pytest.raises(ValueError, match="tracks"):
        plotting.ground_track_figure(result, short)


def test_tracks_from_result_fields(flight):
    result, tracks, _ = flight
    got = plotting.GroundTracks.from_result(result)
    for name, value in vars(tracks).items():
        np.testing.assert_array_equal(getattr(got, name), value, err_msg=name)


def test_tracks_from_frames_when_the_result_has_none(flight):
    result, tracks, _ = flight
    bare = dataclasses.replace(result, ship_geodetic=None, station_geodetic=None)
    got = plotting.GroundTracks.from_result(bare)
    # The synthetic tracks are spherical and rotate GCRS by GMST alone, so they differ from
    # WGS-84 geodetic ITRS values by up to 0.2 deg of latitude (geocentric vs geodetic), about
    # 0.35 deg of longitude (precession since J2000) and 21 km of height (sphere vs ellipsoid).
    np.testing.assert_allclose(got.station_lat_deg, tracks.station_lat_deg, atol=0.5)
    dlon = (got.station_lon_deg - tracks.station_lon_deg + 180.0) % 360.0 - 180.0
    assert np.abs(dlon).max() < 0.6
    np.testing.assert_allclose(got.station_height_m, tracks.station_height_m, atol=25e3)


def test_write_figures_writes_every_file(flight, tmp_path):
    result, tracks, phase = flight
    paths = plotting.write_figures(result, tmp_path / "out", n_frames=6)  # tracks from result
    names = [p.name for p in paths]
    assert names[: len(plotting.FIGURE_NAMES)] == list(plotting.FIGURE_NAMES)
    assert "approach.gif" in names
    for p in paths:
        assert p.stat().st_size > 1000, p
    with Image.open(tmp_path / "out" / "approach.gif") as gif:
        assert 2 <= gif.n_frames <= 6


def test_animation_refuses_too_few_frames(flight, tmp_path):
    with pytest.raises(ValueError, match="n_frames"):
        plotting.write_animation(flight[0], tmp_path / "a.gif", n_frames=1)


def test_only_plotting_imports_matplotlib():
    src = Path(plotting.__file__).parent
    pattern = re.compile(r"^\s*(import|from)\s+matplotlib", re.MULTILINE)
    importers = sorted(
        p.name for p in src.rglob("*.py") if pattern.search(p.read_text(encoding="utf-8"))
    )
    assert importers == ["plotting.py"]


def test_real_docking_fixture_is_the_published_time(flight):
    # Guard for the timeline test above: FACTS.md, Soyuz MS-27 docked 2025-04-08 08:57:45 UTC.
    assert flight[0].real_docking.tt == pytest.approx(parse_utc("2025-04-08T08:57:45Z").tt)


def test_many_small_burns_share_one_label(flight):
    result = flight[0]
    extra = tuple(
        Burn(t=10_600.0 + 20.0 * k, dv=np.zeros(3), dv_lvlh=np.array([0.0, 0.0, -0.02]),
             label=f"final {k + 1}", phase="final approach")
        for k in range(30)
    )  # fmt: skip
    busy = dataclasses.replace(result, burns=result.burns + extra)
    close = plotting.lvlh_figure(busy).axes[2]
    labels = [t.get_text() for t in close.texts]
    assert not any("final 7" in label for label in labels)
    assert any("final approach: " in label and "burns" in label for label in labels)
    assert len(labels) < 10


def test_show_hands_the_figures_to_pyplot(flight, monkeypatch):
    import matplotlib.pyplot as plt

    shown = []
    monkeypatch.setattr(plt, "show", lambda *a, **k: shown.append(plt.get_fignums()))
    try:
        plotting.show(flight[0])
        assert len(shown) == 1 and len(shown[0]) == len(plotting.FIGURE_NAMES)
    finally:
        plt.close("all")


def test_range_comparison_figure_draws_one_curve_per_flight(flight):
    result = flight[0]
    fig = plotting.range_comparison_figure({"a": result, "b": result})
    ax = fig.axes[0]
    lines = ax.get_lines()
    assert len(lines) == 2
    after = result.t >= result.t_insertion
    x, y = lines[0].get_data()
    assert np.allclose(x, result.t[after] / 3600.0)
    assert np.allclose(y, np.linalg.norm(result.relative[:3, after], axis=0) / 1e3)
    assert "(h)" in ax.get_xlabel() and "(km)" in ax.get_ylabel()
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    with pytest.raises(ValueError, match="results"):
        plotting.range_comparison_figure({})


def test_figures_of_the_simulated_ms27_match_its_data(ms27_result):
    """The figures drawn from the real simulation (not the synthetic flight) show its numbers."""
    r = ms27_result
    fig = plotting.range_figure(r)
    rng_ax, _, alt_ax, phase_ax = fig.axes
    _, rng = _line_data(rng_ax, "range")
    np.testing.assert_allclose(rng, np.linalg.norm(r.relative[:3], axis=0) / 1e3)
    _, ph = _line_data(phase_ax, "phase angle")
    np.testing.assert_allclose(ph, r.phase_angle_deg)
    _, alt = _line_data(alt_ax, "ship")
    np.testing.assert_allclose(alt, r.ship_geodetic[2] / 1e3)
    assert "Soyuz MS-27" in _titles(fig) and "2-orbit" in _titles(fig)
    lvlh = plotting.lvlh_figure(r)
    # every LVLH line lies within the simulated relative motion's extent (km or m panels)
    x_km = r.relative[0] / 1e3
    for ax in lvlh.axes:
        scale = 1.0 if "(km)" in ax.get_xlabel() else 1e3
        for line in ax.get_lines():
            x = np.asarray(line.get_xdata(), dtype=float)
            if x.size > 10:
                assert x.min() >= x_km.min() * scale - 1e-6
                assert x.max() <= x_km.max() * scale + 1e-6
    ground = plotting.ground_track_figure(r)
    assert "Soyuz MS-27" in _titles(ground)
