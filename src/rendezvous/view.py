"""The interactive view: one self-contained HTML page of a flight (``view.html``).

Three linked panels and a time slider (plotly; its JavaScript is embedded in the page, so it opens
without a network):

- **3D**, GCRS axes in km: the Earth (a sphere of the WGS-84 equatorial radius with the coastlines
  as they were at liftoff; the Earth turns under the orbits during the flight), the station's and
  the ship's paths, the burns, liftoff, insertion and contact. Drag to rotate, scroll to zoom. On
  a flight over 12 h, as in the PNG figures, the station is drawn over its last revolution and
  the ship's middle revolutions thin and pale.
- **Approach in the station's frame**: the ship's position relative to the station after
  insertion, in curvilinear coordinates (along-track arc, altitude difference: see
  :func:`rendezvous.frames.curvilinear`), which equal the rectilinear LVLH coordinates near
  the station. Buttons zoom to the whole flight, the last 5 km and the last 300 m; the keep-out
  sphere and the docking port are marked.
- **Range against time** (log scale, UTC with dates), with the burns marked; its hover text gives
  the phase angle (continuous from its insertion value:
  :func:`rendezvous.samples.phase_angle_series`).

The subtitle gives the insertion phase angle and the closing speed along the port axis at contact,
the same numbers as ``timeline.txt`` and ``summary.json`` (conventions: :mod:`rendezvous.samples`).

The slider (and the play button) moves the ship and station markers in all three panels together.
Paths are thinned to at most about 3,000 samples each (all the final 30 minutes kept) to keep the
file near 5 MB, most of it the plotly library.

This module draws only: every number comes from the result or :mod:`rendezvous.samples`. plotly is
an optional dependency (``pip install "rendezvous[view]"``), imported when a page is made.
"""

from __future__ import annotations

from importlib import resources
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import numpy as np

from .constants import R_EARTH
from .czml import thin_indices
from .frames import curvilinear
from .mission import MissionResult
from .samples import (
    elapsed_text,
    phase_angle_at_insertion,
    phase_angle_series,
    range_m,
    solid_mask,
    station_mask,
    window_text,
)
from .times import at_seconds, iso_utc

__all__ = ["INSTALL_HINT", "available", "figure", "write_html"]

INSTALL_HINT = 'pip install "rendezvous[view]" (or pip install plotly)'
SHIP, STATION, BURN = "#ff8c00", "#4a4a4a", "#d62728"
N_PATH = 3000
ASPECT = 2.2  # width over height of the approach panel on a 1600 x 900 window
NEAR_S = 1800.0  # keep every sample of the last 30 min before contact
# As the PNG figures: on a long flight the ship's middle revolutions are thin and pale and the
# station is drawn over its last revolution (``samples.solid_mask``, ``samples.RECENT_S``).


def _only(xyz: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """``xyz`` (3, n) with the samples outside ``keep`` blank (NaN: plotly breaks the line)."""
    return np.where(keep, xyz, np.nan)


def available() -> bool:
    """True when plotly can be imported."""
    return find_spec("plotly") is not None


def _frame_times(result: MissionResult) -> np.ndarray:
    """Slider times: 80 over the whole flight and 60 over the proximity phases."""
    t_prox = next((p.t_start for p in result.phases if p.name == "approach"), result.t[0])
    whole = np.linspace(0.0, result.t_contact, 80)
    near = np.linspace(t_prox, result.t_contact, 60)
    return np.unique(np.concatenate([whole, near]))


def _indices(result: MissionResult, times: np.ndarray) -> np.ndarray:
    return np.clip(np.searchsorted(result.t, times), 0, result.t.size - 1)


def _coastlines_gcrs(result: MissionResult) -> np.ndarray:
    """(3, m) coastline points (km) on the sphere, rotated into GCRS at liftoff, NaN-separated."""
    from .frames import gcrs_to_itrs

    with resources.files("rendezvous").joinpath("data/coastlines_110m.npz").open("rb") as f:
        data = np.load(f)
        lonlat, starts = data["lonlat"], data["starts"]
    lon, lat = np.radians(lonlat)
    xyz = np.array([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)])
    xyz = np.asarray(gcrs_to_itrs(result.epoch)).T @ xyz * (R_EARTH / 1e3 * 1.002)
    pieces = np.split(xyz, starts[1:], axis=1) if starts.size else [xyz]
    nan = np.full((3, 1), np.nan)
    return np.hstack([np.hstack([p, nan]) for p in pieces])


