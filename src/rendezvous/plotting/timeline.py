"""The timeline figure: the simulated phases and events beside the real flight's published ones."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from .. import samples
from ..times import seconds_between
from . import _style as S
from .lvlh import _spread

__all__ = ["timeline_figure", "published_events"]


def published_events(result) -> list[tuple[float, str]]:
    """(s since liftoff, label) of the real flight's published times in the result, labelled
    honestly: "liftoff", "docking (actual)", "docking (planned)" (see
    :func:`rendezvous.plotting._style.published_dockings`)."""
    out = [(t, f"docking ({kind})") for t, kind in S.published_dockings(result)]
    launch = getattr(result, "real_launch", None)
    if launch is not None:
        out.append((seconds_between(result.epoch, launch), "liftoff"))
    return sorted(out)


def _simulated_events(result) -> list[tuple[float, str]]:
    merged: list[tuple[float, str]] = []
    for t, label in sorted((e.t, e.label) for e in result.events if e.kind != "phase"):
        if merged and abs(t - merged[-1][0]) < 1.0:
            merged[-1] = (merged[-1][0], merged[-1][1] + " / " + label)
        else:
            merged.append((t, label))
    return [(t, label + _detail(result, t)) for t, label in merged]


def _detail(result, t: float) -> str:
    """The insertion phase angle and the contact speed, as the timeline text prints them."""
    if abs(t - result.t_insertion) < 1.0:
        return f", phase angle {samples.phase_angle_at_insertion(result):.2f} deg"
    if abs(t - result.t_contact) < 1.0 and np.isfinite(result.contact_speed_m_s):
        return f", {result.contact_speed_m_s:.3f} m/s closing"  # along the port axis
    return ""


def _column(ax, result, column, events, marker, colour, lo, hi, gap) -> None:
    if not events:
        ax.text(column, S.utc(result, 0.0), "no published times", fontsize=8, va="center")
        return
    times = np.array([t for t, _ in events])
    spots = _spread(times, gap, lo, hi)
    ax.vlines(column, S.utc(result, times.min()), S.utc(result, times.max()), color="0.6",
              linewidth=1.0, zorder=0)  # fmt: skip
    for (t, label), spot in zip(events, spots, strict=True):
        when = S.utc(result, t)
        ax.plot(column, when, marker, color=colour, ms=5)
        ax.plot([column, column + 0.25], [when, S.utc(result, spot)], color="0.5", lw=0.6)
        ax.text(column + 0.3, S.utc(result, spot), f"{S.clock(result, when)}  {label}",
                va="center", fontsize=8)  # fmt: skip


def _comparison_note(result, real) -> str:
    note = f"simulated contact {S.clock(result, S.utc(result, result.t_contact))} UTC"
    for t, label in real:
        if label.startswith("docking"):
            delta = (result.t_contact - t) / 60.0
            word = "real" if "actual" in label else "planned"
            note += (
                f"\n{abs(delta):.1f} min {'after' if delta >= 0 else 'before'} the {word} docking"
            )
    return note


def timeline_figure(result) -> Figure:
    """Time running down the page: the simulated flight's phases and events on the left, the
    real flight's published liftoff and docking (actual or planned, as published) on the right,
    on one UTC axis (dated when the flight crosses midnight)."""
    fig = Figure(figsize=(10.5, 9.5), layout="constrained")
    ax = fig.add_subplot()
    real = published_events(result)
    end = S.flight_end_s(result)
    lo, hi = -0.03 * end, 1.03 * end
    gap = 0.026 * (hi - lo)  # one label line of 8 pt on a 9 in figure, in seconds
    x_bar, x_sim, x_real = 0.6, 1.0, 3.8  # room for dated labels of the simulated events
    for p in result.phases:
        ax.fill_betweenx([S.utc(result, p.t_start), S.utc(result, p.t_end)], x_bar, x_sim,
                         color=S.phase_colour(result, p.name), alpha=0.5, linewidth=0,
                         label=p.name)  # fmt: skip
    _column(ax, result, x_sim, _simulated_events(result), "o", "k", lo, hi, gap)
    _column(ax, result, x_real, real, "D", "tab:blue", lo, hi, gap)
    ax.text(x_real, S.utc(result, 0.55 * end), _comparison_note(result, real), fontsize=9,
            va="center", bbox={"facecolor": "white", "edgecolor": "0.7"})  # fmt: skip
    # Simulated contact and published docking as rules across the real column, to compare by eye.
    for t, label in real:
        if label.startswith("docking"):
            ax.hlines(S.utc(result, t), x_real - 0.2, x_real, color="tab:blue", linestyle=":",
                      linewidth=0.8)  # fmt: skip
    ax.hlines(S.utc(result, result.t_contact), x_real - 0.2, x_real, color="k", linestyle=":",
              linewidth=0.8)  # fmt: skip
    ax.set_xlim(0.0, 6.0)
    ax.set_xticks([0.5 * (x_bar + x_sim), x_real], ["simulated", "real flight (published)"])
    ax.xaxis.tick_top()
    ax.set_ylim(S.utc(result, hi), S.utc(result, lo))  # time runs down the page
    S.utc_axis(ax, result, which="y")
    ax.grid(axis="y", color="0.9", linewidth=0.5)
    fig.legend(*ax.get_legend_handles_labels(), loc="outside lower center", fontsize=8,
               ncol=7, title="simulated phases", title_fontsize=8)  # fmt: skip
    ax.set_title(S.title(result, "timeline, simulated and real"))
    return fig
