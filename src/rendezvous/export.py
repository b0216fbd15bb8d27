"""Files and text a simulation writes, and what each file holds.

Every default run writes these files into its output folder (all or nothing; see
:func:`write_folder_atomic`):

``timeline.txt``
    Plain text (UTF-8): what happened when. Times are UTC with the date printed whenever it
    changes; T+ is the time since liftoff as h:mm:ss, or d/hh:mm:ss past 24 h. The published
    docking time of the real flight is shown as "actual" or "planned" as published.
``summary.json``
    JSON (UTF-8), validated by the JSON Schema shipped as ``rendezvous/data/summary.schema.json``
    (draft 2020-12; :func:`summary_schema`). It holds the package version, the inputs of the run,
    the conventions below, the launch, insertion and docking times, the burns with their Delta-v in
    three named frames, totals, contact conditions and the real flight's published times.
``trajectory.csv``
    CSV, one row per sample time: ``t_s`` (s since liftoff), ``utc``, the ship's and the station's
    GCRS states ``ship_x_m .. ship_vz_m_s``, ``station_x_m .. station_vz_m_s``, and the ship
    relative to the station in the station's LVLH frame ``rel_x_m .. rel_vz_m_s``. Positions to
    1 micrometre, velocities to 1 micrometre/s (6 decimals).
``trajectory.npz``
    numpy archive (no pickles) with the same samples at full precision: ``t`` (n,), ``ship``,
    ``station``, ``relative`` (6, n), plus ``epoch_utc`` (the liftoff, ISO 8601 UTC), ``t_unit``,
    ``frame_ship``, ``frame_station``, ``frame_relative``, ``state_components`` and
    ``state_units``: strings saying what the arrays are.
``ship.oem``, ``station.oem``
    CCSDS Orbit Ephemeris Messages, version 2.0, KVN (CCSDS 502.0-B-2), TIME_SYSTEM UTC,
    REF_FRAME GCRF, CENTER_NAME EARTH; the ship's ephemeris in segments split at the insertion and
    at every burn (:mod:`rendezvous.ccsds`).
``burns.csv``
    CSV, one row per impulsive burn: time, label, phase, magnitude and the Delta-v in GCRS, in the
    station's LVLH frame and (far-range burns) in the ship's RTN frame (:mod:`rendezvous.ccsds`).
``flight.czml``
    CZML (JSON) that Cesium plays: both vehicles with their paths, the burns as timed events
    (:mod:`rendezvous.czml`).
``view.html``
    One self-contained HTML page (plotly, its script embedded: no network needed) with a 3D view of
    the Earth, both orbits and the burns, the LVLH approach and the range against time, linked to a
    time slider (:mod:`rendezvous.view`). Needs the optional ``plotly`` dependency
    (``pip install "rendezvous[view]"``); without it the run skips this file and says so once.

Conventions shared by all files: stated once, in :mod:`rendezvous.samples`
(:data:`rendezvous.samples.CONVENTIONS`); ``summary.json`` carries them word for word under
``conventions`` and ``timeline.txt`` prints them in its header.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from . import __version__
from .mission import MissionResult
from .outdir import check_output_folder, write_file_atomic, write_folder_atomic
from .samples import CONVENTIONS, phase_angle_at_insertion, window_ends, window_text
from .samples import elapsed_text as _hms
from .times import at_seconds, iso_utc, seconds_between

__all__ = [
    "CONVENTIONS",
    "ViewSkippedWarning",
    "check_output_folder",
    "summary",
    "summary_schema",
    "timeline_text",
    "write_outputs",
    "write_file_atomic",
    "write_folder_atomic",
    "write_trajectory_csv",
    "write_trajectory_npz",
]


class ViewSkippedWarning(UserWarning):
    """view.html was not written because the optional plotting library is missing."""


def _utc(result: MissionResult, t: float, digits: int = 3) -> str:
    return str(iso_utc(at_seconds(result.epoch, t), digits=digits))


def _published(result: MissionResult) -> list[tuple[str, Any, float]]:
    """[(kind, Time, s since liftoff)] of the published docking times: "actual", "planned"."""
    out = []
    if result.real_docking is not None:
        out.append(
            ("actual", result.real_docking, seconds_between(result.epoch, result.real_docking))
        )
    if result.planned_docking is not None:
        t = result.planned_docking
        out.append(("planned", t, seconds_between(result.epoch, t)))
    return out


def _burn_dict(result: MissionResult, b) -> dict:
    return {
        "utc": _utc(result, b.t),
        "t_s": round(float(b.t), 3),
        "label": b.label,
        "phase": b.phase,
        "dv_m_s": round(b.dv_m_s, 4),
        "dv_gcrs_m_s": [round(float(c), 4) for c in b.dv],
        "dv_lvlh_m_s": [round(float(c), 4) for c in b.dv_lvlh],
        "dv_rtn_m_s": None if b.dv_rtn is None else [round(float(c), 4) for c in b.dv_rtn],
    }


def summary(result: MissionResult, inputs: dict | None = None) -> dict:
    """The ``summary.json`` content as a dict (module docstring; schema: :func:`summary_schema`).

    inputs: what the caller was given (e.g. the command line's values by parameter name), JSON
    values; the inputs the result itself records (flight, launch_utc, site, port) are added and
    win over keys of the same name.
    """
    run_inputs: dict[str, Any] = dict(inputs or {})
    run_inputs.update(
        flight=result.flight,
        launch_utc=_utc(result, 0.0),
        site=result.site_name,
        port=result.port.name,
    )
    out: dict[str, Any] = {
        "rendezvous_version": __version__,
        "inputs": run_inputs,
        "conventions": CONVENTIONS,
        "flight": result.flight,
        "launch_utc": _utc(result, 0.0),
        "site": result.site_name,
        "insertion_utc": _utc(result, result.t_insertion),
        "insertion_orbit_km": [
            round(result.insertion_perigee_km, 1),
            round(result.insertion_apogee_km, 1),
        ],
        "tle_epoch_utc": str(iso_utc(result.tle_epoch, digits=3)),
        "scheme": result.scheme,
        "phase_angle_deg": round(phase_angle_at_insertion(result), 4),
        "site_out_of_plane_deg": round(result.out_of_plane_deg, 4),
        "windows_deg": {w.scheme: [round(e, 2) for e in window_ends(w)] for w in result.windows},
        "burns": [_burn_dict(result, b) for b in result.burns],
        "total_dv_m_s": round(result.total_dv_m_s, 3),
        "port": result.port.name,
        "vehicle": result.vehicle_name,
        "ship_cd_a_over_m_m2_kg": round(result.ship_inv_ballistic, 7),
        "station_cd_a_over_m_m2_kg": round(result.station_inv_ballistic, 7),
        "docking_utc": _utc(result, result.t_contact),
        "launch_to_docking_s": round(result.t_contact, 3),
        "contact_speed_m_s": round(result.contact_speed_m_s, 4),
        "contact_miss_m": round(result.contact_miss_m, 4),
        "min_range_before_final_approach_m": round(result.min_range_before_final_m, 1),
        "min_range_far_range_m": round(result.min_range_far_m, 1),
    }
    for kind, t, s in _published(result):
        key = "real" if kind == "actual" else "planned"
        out[f"{key}_docking_utc"] = str(iso_utc(t, digits=0))
        out[f"docking_minus_{key}_s"] = round(result.t_contact - s, 1)
    return out


@lru_cache(maxsize=1)
def summary_schema() -> dict:
    """The JSON Schema (draft 2020-12) that ``summary.json`` follows, shipped as package data."""
    text = resources.files("rendezvous").joinpath("data/summary.schema.json").read_text("utf-8")
    return json.loads(text)


def _burn_text(b) -> str:
    if b.dv_rtn is not None:
        d = b.dv_rtn
        parts = f"RTN: along-track {d[1]:+.2f}, radial {d[0]:+.2f}, normal {d[2]:+.2f}"
    else:
        d = b.dv_lvlh
        parts = f"LVLH x {d[0]:+.2f}, y {d[1]:+.2f}, z {d[2]:+.2f}"
    return f"burn {b.label:<20} {b.dv_m_s:7.2f} m/s  ({parts})"


def _timeline_rows(result: MissionResult) -> list[tuple[float, str]]:
    """(t, text) of every line of the event table, in time order."""
    rows = [
        (
            0.0,
            f"liftoff from {result.site_name} ({result.site_lat_deg:.3f} N, "
            f"{result.site_lon_deg:.3f} E); pad {result.out_of_plane_deg:+.2f} deg out of the "
            "station's plane",
        )
    ]
    w = next((w for w in result.windows if w.scheme == result.scheme), None)
    wtxt = f" ({result.scheme} window {window_text(w)})" if w else ""
    rows.append(
        (
            result.t_insertion,
            f"orbit insertion: apsis heights {result.insertion_perigee_km:.0f} x "
            f"{result.insertion_apogee_km:.0f} km; phase angle "
            f"{phase_angle_at_insertion(result):.2f} deg{wtxt}",
        )
    )
    grouped = {"hold", "final approach"}
    for p in result.phases:
        if p.name not in ("approach", "flyaround", *grouped):
            continue
        pulses = [x for x in result.burns if x.phase == p.name]
        if p.name in grouped:
            total = sum(x.dv_m_s for x in pulses)
            text = (
                f"{p.name} starts: {len(pulses)} pulses, {total:.2f} m/s in all, "
                f"{_hms(p.t_end - p.t_start)} long"
            )
        else:
            text = f"{p.name} starts"
        rows.append((p.t_start, text))
    rows += [(b.t, _burn_text(b)) for b in result.burns if b.phase not in grouped]
    rows.append(
        (
            result.t_contact,
            f"CONTACT at {result.port.name} (simulated): closing {result.contact_speed_m_s:.3f} "
            f"m/s along the port axis, {100 * result.contact_miss_m:.1f} cm off it",
        )
    )
    for kind, _, s in _published(result):
        rows.append((s, f"docking, {'actual' if kind == 'actual' else 'planned'} (published)"))
    return sorted(rows, key=lambda r: r[0])  # stable: ties keep the order above


def timeline_text(result: MissionResult) -> str:
    """A readable timeline: what happened when, burns, totals, and the real flight beside ours."""
    lines = [
        f"{result.flight}: {result.scheme} rendezvous from {result.site_name} to "
        f"{result.port.name}",
        f"ISS element set epoch {iso_utc(result.tle_epoch, digits=0)} "
        f"({seconds_between(result.tle_epoch, result.epoch) / 3600:.1f} h before liftoff)",
        "Times UTC, the date shown when it changes; T+ since liftoff, d/hh:mm:ss past 24 h.",
        f"Apsis heights: {CONVENTIONS['apsis_heights']}.",
        f"Phase angle: {CONVENTIONS['phase_angle']}.",
        f"Phase windows: {CONVENTIONS['phase_windows']}.",
        f"Contact speed: {CONVENTIONS['contact_speed']}.",
        f"Burn Delta-v in m/s, far-range burns in {CONVENTIONS['frame_dv_rtn_m_s']};",
        f"  proximity burns in {CONVENTIONS['frame_dv_lvlh_m_s']}.",
        "",
        f"  {'UTC':<12}  {'T+':>10}  event",
    ]
    day = ""
    for t, text in _timeline_rows(result):
        utc = _utc(result, t)
        if utc[:10] != day:
            day = utc[:10]
            lines.append(f"  {day}")
        lines.append(f"  {utc[11:23]:<12}  {_hms(t):>10}  {text}")
    lines.append("")
    lines.append(
        f"total Delta-v {result.total_dv_m_s:.1f} m/s in {len(result.burns)} burns; "
        f"launch to docking {_hms(result.t_contact)}"
    )
    lit = result.contact_after_sunset_s
    if np.isfinite(lit):
        when = f"{abs(lit) / 60:.1f} min {'after' if lit >= 0 else 'before'}"
        lines.append(
            f"contact timed by the station's lighting: {when} an orbital sunset (the hold "
            f"{_hms(result.hold_s)}; a calibrated rule, rendezvous.lighting)"
        )
    for kind, t, s in _published(result):
        diff = result.t_contact - s
        when = f"{abs(diff) / 60:.1f} min {'later' if diff > 0 else 'earlier'}"
        what = "actual docking" if kind == "actual" else "planned docking (published before launch)"
        lines.append(
            f"{what}: {iso_utc(t, digits=0)} (T+{_hms(s)}); simulated "
            f"{_utc(result, result.t_contact, 0)}: {when}"
        )
    return "\n".join(lines)


_STATE = ["x_m", "y_m", "z_m", "vx_m_s", "vy_m_s", "vz_m_s"]


def write_trajectory_csv(result: MissionResult, path: Path) -> None:
    """Write ``trajectory.csv`` (module docstring)."""
    utc = iso_utc(at_seconds(result.epoch, result.t))
    header = ["t_s", "utc"] + [f"{p}_{c}" for p in ("ship", "station", "rel") for c in _STATE]
    data = np.vstack([result.ship, result.station, result.relative]).T
    with open(path, "w", encoding="utf-8") as f:
        f.write(",".join(header) + "\n")
        for ti, u, row in zip(result.t, utc, data, strict=True):
            f.write(f"{ti:.3f},{u}," + ",".join(f"{v:.6f}" for v in row) + "\n")


def write_trajectory_npz(result: MissionResult, path: Path) -> None:
    """Write ``trajectory.npz`` (module docstring): the samples and what they are."""
    np.savez_compressed(
        path,
        t=result.t,
        ship=result.ship,
        station=result.station,
        relative=result.relative,
        epoch_utc=np.array(_utc(result, 0.0, 6)),
        t_unit=np.array("s since epoch_utc (SI seconds; leap seconds counted)"),
        frame_ship=np.array("GCRS"),
        frame_station=np.array("GCRS"),
        frame_relative=np.array(CONVENTIONS["frame_dv_lvlh_m_s"]),
        state_components=np.array(["x", "y", "z", "vx", "vy", "vz"]),
        state_units=np.array(["m", "m", "m", "m/s", "m/s", "m/s"]),
    )


def _write_view(result: MissionResult, path: Path, notice: Callable[[str], object] | None) -> None:
    from . import view

    if not view.available():
        msg = f"{path.name} not written: plotly is missing; {view.INSTALL_HINT}"
        if notice is None:
            warnings.warn(msg, ViewSkippedWarning, stacklevel=3)
        else:
            notice(msg)
        return
    view.write_html(result, path)


def write_outputs(
    result: MissionResult,
    out_dir,
    *,
    overwrite: bool = False,
    extra: Callable[[Path], object] | None = None,
    inputs: dict | None = None,
    html: bool = True,
    notice: Callable[[str], object] | None = None,
) -> list[Path]:
    """Write every file of the module docstring (and whatever ``extra(tmp_dir)`` writes, e.g.
    figures) into ``out_dir``, all or nothing. Returns the final paths.

    inputs: the run's inputs to record in ``summary.json`` (see :func:`summary`). html: write
    ``view.html`` (skipped, with one line to ``notice`` or a :class:`ViewSkippedWarning`, when
    plotly is not installed).

    Raises FileExistsError (one line, naming the folder and the fix) if ``out_dir`` exists and is
    not empty and ``overwrite`` is False.
    """
    from . import ccsds, czml

    def write(tmp: Path):
        (tmp / "summary.json").write_text(json.dumps(summary(result, inputs), indent=2) + "\n")
        (tmp / "timeline.txt").write_text(timeline_text(result) + "\n")
        write_trajectory_csv(result, tmp / "trajectory.csv")
        write_trajectory_npz(result, tmp / "trajectory.npz")
        (tmp / "ship.oem").write_text(ccsds.ship_oem(result))
        (tmp / "station.oem").write_text(ccsds.station_oem(result))
        (tmp / "burns.csv").write_text(ccsds.burns_csv(result))
        (tmp / "flight.czml").write_text(json.dumps(czml.document(result), indent=1) + "\n")
        if html:
            _write_view(result, tmp / "view.html", notice)
        if extra is not None:
            extra(tmp)

    return write_folder_atomic(out_dir, write, overwrite=overwrite)
