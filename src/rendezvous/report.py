"""Presentation at the edge: text tables and JSON-ready records of the core's results (the launch
windows and the dispersions). The core computes; this module only formats.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from .dispersions import DispersionResult
    from .window import WindowSearch

__all__ = ["dispersion_record", "dispersion_report", "window_records", "window_table"]


# ------------------------------------------------------------------------------------------------
# Launch windows


def window_records(search: WindowSearch) -> list[dict[str, Any]]:
    """The opportunities as plain dicts (JSON-ready; angles in deg, Delta-v in m/s)."""
    keys = [
        "scheme",
        "date",
        "open_utc",
        "nominal_utc",
        "close_utc",
        "docking_utc",
        "phase_deg",
        "out_of_plane_deg",
        "open_limit",
        "close_limit",
        "window_lo_deg",
        "window_hi_deg",
        "dv_m_s",
        "dv_far_m_s",
        "dv_proximity_m_s",
        "element_set_epoch_utc",
        "element_set_age_days",
    ]
    out = []
    for o in search.opportunities:
        rec = {k: getattr(o, k) for k in keys}
        for k, v in rec.items():
            if isinstance(v, float):
                rec[k] = round(v, 4)
        rec["duration_s"] = round(o.duration_s, 1)
        out.append(rec)
    return out


def _hms(utc: str) -> str:
    return utc[11:19]


def window_table(search: WindowSearch, docking: str | None = None) -> str:
    """A text listing: per day, one line per opportunity, then the day's notes. ``docking``
    names the ship and port whose approach the docking times assume (e.g. "Soyuz MS to Prichal
    nadir"), for the heading."""
    n = len(search.days)
    lines = [
        f"Launch opportunities from {search.site}, {n} day{'s' if n > 1 else ''} from "
        f"{search.start_utc[:10]} (UTC)" + (f"; docking times for {docking}" if docking else "")
    ]
    head = (
        f"  {'scheme':8} {'open':>8} {'nominal':>8} {'close':>8}  {'phase':>7} {'oop':>6}"
        f"  {'docking (UTC)':19}  {'dv m/s':>6}"
    )
    for day in search.days:
        lines.append(f"{day.date}")
        if day.opportunities:
            lines.append(head)
        for o in day.opportunities:
            # the nominal to the second; open and close to the second, rounded inwards
            lines.append(
                f"  {o.scheme:8} {_hms(o.open_utc):>8} {_hms(_round_s(o.nominal_utc)):>8} "
                f"{_hms(o.close_utc):>8}  {o.phase_deg:7.2f} {o.out_of_plane_deg:+6.2f}  "
                f"{o.docking_utc[:10]} {o.docking_utc[11:19]}  {o.dv_m_s:6.1f}"
            )
        for note in day.notes:
            lines.append(f"  {note}")
        ages = {o.element_set_age_days for o in day.opportunities}
        if ages and max(ages) > 3.0:
            lines.append(
                f"  note: element set {max(ages):.1f} days old; SGP4 errors grow by "
                "km per day, the times are approximate"
            )
    lines.append(
        "phase: deg, station ahead of the ship at insertion; oop: deg, pad out of the "
        "station's plane; docking and dv: quick estimates (rendezvous simulate --launch "
        "<nominal> flies the whole flight; its Delta-v differs by a few m/s)."
    )
    return "\n".join(lines)


def _round_s(utc: str) -> str:
    """An ISO string with milliseconds rounded to the second (same format, .000)."""
    from .times import iso_utc, parse_utc

    return str(iso_utc(parse_utc(utc), digits=0))


# ------------------------------------------------------------------------------------------------
# Dispersions


_COL = 11  # characters per number column, a space included: columns never run together


def _cell(v: float, decimals: int) -> str:
    """``v`` right-aligned in :data:`_COL` characters with a leading space; scientific notation
    when the fixed form would not fit."""
    text = f"{v:.{decimals}f}"
    if len(text) > _COL - 1:
        text = f"{v:.3e}"
    return " " + text.rjust(_COL - 1)


def _stats_line(name: str, x: np.ndarray, unit: str, decimals: int = 1) -> str:
    if x.size == 0:
        return f"  {name:28} {unit:5}" + " " + "no sample flown".rjust(_COL - 1)
    q = np.percentile(x, [5, 50, 95, 99])
    vals = [np.mean(x), np.std(x), *q, np.max(x)]
    return f"  {name:28} {unit:5}" + "".join(_cell(float(v), decimals) for v in vals)


def _indices(idx: np.ndarray, limit: int = 20) -> str:
    shown = ", ".join(str(int(i)) for i in idx[:limit])
    return shown + (f", ... ({idx.size - limit} more)" if idx.size > limit else "")


def _failed_lines(res: DispersionResult) -> list[str]:
    from .dispersions import STATUS

    bad = np.flatnonzero(res.status != 0)
    if bad.size == 0:
        return [f"failed samples: none of {res.n} (none diverged, all re-targetings converged)"]
    lines = [
        f"failed samples: {bad.size} of {res.n}, left out of every statistic above "
        "(sample index by reason):"
    ]
    for code, reason in enumerate(STATUS):
        idx = np.flatnonzero(res.status == code)
        if code and idx.size:
            lines.append(f"  {reason}: {idx.size}: {_indices(idx)}")
    return lines


def _fallback_line(res: DispersionResult, ok: np.ndarray) -> str:
    nom = res.nominal
    n_ok = int(np.sum(ok))
    over = int(np.sum(res.over_reserve[ok]))
    pct = 100.0 * over / max(n_ok, 1)
    head = (
        f"re-targeting correction above the {res.model.dv_reserve_m_s:g} m/s reserve: {over} of "
        f"{n_ok} flown samples ({pct:.2f} %)"
    )
    if nom.fallback_scheme is None:
        return (
            f"{head}; the {nom.scheme} scheme is the slowest: there is no slower scheme to fall "
            "back to (these samples need more propellant than the reserve; docking as flown)"
        )
    return (
        f"{head}: each falls back to the slower {nom.fallback_scheme} scheme, which arrives at "
        f"the approach start {nom.fallback_delay_s / 3600:.2f} h later: its docking is the flown "
        "contact + that delay (the slower scheme itself is not flown)"
    )


def _ground_line(res: DispersionResult) -> str | None:
    """What the ground computes from the tracked orbit (four-orbit: the correction before B3;
    two-day: also B1 and B2), or None without ground burns (``dispersions_near``)."""
    nom = res.nominal
    if nom.ground is None:
        return None
    from .samples import elapsed_text

    m = res.model
    b12 = (
        "B1 and B2 computed on the ground from the tracked orbit, and "
        if nom.ground.b1b2
        else "B1 and B2 loaded before launch, then "
    )
    day = " (flight day 2)" if nom.ground.t_ground > 86400.0 else ""
    return (
        f"ground burns ({nom.scheme}, as real flights): {b12}one correction from the tracked "
        f"orbit on the coast to B3 at T+{elapsed_text(nom.ground.t_ground)}{day}; orbit "
        "determination "
        f"{m.od_pos_m:g} m per axis, semi-major axis {m.od_sma_m:g} m; flown with execution "
        "errors; the correction's Delta-v is in the far-range Delta-v"
    )


def _contact_lines(res: DispersionResult, ok: np.ndarray) -> list[str]:
    """Contact conditions and approach checks against the docking mechanism's reception range
    (``proximity.RECEPTION_*``) and the proximity rules (keep-out sphere, approach cone)."""
    from .proximity import CONE_ABORT_M, RECEPTION_LATERAL_M, RECEPTION_SPEED_M_S

    n_ok = max(int(np.sum(ok)), 1)
    fast = int(np.sum(res.contact_speed[ok] > RECEPTION_SPEED_M_S))
    wide = int(np.sum(res.contact_miss[ok] > RECEPTION_LATERAL_M))
    keep = int(np.sum(res.keepout_violation[ok]))
    cone = int(np.sum(res.cone_excess[ok] > 0.0))
    prof = res.nominal.approach
    return [
        f"contact: closing speed above the docking mechanism's {RECEPTION_SPEED_M_S:g} m/s: "
        f"{fast} of {n_ok}; lateral miss beyond its {RECEPTION_LATERAL_M:g} m: {wide} of {n_ok}",
        f"approach checks: inside the {prof.keepout_radius_m:g} m keep-out sphere before the "
        f"final approach: {keep} of {n_ok}; outside the {prof.cone_half_angle_deg:g} deg approach "
        f"cone in the final approach (by up to {CONE_ABORT_M:g} m; more aborts): {cone} of {n_ok}",
    ]


def _table_lines(res: DispersionResult, ok: np.ndarray) -> list[str]:
    """The rows of the report's table: far range, approach, totals and contact."""
    from .proximity import PHASES

    far = "far-range Delta-v (as flown)"
    offset = res.t_docking - res.nominal_t_docking
    rows = [
        _stats_line("miss at AS, position", np.linalg.norm(res.miss_r[:, ok], axis=0), "m"),
        *(_stats_line(f"  LVLH {ax}", res.miss_r[i, ok], "m") for i, ax in enumerate("xyz")),
        _stats_line("miss at AS, velocity", np.linalg.norm(res.miss_v[:, ok], axis=0), "m/s", 3),
        _stats_line(far, res.dv_far[ok], "m/s", 2),
    ]
    if res.nominal.ground is not None:
        rows.append(_stats_line("  of which ground correction", res.dv_ground[ok], "m/s", 2))
    rows.append(_stats_line("re-targeting correction", res.dv_correction[ok], "m/s", 2))
    for k, phase in enumerate(PHASES):
        rows.append(_stats_line(f"{phase} Delta-v", res.dv_phase[ok, k], "m/s", 2))
    rows += [
        _stats_line("total Delta-v", res.dv_total[ok], "m/s", 2),
        _stats_line("docking offset (no fallback)", offset[ok & ~res.fallback], "s"),
        _stats_line("contact closing speed", res.contact_speed[ok], "m/s", 3),
        _stats_line("contact lateral miss", res.contact_miss[ok], "m", 3),
        _stats_line("closest before final appr.", res.min_range_before_final[ok], "m"),
    ]
    return rows


def _approach_start_words(as_rel: np.ndarray) -> str:
    """Where the approach start point lies in LVLH (x ahead, z towards Earth), e.g. "4 km ahead
    of the station, 1.5 km below the V-bar"."""
    x, z = float(as_rel[0]) / 1e3, float(as_rel[2]) / 1e3
    where = f"{abs(x):g} km {'ahead of' if x > 0 else 'behind'} the station"
    if abs(z) < 1e-3:
        return f"{where}, on the V-bar"
    return f"{where}, {abs(z):g} km {'below' if z > 0 else 'above'} the V-bar"


def dispersion_report(res: DispersionResult) -> str:
    """The text report: setup, then mean, std, percentiles and maximum of each quantity over the
    samples flown (failed samples counted and listed by index, never averaged in)."""
    from .times import at_seconds, iso_utc, parse_utc

    nom = res.nominal
    launch = parse_utc(nom.launch_utc)
    ok = res.status == 0
    port = f" at {nom.port_name}" if nom.port_name else ""
    t_ok = res.t_docking[ok] if np.any(ok) else np.array([res.nominal_t_docking])
    lines = [
        f"Dispersions: {nom.flight}, {nom.scheme} scheme, liftoff {nom.launch_utc}",
        f"samples {res.n} ({int(np.sum(ok))} flown, {int(np.sum(~ok))} failed), seed {res.seed}; "
        f"the whole rendezvous per sample: far range to the approach start (AS, "
        f"{_approach_start_words(nom.as_rel)}), then approach, flyaround, hold and final "
        f"approach to contact{port}",
        res.model.describe(),
        "",
        f"  {'quantity':28} {'unit':5}"
        + "".join(f"{h:>{_COL}}" for h in ("mean", "std", "p5", "p50", "p95", "p99", "max")),
        *_table_lines(res, ok),
        "",
        f"nominal: total Delta-v {res.nominal_dv_total:.2f} m/s, docking "
        f"{iso_utc(at_seconds(launch, res.nominal_t_docking), digits=0)} (flown by the same "
        "code with no errors)",
        *_contact_lines(res, ok),
        _fallback_line(res, ok),
        f"docking time p50 {iso_utc(at_seconds(launch, float(np.median(t_ok))), digits=0)}"
        f", p95 {iso_utc(at_seconds(launch, float(np.percentile(t_ok, 95))), digits=0)}",
        *_failed_lines(res),
    ]
    ground = _ground_line(res)
    if ground is not None:
        lines.append(ground)
    return "\n".join(lines)


def _summary(x: np.ndarray) -> dict[str, float] | None:
    if x.size == 0:
        return None
    p5, p50, p95 = (float(v) for v in np.percentile(x, [5, 50, 95]))
    return {"p5": p5, "p50": p50, "p95": p95, "mean": float(np.mean(x)), "max": float(np.max(x))}


def _metrics(res: DispersionResult, ok: np.ndarray) -> dict[str, dict[str, float] | None]:
    """Per metric p5, p50, p95, mean, max over the flown samples (``dispersions.json``)."""
    from .proximity import PHASES

    ground = res.nominal.ground is not None
    out = {
        "miss_at_approach_start_m": _summary(np.linalg.norm(res.miss_r[:, ok], axis=0)),
        "miss_velocity_at_approach_start_m_s": _summary(np.linalg.norm(res.miss_v[:, ok], axis=0)),
        "far_range_dv_m_s": _summary(res.dv_far[ok]),
        "ground_correction_dv_m_s": _summary(res.dv_ground[ok]) if ground else None,
        "retargeting_correction_m_s": _summary(res.dv_correction[ok]),
        **{
            f"{p.replace(' ', '_')}_dv_m_s": _summary(res.dv_phase[ok, k])
            for k, p in enumerate(PHASES)
        },
        "total_dv_m_s": _summary(res.dv_total[ok]),
        "docking_offset_s": _summary(res.t_docking[ok] - res.nominal_t_docking),
        "docking_offset_no_fallback_s": _summary(
            res.t_docking[ok & ~res.fallback] - res.nominal_t_docking
        ),
        "contact_speed_m_s": _summary(res.contact_speed[ok]),
        "contact_miss_m": _summary(res.contact_miss[ok]),
        "min_range_before_final_m": _summary(res.min_range_before_final[ok]),
        "cone_excess_m": _summary(res.cone_excess[ok]),
    }
    return out


def dispersion_record(res: DispersionResult) -> dict[str, Any]:
    """``dispersions.json``: per metric p5, p50, p95, mean and max over the flown samples, the
    nominal, the checks, the failed samples (count, indices, reasons), the fallback fraction, the
    seed and the error model (JSON-ready; SI units in the key names)."""
    from dataclasses import asdict

    from .dispersions import STATUS
    from .proximity import RECEPTION_LATERAL_M, RECEPTION_SPEED_M_S
    from .times import at_seconds, iso_utc, parse_utc

    nom = res.nominal
    ok = res.status == 0
    bad = np.flatnonzero(~ok)
    docking = iso_utc(at_seconds(parse_utc(nom.launch_utc), res.nominal_t_docking), digits=0)
    return {
        "flight": nom.flight,
        "scheme": nom.scheme,
        "launch_utc": nom.launch_utc,
        "port": nom.port_name,
        "seed": int(res.seed),
        "samples": int(res.n),
        "flown": int(np.sum(ok)),
        "failed": {
            "count": int(bad.size),
            "indices": [int(i) for i in bad],
            "reasons": {STATUS[c]: int(np.sum(res.status == c)) for c in range(1, len(STATUS))},
        },
        "metrics": _metrics(res, ok),
        "checks": {
            "contact_speed_above_m_s": RECEPTION_SPEED_M_S,
            "contact_speed_above_count": int(np.sum(res.contact_speed[ok] > RECEPTION_SPEED_M_S)),
            "contact_miss_above_m": RECEPTION_LATERAL_M,
            "contact_miss_above_count": int(np.sum(res.contact_miss[ok] > RECEPTION_LATERAL_M)),
            "keepout_violation_count": int(np.sum(res.keepout_violation[ok])),
            "cone_violation_count": int(np.sum(res.cone_excess[ok] > 0.0)),
        },
        "notes": {
            "whole_rendezvous": "each sample flies insertion to contact (far range, then the "
            "approach by the nominal guidance with its own errors); failed samples are counted "
            "and listed, never averaged in",
            **({"ground_correction": _ground_line(res)} if _ground_line(res) else {}),
        },
        "nominal_total_dv_m_s": float(res.nominal_dv_total),
        "nominal_docking_utc": str(docking),
        "over_reserve_fraction": float(np.mean(res.over_reserve[ok])) if np.any(ok) else None,
        "fallback_fraction": float(np.mean(res.fallback[ok])) if np.any(ok) else None,
        "fallback_scheme": nom.fallback_scheme,
        "fallback_delay_s": float(nom.fallback_delay_s) if nom.fallback_scheme else None,
        "error_model": {
            **{k: (list(v) if isinstance(v, tuple) else v) for k, v in asdict(res.model).items()},
            "note": "1-sigma, Gaussian, independent; assumed values (rendezvous.dispersions, "
            "rendezvous.proximity.ApproachErrors)",
        },
    }
