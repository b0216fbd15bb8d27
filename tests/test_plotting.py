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

from rendezvous import frames, plotting, samples, sun  # noqa: E402
from rendezvous.mission import Burn  # noqa: E402
from rendezvous.times import at_seconds, parse_utc  # noqa: E402


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
    ship = [ln for ln in ax.get_lines() if ln.get_label().startswith(("ship:", "_ship faded:"))]
    xs = np.concatenate([ln.get_data_3d()[0] for ln in ship])
    zs = np.concatenate([ln.get_data_3d()[2] for ln in ship])
    # The ship's lines together span the ship's GCRS positions, converted to km.
    expected = [result.ship[0].min() / 1e3, result.ship[0].max() / 1e3]
    np.testing.assert_allclose([np.nanmin(xs), np.nanmax(xs)], expected, rtol=1e-12)
    np.testing.assert_allclose(np.nanmax(zs), result.ship[2].max() / 1e3, rtol=1e-12)
    assert "km" in ax.get_xlabel() and "GCRS" in ax.get_xlabel()
    labels = [t.get_text() for t in ax.figure.legends[0].get_texts()]
    assert any(label.startswith("burns") for label in labels)
    # liftoff, insertion and contact: each its own marker and colour, with its time
    keys = {}
    for c in ax.collections:
        label = c.get_label()
        if label.split(" ")[0] in ("liftoff", "insertion", "contact"):
            keys[label.split(" ")[0]] = (
                tuple(c.get_facecolor()[0]),
                c.get_paths()[0].vertices.size,
            )
    assert len(keys) == 3 and len(set(keys.values())) == 3
    assert any(label.startswith("contact 08:5") for label in labels)


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
    top, cross, near, close = fig.axes
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
    # The top panel draws insertion to contact in curvilinear km, the cross panel its y.
    cv = frames.curvilinear(result.station, result.ship, continuous=True) / 1e3
    x, z = _line_data(top, "phasing")
    i_ins = int(np.argmin(np.abs(result.t - result.t_insertion)))
    assert x.min() == pytest.approx(cv[0, i_ins:].min())
    assert z.max() == pytest.approx(cv[2, i_ins:].max())
    _, y = _line_data(cross)
    assert y.min() == pytest.approx(cv[1, i_ins:].min()) and "(km)" in cross.get_ylabel()
    texts = " ".join(t.get_text() for t in fig.texts)
    assert "V-bar" in texts and "R-bar" in texts and "toward Earth" in texts
    assert "curvilinear" in texts
    assert "(m)" in close.get_xlabel() and "(km)" in top.get_xlabel()


def test_lvlh_figure_draws_the_safety_zones_and_the_station(flight):
    result = flight[0]
    near, close = plotting.lvlh_figure(result).axes[2:]
    ellipse = [p for p in near.patches if p.get_gid() == "approach_ellipsoid"]
    assert len(ellipse) == 1  # ISS approach ellipsoid: 4 km along V-bar, 2 km radial (Fehse)
    assert (ellipse[0].width, ellipse[0].height) == (4.0, 2.0)
    keepout = [p for p in near.patches if p.get_gid() == "keepout"]
    assert keepout[0].get_radius() == pytest.approx(result.keepout_radius_m / 1e3)
    outline = [p for p in close.patches if p.get_gid() == "station_outline"]
    assert outline, "a station outline near the port"
    # the outline reaches the port: the docking interface is on its edge
    port = result.port.position
    reach = [(p.get_x(), p.get_y(), p.get_x() + p.get_width(), p.get_y() + p.get_height())
             for p in outline]  # fmt: skip
    assert any(x0 <= port[0] <= x1 and min(y0, y1) <= port[2] <= max(y0, y1) + 1e-9
               for x0, y0, x1, y1 in reach)  # fmt: skip


def _overlaps(a, b) -> bool:
    return a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1


def test_burn_labels_do_not_overprint(flight):
    result = flight[0]
    fig = plotting.lvlh_figure(result)
    fig.canvas.draw()
    for ax in fig.axes:
        boxes = [t.get_window_extent() for t in ax.texts if t.get_text()]
        for k, a in enumerate(boxes):
            for b in boxes[k + 1 :]:
                assert not _overlaps(a, b), [t.get_text() for t in ax.texts]