def _earth() -> dict:
    u, v = np.meshgrid(np.linspace(0, 2 * np.pi, 48), np.linspace(-np.pi / 2, np.pi / 2, 24))
    r = R_EARTH / 1e3
    return _tr(
        "surface",
        x=r * np.cos(v) * np.cos(u),
        y=r * np.cos(v) * np.sin(u),
        z=r * np.sin(v),
        colorscale=[[0, "#cfe3f7"], [1, "#cfe3f7"]],
        showscale=False,
        hoverinfo="skip",
        opacity=1.0,
        lighting={"ambient": 0.95, "diffuse": 0.1, "specular": 0.0, "fresnel": 0.0},
        name="Earth",
    )


def _hover_times(result: MissionResult, t: np.ndarray) -> list[str]:
    utc = iso_utc(at_seconds(result.epoch, t), digits=0)
    return [f"{u[:10]} {u[11:19]} UTC" for u in utc]


def _scene_traces(result: MissionResult, idx: np.ndarray, idx_st: np.ndarray) -> list:
    ship, st = result.ship[:3] / 1e3, result.station[:3] / 1e3
    burns = np.array(
        [min(int(np.searchsorted(result.t, b.t)), result.t.size - 1) for b in result.burns[:4]],
        dtype=int,
    )
    coast = _coastlines_gcrs(result)
    events = [0, int(np.searchsorted(result.t, result.t_insertion)), result.t.size - 1]
    long = not solid_mask(result).all()
    return [
        _earth(),
        _tr(
            "scatter3d",
            x=coast[0],
            y=coast[1],
            z=coast[2],
            mode="lines",
            name="coastlines (liftoff)",
            line={"color": "#7a8a99", "width": 1},
            hoverinfo="skip",
        ),
        _tr(
            "scatter3d",
            x=st[0, idx_st],
            y=st[1, idx_st],
            z=st[2, idx_st],
            mode="lines",
            name="ISS path" + (" (last revolution)" if long else ""),
            line={"color": STATION, "width": 3},
            text=_hover_times(result, result.t[idx_st]),
            hoverinfo="text+name",
        ),
        *_ship_paths(result, ship, idx),
        _tr(
            "scatter3d",
            x=ship[0, burns],
            y=ship[1, burns],
            z=ship[2, burns],
            mode="markers",
            name="far-range burns",
            marker={"color": BURN, "size": 5, "symbol": "diamond"},
            text=[f"{b.label}: {b.dv_m_s:.2f} m/s" for b in result.burns[:4]],
            hoverinfo="text",
        ),
        _tr(
            "scatter3d",
            x=ship[0, events],
            y=ship[1, events],
            z=ship[2, events],
            mode="markers",
            name="liftoff, insertion, contact",
            marker={"color": "#2ca02c", "size": 4},
            hoverinfo="text",
            text=[
                "liftoff",
                f"orbit insertion: {_insertion_text(result)}",
                f"contact at {result.port.name}: {_contact_text(result)}",
            ],  # fmt: skip
        ),
    ]


def _ship_paths(result: MissionResult, ship: np.ndarray, idx: np.ndarray) -> list:
    """The ship's path in 3D (km): bright, and on a long flight its middle revolutions thin and
    pale (:func:`~rendezvous.samples.solid_mask`)."""
    solid = solid_mask(result)[idx]
    edge = ~solid | np.roll(~solid, 1) | np.roll(~solid, -1)  # the middle joins the solid ends
    path, middle = _only(ship[:, idx], solid), _only(ship[:, idx], edge)
    long = not solid.all()
    out = [
        _tr(
            "scatter3d",
            x=path[0],
            y=path[1],
            z=path[2],
            mode="lines",
            name=f"{result.flight} path" + (": first and last revolutions" if long else ""),
            line={"color": SHIP, "width": 4},
            text=_hover_times(result, result.t[idx]),
            hoverinfo="text+name",
        )
    ]
    if long:
        out.append(
            _tr(
                "scatter3d",
                x=middle[0],
                y=middle[1],
                z=middle[2],
                mode="lines",
                name=f"{result.flight} path: middle revolutions",
                line={"color": "#f3d3ad", "width": 1},
                hoverinfo="skip",
            )
        )
    return out


