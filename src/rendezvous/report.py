"""Presentation at the edge: text tables and JSON-ready records of the core's results (the launch
windows and the dispersions). The core computes; this module only formats.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from .dispersions import DispersionResult
    from .window import WindowSearch

__all__ = ["dispersion_report", "window_records", "window_table"]


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


def window_table(search: WindowSearch) -> str:
    """A text listing: per day, one line per opportunity, then the day's notes."""
    lines = [
        f"Launch opportunities from {search.site}, {len(search.days)} day(s) from "
        f"{search.start_utc[:10]} (UTC)"
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
        "station's plane; docking: predicted (analytic)."
    )
    return "\n".join(lines)


def _round_s(utc: str) -> str:
    """An ISO string with milliseconds rounded to the second (same format, .000)."""
    from .times import iso_utc, parse_utc

    return str(iso_utc(parse_utc(utc), digits=0))


# ------------------------------------------------------------------------------------------------
# Dispersions


def _stats_line(name, x, unit, fmt="{:10.1f}"):
    q = np.percentile(x, [5, 50, 95, 99])
    vals = [np.mean(x), np.std(x), *q, np.max(x)]
    return f"  {name:28} {unit:5}" + "".join(fmt.format(v) for v in vals)


def dispersion_report(res: DispersionResult) -> str:
    """The text report: setup, then mean, std, percentiles and maximum of each quantity."""
    from .times import at_seconds, iso_utc, parse_utc

    nom = res.nominal
    launch = parse_utc(nom.launch_utc)
    miss_r = np.linalg.norm(res.miss_r, axis=0)
    miss_v = np.linalg.norm(res.miss_v, axis=0)
    n_fb = int(np.sum(res.fallback))
    lines = [
        f"Dispersions: {nom.flight}, {nom.scheme} scheme, liftoff {nom.launch_utc}",
        f"samples {res.n}, seed {res.seed}; far range insertion -> approach start "
        f"({abs(nom.as_rel[0]) / 1e3:g} km {'ahead' if nom.as_rel[0] > 0 else 'behind'} on the "
        "V-bar)",
        res.model.describe(),
        "",
        f"  {'quantity':28} {'unit':5}"
        + "".join(f"{h:>10}" for h in ("mean", "std", "p5", "p50", "p95", "p99", "max")),
    ]
    lines.append(_stats_line("miss at AS, position", miss_r, "m"))
    for i, ax in enumerate("xyz"):
        lines.append(_stats_line(f"  LVLH {ax}", res.miss_r[i], "m"))
    lines.append(_stats_line("miss at AS, velocity", miss_v, "m/s", "{:10.3f}"))
    lines.append(_stats_line("far-range Delta-v (4 burns)", res.dv_far, "m/s", "{:10.2f}"))
    lines.append(_stats_line("re-targeting correction", res.dv_correction, "m/s", "{:10.2f}"))
    lines.append(_stats_line("total Delta-v (+ proximity)", res.dv_total, "m/s", "{:10.2f}"))
    rel = res.t_docking - res.nominal_t_docking
    lines.append(_stats_line("docking - nominal docking", rel, "s"))
    lines += [
        "",
        f"nominal: total Delta-v {res.nominal_dv_total:.2f} m/s, docking "
        f"{iso_utc(at_seconds(launch, res.nominal_t_docking), digits=0)} "
        f"(approach start + {nom.prox_duration_s:.0f} s proximity, analytic)",
        f"correction above the {res.model.dv_reserve_m_s:g} m/s reserve: {n_fb} of {res.n} "
        f"({100.0 * n_fb / res.n:.2f} %), counted as a fallback to the {nom.fallback_scheme} "
        f"scheme (+{nom.fallback_delay_s / 3600:.2f} h, not flown)",
        f"docking time p50 {iso_utc(at_seconds(launch, float(np.median(res.t_docking))), digits=0)}"
        f", p95 {iso_utc(at_seconds(launch, float(np.percentile(res.t_docking, 95))), digits=0)}",
    ]
    return "\n".join(lines)
