"""A CZML document of the flight that Cesium plays (``flight.czml``).

CZML is Cesium's JSON format: a list of packets, the first one the ``document`` packet with the
version and the clock (CZML guide, github.com/AnalyticalGraphicsInc/czml-writer/wiki/CZML-Guide).
This one holds:

- ``document``: version 1.0, the clock over liftoff to contact, played 60 times real time;
- ``station`` and ``ship``: sampled positions (``referenceFrame`` INERTIAL, which Cesium takes as
  the ICRF axes, the same as the GCRS's; metres to 1 mm; epoch at liftoff, offsets in seconds at
  full precision, the sample times of ``trajectory.npz``), Lagrange
  interpolation of degree 5, a point, a label and the path flown (the station's trailing one
  orbit, the ship's whole path). The ship's samples are thinned to at most 4,000 (every sample of
  the last 30 min before contact is kept); the station's to at most 2,000;
- one packet per burn time (``burn-1``, ...): the burn's label and Delta-v, placed at the ship's
  position, available from the burn for five minutes, so that Cesium shows it as an event;
- ``contact``: the simulated contact, available from contact to the end.

Times are ISO 8601 UTC. Nothing here computes physics: positions are the samples of the result.
"""

from __future__ import annotations

import numpy as np

from . import __version__
from .mission import MissionResult
from .times import at_seconds, iso_utc

__all__ = ["document", "thin_indices"]

BURN_SHOWN_S = 300.0


def thin_indices(t: np.ndarray, n_max: int, keep_after: float | None = None) -> np.ndarray:
    """Indices of at most about ``n_max`` samples of ``t`` (n,), evenly spaced in index, always
    with the first and the last, and every sample at or after ``keep_after``."""
    n = t.size
    idx = np.unique(np.linspace(0, n - 1, min(n, n_max)).round().astype(int))
    if keep_after is not None:
        idx = np.union1d(idx, np.flatnonzero(t >= keep_after))
    return idx


def _utc(result: MissionResult, t: float) -> str:
    return str(iso_utc(at_seconds(result.epoch, t), digits=3))


def _sampled(result: MissionResult, states: np.ndarray, idx: np.ndarray) -> dict:
    cart = np.column_stack([result.t[idx], np.round(states[:3, idx].T, 3)]).ravel()
    return {
        "epoch": _utc(result, 0.0),
        "referenceFrame": "INERTIAL",
        "interpolationAlgorithm": "LAGRANGE",
        "interpolationDegree": 5,
        "cartesian": [float(v) for v in cart],
    }


def _vehicle(result, ident, name, states, idx, color, trail_s):
    interval = f"{_utc(result, 0.0)}/{_utc(result, result.t_contact)}"
    return {
        "id": ident,
        "name": name,
        "availability": interval,
        "position": _sampled(result, states, idx),
        "point": {"pixelSize": 8, "color": {"rgba": color}},
        "label": {
            "text": name,
            "font": "12pt sans-serif",
            "pixelOffset": {"cartesian2": [10, -10]},
            "fillColor": {"rgba": color},
        },
        "path": {
            "show": True,
            "leadTime": 0,
            "trailTime": trail_s,
            "width": 2,
            "resolution": 60,
            "material": {"solidColor": {"color": {"rgba": color}}},
        },
    }


def _marker(result, ident, name, t0, t1, position, text, color):
    return {
        "id": ident,
        "name": name,
        "description": text,
        "availability": f"{_utc(result, t0)}/{_utc(result, t1)}",
        "position": {
            "referenceFrame": "INERTIAL",
            "cartesian": [round(float(v), 3) for v in position],
        },
        "point": {"pixelSize": 12, "color": {"rgba": color}},
        "label": {"text": name, "font": "11pt sans-serif", "fillColor": {"rgba": color}},
    }


def document(result: MissionResult) -> list[dict]:
    """The CZML packets (module docstring), document packet first."""
    t0, t1 = _utc(result, 0.0), _utc(result, result.t_contact)
    period = 5600.0  # about one ISS orbit, s: the station's trail length
    packets = [
        {
            "id": "document",
            "name": f"{result.flight} ({result.scheme}), simulated by rendezvous {__version__}",
            "version": "1.0",
            "clock": {
                "interval": f"{t0}/{t1}",
                "currentTime": t0,
                "multiplier": 60,
                "range": "LOOP_STOP",
                "step": "SYSTEM_CLOCK_MULTIPLIER",
            },
        },
        _vehicle(
            result,
            "station",
            "ISS",
            result.station,
            thin_indices(result.t, 2000),
            [255, 255, 255, 255],
            period,
        ),
        _vehicle(
            result,
            "ship",
            result.flight,
            result.ship,
            thin_indices(result.t, 4000, keep_after=result.t_contact - 1800.0),
            [255, 165, 0, 255],
            result.t_contact,
        ),
    ]
    times = sorted({b.t for b in result.burns})
    for k, tb in enumerate(times, start=1):
        here = [b for b in result.burns if b.t == tb]
        i = min(int(np.searchsorted(result.t, tb)), result.t.size - 1)
        text = "; ".join(f"{b.label}: {b.dv_m_s:.2f} m/s" for b in here)
        packets.append(
            _marker(
                result,
                f"burn-{k}",
                ", ".join(b.label for b in here),
                tb,
                min(tb + BURN_SHOWN_S, result.t_contact),
                result.ship[:3, i],
                text,
                [255, 60, 60, 255],
            )
        )
    packets.append(
        _marker(
            result,
            "contact",
            f"contact at {result.port.name}",
            result.t_contact,
            result.t_contact,
            result.ship[:3, -1],
            f"simulated contact, closing {result.contact_speed_m_s:.3f} m/s along the port axis",
            [80, 220, 80, 255],
        )
    )
    return packets