def _markers(result: MissionResult, i: int, curv: np.ndarray, rng_km: np.ndarray) -> list:
    """The four moving markers at sample ``i``: ship and station in 3D, ship in the approach
    panel, ship on the range curve."""
    s, st = result.ship[:3, i] / 1e3, result.station[:3, i] / 1e3
    when = _hover_times(result, result.t[i : i + 1])[0]
    return [
        _tr(
            "scatter3d",
            x=[s[0]],
            y=[s[1]],
            z=[s[2]],
            mode="markers",
            name="ship now",
            marker={"color": SHIP, "size": 7, "line": {"color": "black", "width": 1}},
            text=[when],
            hoverinfo="text+name",
            showlegend=False,
        ),
        _tr(
            "scatter3d",
            x=[st[0]],
            y=[st[1]],
            z=[st[2]],
            mode="markers",
            name="ISS now",
            marker={"color": STATION, "size": 7},
            text=[when],
            hoverinfo="text+name",
            showlegend=False,
        ),
        _tr(
            "scatter",
            x=[curv[0, i] / 1e3],
            y=[-curv[2, i] / 1e3],
            mode="markers",
            name="ship now",
            marker={"color": SHIP, "size": 11, "line": {"width": 1}},
            text=[when],
            hoverinfo="text",
            showlegend=False,
            xaxis="x",
            yaxis="y",
        ),
        _tr(
            "scatter",
            x=[_dates(result, result.t[i : i + 1])[0]],
            y=[max(rng_km[i], 1e-3)],
            mode="markers",
            name="ship now",
            showlegend=False,
            marker={"color": SHIP, "size": 11, "line": {"width": 1}},
            text=[when],
            hoverinfo="text",
            xaxis="x2",
            yaxis="y2",
        ),
    ]


def _dates(result: MissionResult, t: np.ndarray) -> list[str]:
    """Plotly date strings (UTC, ms)."""
    return [u[:-1].replace("T", " ") for u in iso_utc(at_seconds(result.epoch, t), digits=3)]


def _station_marks(result: MissionResult) -> list:
    """The keep-out sphere (its section in the orbit plane) and the docking port, in the approach
    panel, km (rectilinear LVLH: the same as curvilinear to well under a millimetre at 200 m)."""
    a = np.linspace(0.0, 2 * np.pi, 73)
    r_km = result.keepout_radius_m / 1e3
    port = result.port.position / 1e3
    return [
        _tr(
            "scatter",
            x=r_km * np.cos(a),
            y=r_km * np.sin(a),
            mode="lines",
            name=f"{result.keepout_radius_m:.0f} m keep-out sphere",
            line={"color": "#9467bd", "width": 1, "dash": "dot"},
            hoverinfo="name",
            showlegend=False,
            xaxis="x",
            yaxis="y",
        ),
        _tr(
            "scatter",
            x=[port[0]],
            y=[-port[2]],
            mode="markers",
            name=f"port: {result.port.name}",
            marker={"color": "#2ca02c", "size": 8, "symbol": "triangle-down"},
            hoverinfo="name",
            showlegend=False,
            xaxis="x",
            yaxis="y",
        ),
    ]


def _plane_traces(result: MissionResult, idx: np.ndarray, curv, rng_km) -> list:
    after = idx[result.t[idx] >= result.t_insertion]
    bi = [min(int(np.searchsorted(result.t, b.t)), result.t.size - 1) for b in result.burns]
    text = [f"{b.label}: {b.dv_m_s:.2f} m/s" for b in result.burns]
    when = _hover_times(result, result.t[after])
    return _station_marks(result) + [
        _tr(
            "scatter",
            x=curv[0, after] / 1e3,
            y=-curv[2, after] / 1e3,
            mode="lines",
            name="ship relative to the ISS",
            line={"color": SHIP, "width": 2},
            text=when,
            showlegend=False,
            hoverinfo="text+x+y",
            xaxis="x",
            yaxis="y",
        ),
        _tr(
            "scatter",
            x=curv[0, bi] / 1e3,
            y=-curv[2, bi] / 1e3,
            mode="markers",
            name="burns",
            marker={"color": BURN, "size": 6, "symbol": "diamond"},
            text=text,
            hoverinfo="text",
            xaxis="x",
            yaxis="y",
            showlegend=False,
        ),
        _tr(
            "scatter",
            x=[0.0],
            y=[0.0],
            mode="markers",
            name="ISS",
            xaxis="x",
            yaxis="y",
            marker={"color": STATION, "size": 10, "symbol": "square"},
            hoverinfo="name",
            showlegend=False,
        ),
        _tr(
            "scatter",
            x=_dates(result, result.t[idx]),
            y=np.maximum(rng_km[idx], 1e-3),
            mode="lines",
            name="range",
            line={"color": SHIP, "width": 2},
            xaxis="x2",
            yaxis="y2",
            showlegend=False,
            text=_phase_hover(result, idx),
            hoverinfo="x+y+text",
        ),
        _tr(
            "scatter",
            x=_dates(result, result.t[bi]),
            y=np.maximum(rng_km[bi], 1e-3),
            mode="markers",
            name="burns",
            xaxis="x2",
            yaxis="y2",
            text=text,
            hoverinfo="text+x",
            showlegend=False,
            marker={"color": BURN, "size": 6, "symbol": "diamond"},
        ),
    ]


