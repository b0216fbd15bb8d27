"""Files and text a simulation writes: the timeline, ``summary.json`` and the trajectory files.

Formats
-------
``summary.json``: launch_utc, insertion_utc, tle_epoch_utc, scheme, phase_angle_deg (at insertion),
burns (list of {utc, dv_m_s, label, phase, dv_lvlh_m_s}), total_dv_m_s, port, docking_utc, plus the
flight, site, windows, insertion orbit, contact speed and miss, and the real flight's times where
known. Times are ISO 8601 UTC strings ending in ``Z``.

``trajectory.csv``: one row per sample time, columns ``t_s`` (s since liftoff), ``utc``, the ship's
and the station's GCRS states ``ship_x_m .. ship_vz_m_s``, ``station_x_m .. station_vz_m_s``, and
the
ship relative to the station in the station's LVLH frame ``rel_x_m .. rel_vz_m_s`` (x along-track,
y = -orbit normal, z towards Earth). ``trajectory.npz`` holds the same arrays (``t``, ``ship``
(6, n),
``station`` (6, n), ``relative`` (6, n)) for numpy users.

Writing is all-or-nothing: files go to a temporary folder beside the target that is renamed into
place at the end, so a failed run leaves no partial output; an existing folder is replaced only when
the caller says so.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np

from .mission import MissionResult
from .outdir import check_output_folder, write_file_atomic, write_folder_atomic
from .times import at_seconds, iso_utc, seconds_between

__all__ = [
    "check_output_folder",
    "summary",
    "timeline_text",
    "write_outputs",
    "write_file_atomic",
    "write_folder_atomic",
    "write_trajectory_csv",
]


def _utc(result: MissionResult, t: float, digits: int = 3) -> str:
    return iso_utc(at_seconds(result.epoch, t), digits=digits)


def _hms(seconds: float) -> str:
    s = int(round(abs(seconds)))
    sign = "-" if seconds < 0 else ""
    return f"{sign}{s // 3600:d}:{s // 60 % 60:02d}:{s % 60:02d}"


def summary(result: MissionResult) -> dict:
    """The ``summary.json`` content as a dict (module docstring)."""
    out = {
        "flight": result.flight,
        "launch_utc": _utc(result, 0.0),
        "site": result.site_name,
        "insertion_utc": _utc(result, result.t_insertion),
        "insertion_orbit_km": [
            round(result.insertion_perigee_km, 1),
            round(result.insertion_apogee_km, 1),
        ],
        "tle_epoch_utc": iso_utc(result.tle_epoch, digits=3),
        "scheme": result.scheme,
        "phase_angle_deg": round(result.phase_angle_insertion_deg, 4),
        "site_out_of_plane_deg": round(result.out_of_plane_deg, 4),
        "windows_deg": {w.scheme: [round(w.lo_deg, 2), round(w.hi_deg, 2)] for w in result.windows},
        "burns": [
            {
                "utc": _utc(result, b.t),
                "dv_m_s": round(b.dv_m_s, 4),
                "label": b.label,
                "phase": b.phase,
                "dv_lvlh_m_s": [round(float(c), 4) for c in b.dv_lvlh],
            }
            for b in result.burns
        ],
        "total_dv_m_s": round(result.total_dv_m_s, 3),
        "port": result.port.name,
        "docking_utc": _utc(result, result.t_contact),
        "launch_to_docking_s": round(result.t_contact, 1),
        "contact_speed_m_s": round(result.contact_speed_m_s, 4),
        "contact_miss_m": round(result.contact_miss_m, 4),
        "min_range_before_final_approach_m": round(result.min_range_before_final_m, 1),
        "min_range_far_range_m": round(result.min_range_far_m, 1),
    }
    if result.real_docking is not None:
        out["real_docking_utc"] = iso_utc(result.real_docking, digits=0)
        out["docking_minus_real_s"] = round(
            result.t_contact - seconds_between(result.epoch, result.real_docking), 1
        )
    if result.planned_docking is not None:
        out["planned_docking_utc"] = iso_utc(result.planned_docking, digits=0)
    return out


def timeline_text(result: MissionResult) -> str:
    """A readable timeline: what happened when, burns, totals, and the real flight beside ours."""
    lines = [
        f"{result.flight}: {result.scheme} rendezvous from {result.site_name} to "
        f"{result.port.name}",
        f"ISS element set epoch {iso_utc(result.tle_epoch, digits=0)} "
        f"({seconds_between(result.tle_epoch, result.epoch) / 3600:.1f} h before liftoff)",
        "",
        f"  {'UTC':<12} {'T+':>8}  event",
    ]
    win = {w.scheme: w for w in result.windows}

    def row(t, text):
        lines.append(f"  {_utc(result, t)[11:23]:<12} {_hms(t):>8}  {text}")

    row(
        0.0,
        f"liftoff from {result.site_name} ({result.site_lat_deg:.3f} N, "
        f"{result.site_lon_deg:.3f} E); pad {result.out_of_plane_deg:+.2f} deg out of the "
        "station's plane",
    )
    w = win.get(result.scheme)
    wtxt = f" ({result.scheme} window {w.lo_deg:.1f}..{w.hi_deg:.1f} deg)" if w else ""
    row(
        result.t_insertion,
        f"orbit insertion: {result.insertion_perigee_km:.0f} x "
        f"{result.insertion_apogee_km:.0f} km; phase angle "
        f"{result.phase_angle_insertion_deg:.2f} deg{wtxt}",
    )
    phase_starts = {p.name: p for p in result.phases}
    shown = set()
    grouped = {"hold", "final approach"}
    for b in result.burns:
        if b.phase in ("approach", "flyaround", "hold", "final approach") and b.phase not in shown:
            p = phase_starts[b.phase]
            shown.add(b.phase)
            if b.phase in grouped:
                pulses = [x for x in result.burns if x.phase == b.phase]
                total = sum(x.dv_m_s for x in pulses)
                row(
                    p.t_start,
                    f"{b.phase} starts: {len(pulses)} pulses, {total:.2f} m/s in all, "
                    f"{_hms(p.t_end - p.t_start)} long",
                )
            else:
                row(p.t_start, f"{b.phase} starts")
        if b.phase in grouped:
            continue
        if b.dv_rtn is not None:
            d = b.dv_rtn
            row(
                b.t,
                f"burn {b.label:<20} {b.dv_m_s:7.2f} m/s  (prograde {d[1]:+.2f}, "
                f"radial {d[0]:+.2f}, normal {d[2]:+.2f})",
            )
        else:
            d = b.dv_lvlh
            row(
                b.t,
                f"burn {b.label:<20} {b.dv_m_s:7.2f} m/s  (LVLH x {d[0]:+.2f}, "
                f"y {d[1]:+.2f}, z {d[2]:+.2f})",
            )
    row(
        result.t_contact,
        f"CONTACT at {result.port.name}: closing {result.contact_speed_m_s:.3f} "
        f"m/s, {100 * result.contact_miss_m:.1f} cm off the port axis",
    )
    lines.append("")
    lines.append(
        f"total Delta-v {result.total_dv_m_s:.1f} m/s in {len(result.burns)} burns; "
        f"launch to docking {_hms(result.t_contact)}"
    )

    def versus(t_other):
        diff = result.t_contact - t_other
        return f"{abs(diff) / 60:.1f} min {'later' if diff > 0 else 'earlier'}"

    if result.real_docking is not None:
        real = seconds_between(result.epoch, result.real_docking)
        lines.append(
            f"real flight: docking {iso_utc(result.real_docking, digits=0)} "
            f"(T+{_hms(real)}); simulated {_utc(result, result.t_contact, 0)}: {versus(real)}"
        )
    if result.planned_docking is not None:
        plan = seconds_between(result.epoch, result.planned_docking)
        lines.append(
            f"published plan before launch: docking {iso_utc(result.planned_docking, digits=0)}; "
            f"simulated {versus(plan)}"
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


def write_outputs(
    result: MissionResult,
    out_dir,
    *,
    overwrite: bool = False,
    extra: Callable[[Path], list] | None = None,
) -> list[Path]:
    """Write summary.json, timeline.txt, trajectory.csv/.npz (and whatever ``extra(tmp_dir)``
    writes, e.g. figures) into ``out_dir``, all or nothing. Returns the final paths.

    Raises FileExistsError (one line, naming the folder and the fix) if ``out_dir`` exists and is
    not empty and ``overwrite`` is False.
    """

    def write(tmp: Path):
        (tmp / "summary.json").write_text(json.dumps(summary(result), indent=2) + "\n")
        (tmp / "timeline.txt").write_text(timeline_text(result) + "\n")
        write_trajectory_csv(result, tmp / "trajectory.csv")
        np.savez_compressed(
            tmp / "trajectory.npz",
            t=result.t,
            ship=result.ship,
            station=result.station,
            relative=result.relative,
        )
        if extra is not None:
            extra(tmp)

    return write_folder_atomic(out_dir, write, overwrite=overwrite)