def test_range_figure_panels(flight):
    result, tracks, phase = flight
    fig = plotting.range_figure(result, tracks, phase)
    sun_ax, rng_ax, rate_ax, alt_ax, phase_ax = fig.axes
    assert rng_ax.get_yscale() == "log"
    _, rng = _line_data(rng_ax, "range")
    np.testing.assert_allclose(rng, np.linalg.norm(result.relative[:3], axis=0) / 1e3)
    _, contact = _line_data(rng_ax, "simulated contact")
    assert contact[0] == pytest.approx(rng[-1])
    _, alt = _line_data(alt_ax, "station")
    np.testing.assert_allclose(alt, tracks.station_height_m / 1e3)
    assert "WGS-84" in alt_ax.get_ylabel()
    _, ph = _line_data(phase_ax, "phase angle")
    ok = np.isfinite(ph)
    np.testing.assert_allclose(ph[ok], samples.phase_angle_series(result, phase)[ok])
    _, rate = _line_data(rate_ax, "range rate")
    np.testing.assert_allclose(rate, frames.range_rate(result.relative))
    assert "range rate, centre to" in rate_ax.get_ylabel()
    # One shaded span per phase, named in the legend (then the contact marker).
    names = [t.get_text() for t in rng_ax.get_legend().get_texts()]
    assert names[: len(result.phases)] == [p.name for p in result.phases]
    assert "UTC" in phase_ax.get_xlabel()
    for ax in fig.axes[1:]:
        assert "(" in ax.get_ylabel()


def test_range_figure_shades_the_earth_shadow(flight):
    result, tracks, phase = flight
    sun_ax = plotting.range_figure(result, tracks, phase).axes[0]
    dark = sun.in_shadow(result.station[:3], at_seconds(result.epoch, result.t))
    assert dark.any() and (~dark).any()  # a 3 h flight sees both
    labels = [t.get_text() for t in sun_ax.get_legend().get_texts()]
    assert labels == ["sunlit", "Earth's shadow"]
    assert len(sun_ax.collections) == 4  # sunlit and shadow spans for station and ship


def test_phase_panel_is_continuous_from_its_insertion_value(flight):
    """A series given in (-180, 180] that wraps is drawn unwrapped, starting from the insertion
    value in [0, 360) that the timeline and summary print, and that value is written on it."""
    result, tracks, _ = flight
    wrapping = np.where(result.t < 3000, 170.0 + result.t / 100.0, 170.0 + 3000 / 100.0)
    wrapping = (wrapping + 180.0) % 360.0 - 180.0
    after = result.t >= result.t_insertion
    result = dataclasses.replace(result, phase_angle_insertion_deg=wrapping[np.argmax(after)])
    ax = plotting.range_figure(result, tracks, wrapping).axes[-1]
    _, ph = _line_data(ax, "phase angle")
    assert np.all(np.isfinite(ph[after])) and np.max(np.abs(np.diff(ph[after]))) < 1.0
    ins = samples.phase_angle_at_insertion(result)
    assert 0.0 <= ins < 360.0 and ph[np.argmax(after)] == pytest.approx(ins, abs=1e-9)
    assert f"at insertion {ins:.2f} deg" in [t.get_text() for t in ax.texts]


def test_legends_stay_off_the_data(flight):
    result, tracks, phase = flight
    for fig in (plotting.range_figure(result, tracks, phase),
                plotting.ground_track_figure(result, tracks)):  # fmt: skip
        fig.canvas.draw()
        legends = list(fig.legends) + [ax.get_legend() for ax in fig.axes if ax.get_legend()]
        for legend in legends:
            box = legend.get_window_extent()
            for ax in fig.axes:
                assert not _overlaps(box, ax.get_window_extent().shrunk(0.99, 0.99))


def test_timeline_has_real_and_simulated_events(flight):
    result = flight[0]
    fig = plotting.timeline_figure(result)
    texts = " ".join(t.get_text() for t in fig.axes[0].texts)
    assert (
        "08:57:45  docking" in texts
    )  # real docking 08:57:45 UTC (russianspaceweb.com; TASS 1940181)
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
        p for p in src.parent.rglob("*.py") if pattern.search(p.read_text(encoding="utf-8"))
    )
    assert importers and all(p.parent == src for p in importers), importers