def _zoom_buttons(result: MissionResult, curv: np.ndarray) -> list[dict]:
    """Buttons setting the approach panel's axes: whole flight, last 5 km, last 300 m."""
    after = result.t >= result.t_insertion
    out = [
        {
            "label": "whole flight",
            "method": "relayout",
            "args": [{"xaxis.autorange": True, "yaxis.autorange": True}],
        }
    ]
    for label, half in (("last 5 km", 5.0), ("last 300 m", 0.3)):
        near = after & (np.linalg.norm(result.relative[:3], axis=0) <= half * 1e3)
        x, y = curv[0, near] / 1e3, -curv[2, near] / 1e3
        if x.size == 0:
            continue
        # about equal scales: the panel is about 2.2 times wider than tall
        xc = 0.5 * (min(x.min(), 0.0) + max(x.max(), 0.0))
        yc = 0.5 * (min(y.min(), 0.0) + max(y.max(), 0.0))
        hy = 0.55 * max(np.ptp(np.append(y, 0.0)), np.ptp(np.append(x, 0.0)) / ASPECT)
        out.append(
            {
                "label": label,
                "method": "relayout",
                "args": [
                    {
                        "xaxis.range": [float(xc - ASPECT * hy), float(xc + ASPECT * hy)],
                        "yaxis.range": [float(yc - hy), float(yc + hy)],
                    }
                ],
            }
        )
    return out


def _slider(result: MissionResult, times: np.ndarray) -> dict:
    labels = []
    for u, t in zip(_hover_times(result, times), times, strict=True):
        labels.append(f"{u[:16]} (T+{elapsed_text(t)[:-3]})")
    steps = [
        {
            "method": "animate",
            "label": lab,
            "args": [
                [f"f{k}"],
                {
                    "mode": "immediate",
                    "frame": {"duration": 0, "redraw": True},
                    "transition": {"duration": 0},
                },
            ],
        }
        for k, lab in enumerate(labels)
    ]
    return {
        "active": len(steps) - 1,
        "steps": steps,
        "x": 0.08,
        "len": 0.9,
        "y": 0.0,
        "currentvalue": {"prefix": "time: "},
        "pad": {"t": 30},
    }


def _menus(result: MissionResult, curv: np.ndarray) -> list[dict]:
    """The play button (under the slider) and the approach panel's zoom buttons."""
    play = {
        "type": "buttons",
        "showactive": False,
        "x": 0.0,
        "y": 0.0,
        "xanchor": "left",
        "yanchor": "top",
        "pad": {"t": 30},
        "buttons": [
            {
                "label": "play",
                "method": "animate",
                "args": [
                    None,
                    {
                        "frame": {"duration": 80, "redraw": True},
                        "fromcurrent": True,
                        "transition": {"duration": 0},
                    },
                ],
            }
        ],
    }
    zoom = {
        "type": "buttons",
        "direction": "right",
        "x": 1.0,
        "y": 0.965,
        "xanchor": "right",
        "yanchor": "bottom",
        "pad": {"b": 2},
        "buttons": _zoom_buttons(result, curv),
    }
    return [play, zoom]


def _note(text: str, x: float, y: float) -> dict:
    return {"text": text, "x": x, "y": y, "xref": "paper", "yref": "paper", "showarrow": False,
            "xanchor": "left"}  # fmt: skip


def _layout(result: MissionResult, times: np.ndarray, curv: np.ndarray) -> dict:
    title = (
        f"{result.flight}: {result.scheme} rendezvous with the ISS, "
        f"{_hover_times(result, np.array([0.0]))[0]} to "
        f"{_hover_times(result, np.array([result.t_contact]))[0]} (simulated)"
        f"<br><sub>insertion: {_insertion_text(result)}; contact: {_contact_text(result)}</sub>"
    )
    return {
        "title": {"text": title, "x": 0.01},
        "height": 820,
        "margin": {"l": 10, "r": 20, "t": 70, "b": 110},
        "legend": {"x": 0.01, "y": 0.98, "bgcolor": "rgba(255,255,255,0.7)"},
        "scene": {
            "domain": {"x": [0.0, 0.5], "y": [0.08, 1.0]},
            "aspectmode": "data",
            "xaxis": {"title": {"text": "x (km)"}},
            "yaxis": {"title": {"text": "y (km)"}},
            "zaxis": {"title": {"text": "z (km)"}},
        },
        "xaxis": {
            "domain": [0.58, 1.0],
            "anchor": "y",
            "title": {"text": "along-track from the ISS, km (ahead +)"},
        },
        "yaxis": {
            "domain": [0.58, 0.96],
            "anchor": "x",
            "title": {"text": "altitude above the ISS (-z), km (axes not to scale)"},
        },
        "xaxis2": {"domain": [0.58, 1.0], "anchor": "y2", "type": "date", "title": {"text": "UTC"}},
        "yaxis2": {
            "domain": [0.1, 0.45],
            "anchor": "x2",
            "type": "log",
            "title": {"text": "range to the ISS, km"},
        },
        "annotations": [
            _note("3D, GCRS axes (drag to rotate, scroll to zoom)", 0.0, 1.0),
            _note("approach in the ISS frame (curvilinear LVLH)", 0.58, 0.985),
        ],
        "updatemenus": _menus(result, curv),
        "sliders": [_slider(result, times)],
    }


def _phase_hover(result: MissionResult, idx: np.ndarray) -> list[str]:
    """Hover text of the range curve: the phase angle (continuous from insertion), deg."""
    if result.phase_angle_deg is None:
        return [""] * len(idx)
    phase = phase_angle_series(result)[idx]
    return ["" if np.isnan(p) else f"phase angle {p:.1f} deg" for p in phase]


def _insertion_text(result: MissionResult) -> str:
    """Insertion phase angle and apsis heights, as the timeline prints them."""
    w = next((w for w in result.windows if w.scheme == result.scheme), None)
    win = f" ({result.scheme} window {window_text(w)})" if w else ""
    return (
        f"phase angle {phase_angle_at_insertion(result):.2f} deg{win}, apsis heights "
        f"{result.insertion_perigee_km:.0f} x {result.insertion_apogee_km:.0f} km"
    )


def _contact_text(result: MissionResult) -> str:
    """The contact speed as the timeline prints it."""
    return f"closing {result.contact_speed_m_s:.3f} m/s along the port axis"


def _tr(kind: str, **props: Any) -> dict:
    """A plotly trace as a plain dict (built without plotly's per-property validation, which
    took most of the time; plotly.js checks the figure when the page opens)."""
    return {"type": kind, **props}


def figure(result: MissionResult) -> dict:
    """The view (module docstring) as a plotly figure dict: ``data``, ``layout``, ``frames``.
    ``plotly.graph_objects.Figure(figure(result))`` makes it a Figure."""
    idx = thin_indices(result.t, N_PATH, keep_after=result.t_contact - NEAR_S)
    recent = np.flatnonzero(station_mask(result))
    idx_st = recent[thin_indices(result.t[recent], N_PATH)]
    curv = curvilinear(result.station, result.ship, continuous=True)
    rng_km = range_m(result) / 1e3
    times = _frame_times(result)
    frame_idx = _indices(result, times)
    static = _scene_traces(result, idx, idx_st) + _plane_traces(result, idx, curv, rng_km)
    moving = list(range(len(static), len(static) + 4))
    return {
        "data": static + _markers(result, result.t.size - 1, curv, rng_km),
        "layout": _layout(result, times, curv),
        "frames": [
            {"name": f"f{k}", "data": _markers(result, int(i), curv, rng_km), "traces": moving}
            for k, i in enumerate(frame_idx)
        ],
    }


def write_html(result: MissionResult, path: Path | str) -> Path:
    """Write the view to ``path`` as one self-contained HTML file (plotly's script embedded)."""
    import plotly.io as pio  # type: ignore[import-untyped]

    path = Path(path)
    html = pio.to_html(
        figure(result),
        include_plotlyjs=True,
        full_html=True,
        auto_play=False,
        validate=False,
        config={"displaylogo": False, "responsive": True},
    )
    path.write_text(html, encoding="utf-8")
    return path