def test_many_small_burns_share_one_label(flight):
    result = flight[0]
    extra = tuple(
        Burn(t=10_600.0 + 20.0 * k, dv=np.zeros(3), dv_lvlh=np.array([0.0, 0.0, -0.02]),
             label=f"final {k + 1}", phase="final approach")
        for k in range(30)
    )  # fmt: skip
    busy = dataclasses.replace(result, burns=result.burns + extra)
    close = plotting.lvlh_figure(busy).axes[3]
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
    _, rng_ax, _, alt_ax, phase_ax = fig.axes
    _, rng = _line_data(rng_ax, "range")
    np.testing.assert_allclose(rng, np.linalg.norm(r.relative[:3], axis=0) / 1e3)
    _, ph = _line_data(phase_ax, "phase angle")
    ok = np.isfinite(ph)
    np.testing.assert_allclose(ph[ok], samples.phase_angle_series(r)[ok])
    _, alt = _line_data(alt_ax, "ship")
    np.testing.assert_allclose(alt, r.ship_geodetic[2] / 1e3)
    assert "Soyuz MS-27" in _titles(fig) and "2-orbit" in _titles(fig)
    lvlh = plotting.lvlh_figure(r)
    # every line of the km panels lies within the curvilinear relative motion's extent
    cv = frames.curvilinear(r.station, r.ship, continuous=True) / 1e3
    for ax in (lvlh.axes[0], lvlh.axes[2]):
        for line in ax.get_lines():
            x = np.asarray(line.get_xdata(), dtype=float)
            if x.size > 10:
                assert x.min() >= cv[0].min() - 1e-6 and x.max() <= cv[0].max() + 1e-6
    # the animation's closing speed (along the port axis) at contact is the timeline's
    assert frames.closing_speed(r.relative[:, -1], r.port.axis) == pytest.approx(
        r.contact_speed_m_s, abs=1e-3
    )
    # MS-27's insertion is about 220 km below the station's orbit, not 450 km (issue 10)
    i_ins = int(np.argmin(np.abs(r.t - r.t_insertion)))
    assert 150.0 < cv[2, i_ins] < 300.0
    ground = plotting.ground_track_figure(r)
    assert "Soyuz MS-27" in _titles(ground)


def _shifted(result, hours: float):
    """The same flight launched ``hours`` later (so that it crosses UTC midnight)."""
    shift = hours * 3600.0
    return dataclasses.replace(
        result,
        epoch=at_seconds(result.epoch, shift),
        real_docking=at_seconds(result.real_docking, shift),
        real_launch=at_seconds(result.real_launch, shift),
        ship_geodetic=None,
        station_geodetic=None,
    )


def test_a_flight_across_midnight_keeps_its_dates(flight):
    result = _shifted(flight[0], 17.0)  # liftoff 22:47 UTC on 8 Apr, contact on 9 Apr
    day0 = at_seconds(result.epoch, 0.0).utc_datetime().date()
    day1 = at_seconds(result.epoch, float(result.t[-1])).utc_datetime().date()
    assert day1 != day0
    title = _titles(plotting.ground_track_figure(result))
    assert f"{day0:%Y-%m-%d}" in title and f"{day1:%Y-%m-%d}" in title
    timeline = plotting.timeline_figure(result)
    texts = " ".join(t.get_text() for t in timeline.axes[0].texts)
    assert f"{day1:%d %b}" in texts and f"{day0:%d %b}" in texts  # every event has its date
    fig = plotting.range_figure(result)
    assert f"{day0:%Y-%m-%d} to {day1:%Y-%m-%d}" in fig.axes[-1].get_xlabel()
    fig.canvas.draw()
    ticks = " ".join(t.get_text() for t in fig.axes[-1].get_xticklabels())
    assert f"{day1:%d %b}" in ticks  # the new day is named on the axis


def test_timeline_labels_planned_and_actual_dockings(flight):
    result = dataclasses.replace(
        flight[0], real_docking=None, planned_docking=parse_utc("2025-04-08T09:04:07Z")
    )
    texts = " ".join(t.get_text() for t in plotting.timeline_figure(result).axes[0].texts)
    assert "09:04:07  docking (planned)" in texts and "(actual)" not in texts
    assert "the planned docking" in texts
    texts = " ".join(t.get_text() for t in plotting.timeline_figure(flight[0]).axes[0].texts)
    assert "08:57:45  docking (actual)" in texts


def test_ground_track_draws_night_and_fades_long_flights(flight):
    result, tracks, _ = flight
    ax = plotting.ground_track_figure(result, tracks).axes[0]
    night = [c for c in ax.collections if c.get_gid() != "coastlines"]
    assert night, "the night side is shaded"
    labels = [t.get_text() for t in ax.figure.legends[0].get_texts()]
    assert any("terminator" in label for label in labels)


def test_animation_is_1280_by_720_and_marks_port_and_burns(flight, tmp_path):
    result = flight[0]
    path = plotting.write_animation(result, tmp_path / "a.gif", n_frames=8)
    with Image.open(path) as gif:
        assert gif.size == (1280, 720) and gif.n_frames == 8
        gif.seek(gif.n_frames - 1)
        last = np.asarray(gif.convert("RGB"))
    assert last.std() > 10.0  # not a blank frame
    from rendezvous.plotting.animation import _Scene, animation_frames

    scene = _Scene(result, animation_frames(result, 8))
    labels = [t.get_text() for t in scene.fig.legends[0].get_texts()]
    assert f"port: {result.port.name}" in labels and "burns" in labels


def test_docking_labels_come_from_the_result_only(flight):
    """real_docking is labelled actual and planned_docking planned, whatever the flight table
    says (the figures read no table: the caller builds the result honestly)."""
    result = dataclasses.replace(
        flight[0], flight="Progress MS-31", real_docking=None,
        planned_docking=parse_utc("2025-07-05T21:27:00Z"),
    )  # fmt: skip
    labels = [label for _, label in plotting.timeline.published_events(result)]
    assert "docking (planned)" in labels and "docking (actual)" not in labels
    real = dataclasses.replace(result, real_docking=result.planned_docking, planned_docking=None)
    labels = [label for _, label in plotting.timeline.published_events(real)]
    assert "docking (actual)" in labels and "docking (planned)" not in labels


def test_range_figure_names_actual_and_planned_docking_apart(flight):
    result, tracks, phase = flight
    result = dataclasses.replace(result, planned_docking=parse_utc("2025-04-08T09:04:07Z"))
    fig = plotting.range_figure(result, tracks, phase)
    fig.canvas.draw()
    notes = [t for t in fig.axes[1].texts if "docking" in t.get_text()]
    assert sorted(t.get_text() for t in notes) == [
        "planned docking 09:04:07",
        "real docking 08:57:45",
    ]
    assert not _overlaps(notes[0].get_window_extent(), notes[1].get_window_extent())


def test_dispersion_figures_put_the_approach_start_where_it_is_and_keep_far_limits_off_scale():
    """The approach start drawn at its LVLH x and z (1.5 km below the V-bar, not on it), and a
    limit far beyond the samples named in the legend instead of squeezing the histogram."""
    from types import SimpleNamespace

    from matplotlib.figure import Figure

    from rendezvous.plotting.dispersion import _limit_line, dispersion_lvlh_figure

    n, m = 3, 5
    traj = np.zeros((6, n, m))
    traj[0] = np.linspace(-50e3, 4e3, m)
    traj[2] = np.linspace(20e3, 1.5e3, m)
    res = SimpleNamespace(
        n=n,
        status=np.zeros(n, dtype=int),
        traj=traj,
        nominal_traj=traj[:, 0, :],
        nominal=SimpleNamespace(flight="test", as_rel=np.array([4e3, 0.0, 1.5e3, 0, 0, 0])),
    )
    fig = dispersion_lvlh_figure(res)
    for ax in fig.axes[:2]:
        (start,) = [ln for ln in ax.lines if ln.get_label() == "approach start"]
        assert (start.get_xdata()[0], start.get_ydata()[0]) == (4.0, 1.5)
    ax = Figure().subplots()
    x = np.array([0.10, 0.11, 0.12])
    ax.hist(x)
    _limit_line(ax, x, 0.35, "mechanism limit")
    assert ax.get_xlim()[1] < 0.2  # the histogram keeps its scale
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["mechanism limit 0.35 (off scale, right)"]


def test_figure_clock_rounds_to_the_second_as_the_summary_does(ms27_result):
    """21:45:39.538 is 21:45:40 on the figures, as in summary.json and view.html (strftime alone
    truncates)."""
    import datetime as dt

    from rendezvous.plotting import _style as S

    when = dt.datetime(2025, 4, 8, 9, 2, 56, 609000, tzinfo=dt.UTC)
    assert S.clock(ms27_result, when) == "09:02:57"
    assert S.clock(ms27_result, when.replace(microsecond=109000)) == "09:02:56"
