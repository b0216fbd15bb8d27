"""The four commands. Each checks every input first (names, times, files, folders), claims its
output, then does the work; heavy modules are imported here, after the arguments are parsed."""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

from .errors import UsageError, escape
from .parser import FLAGS, MS27_LAUNCH


@contextmanager
def as_flag(param: str) -> Iterator[None]:
    """Re-raise a library error about ``param`` (or any bare ``OSError``) naming its flag."""
    flag = FLAGS[param]
    try:
        yield
    except (ValueError, OSError) as exc:
        text = str(exc.strerror if isinstance(exc, OSError) and exc.strerror else exc)
        text = re.sub(r"^\w+: ", "", text)
        raise UsageError(f"{flag}: {text}") from exc


def launch_time(text: str) -> Any:
    """The skyfield Time of ``--launch``; a date that leaves the calendar with its offset is a
    one-line error, not an ``OverflowError``."""
    from ..times import parse_utc

    try:
        return parse_utc(text, name="launch")
    except OverflowError:
        raise UsageError(
            f"--launch: {text!r} falls outside the years 1 to 9999 in UTC; give a date-time such "
            "as 2025-04-08T05:47:15.309Z"
        ) from None


def element_sets(path: str | None) -> tuple[Any, ...]:
    """The element sets of ``--tle`` (a readable regular file), or () for the built-in ones."""
    if path is None:
        return ()
    from .. import read_element_sets

    p = Path(path)
    if not p.is_file():
        what = "is not a regular file" if p.exists() else "does not exist"
        raise UsageError(f"--tle: {path} {what}; give a file of two-line element sets")
    if not os.access(p, os.R_OK):
        raise UsageError(f"--tle: cannot read {path} (permission denied)")
    return tuple(read_element_sets(p))


def check_display() -> None:
    """``--show`` needs a window system: say so before the work, not after."""
    if sys.platform.startswith(("linux", "freebsd", "openbsd")) and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    ):
        raise UsageError(
            "--show: no display (DISPLAY is not set); drop --show and open the PNG files in the "
            "output folder"
        )


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()


def _print_warnings(caught: list[warnings.WarningMessage]) -> None:
    from .errors import user_message

    seen = set()
    for w in caught:
        line = user_message(Warning(str(w.message)))
        if line not in seen:
            seen.add(line)
            print(f"warning: {line}", file=sys.stderr)


@contextmanager
def warnings_as_lines() -> Iterator[None]:
    """Warnings raised by the work become ``warning:`` lines on stderr (flags, not parameters)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            yield
        finally:
            _print_warnings(caught)


def scenario(args: argparse.Namespace) -> Any:
    """The :class:`~rendezvous.scenario.Scenario` of ``simulate``'s options (checked, cheap)."""
    from ..scenario import Scenario

    sets = element_sets(args.element_sets)
    choices = dict(
        site=args.site,
        port=args.port,
        vehicle=args.vehicle,
        scheme=args.scheme,
        allow_stale=args.allow_stale,
        gravity=args.gravity,
    )
    choices = {k: v for k, v in choices.items() if v is not None}
    if not args.lighting:
        choices["lighting"] = ()
    if sets:
        choices["element_sets"] = sets
    if args.launch is not None:
        choices["launch"] = launch_time(args.launch)
    if args.flight is not None:
        return Scenario.from_flight(args.flight, **choices)
    # A real flight launched then, flown as it was, gets its published times beside ours
    # (Scenario reads them from the flight table; a changed pad, port or ship makes it another
    # flight, named as hypothetical).
    launch = choices.pop("launch") if "launch" in choices else launch_time(MS27_LAUNCH)
    return Scenario(launch, **choices)


def _inputs(args: argparse.Namespace) -> dict[str, Any]:
    """What ``simulate`` was given, by parameter name, for ``summary.json``."""
    return {
        "command": "rendezvous simulate",
        "flight_requested": args.flight,
        "launch_requested": args.launch,
        "elements": None if args.element_sets is None else str(Path(args.element_sets).resolve()),
        "allow_stale": args.allow_stale,
        "vehicle": args.vehicle,
        "scheme_requested": args.scheme,
        "gravity": args.gravity,
        "lighting": args.lighting,
    }


def simulate(args: argparse.Namespace) -> int:
    from .. import export, mission
    from ..outdir import claim_output_folder
    from ..times import iso_utc

    cfg = scenario(args)
    if args.show and args.figures:
        check_display()
    stamp = str(iso_utc(cfg.launch, digits=0)).replace(":", "").replace("-", "")
    out = args.out_dir if args.out_dir is not None else f"runs/{_slug(cfg.flight)}_{stamp}"
    # claimed before the flight: checked (a lock beside it) so no other run can take it meanwhile
    with claim_output_folder(out, overwrite=args.overwrite) as folder, warnings_as_lines():
        result = mission.simulate(cfg)

        def figures(tmp: Path) -> list[Path]:
            if not args.figures:
                return []
            from .. import plotting

            return plotting.write_figures(result, tmp, animation=args.animation)

        paths = export.write_outputs(
            result,
            folder,
            overwrite=args.overwrite,
            extra=figures,
            inputs=_inputs(args),
            notice=lambda text: print(f"warning: {escape(text)}", file=sys.stderr),
        )
    if args.quiet:
        print(folder)
    else:
        print(export.timeline_text(result))
        print()
        print(f"wrote {len(paths)} files to {folder}/: " + ", ".join(p.name for p in paths))
    if args.show and args.figures:
        from .. import plotting

        plotting.show(result)
    return 0


def window(args: argparse.Namespace) -> int:
    import datetime as dt

    from ..outdir import check_output_file, write_file_atomic
    from ..report import window_records, window_table
    from ..scenario import port_of, site_of, vehicle_of
    from ..times import parse_utc
    from ..window import search_windows

    try:
        day = dt.date.fromisoformat(args.start.strip())
    except ValueError:
        raise UsageError(
            f"--date: cannot read {args.start!r}; use YYYY-MM-DD, e.g. 2025-04-08"
        ) from None
    sets = element_sets(args.element_sets)
    with as_flag("site"):
        site = site_of(args.site)
    with as_flag("vehicle"):
        ship = vehicle_of(args.vehicle)
    with as_flag("port"):
        port = port_of(args.port)
        if args.port is not None:  # the default port serves only to time the approach
            port.check_in_service(day.isoformat())
    json_path = None
    if args.json_path is not None:
        with as_flag("json_path"):
            json_path = check_output_file(args.json_path, overwrite=args.overwrite)
    with warnings_as_lines():
        result = search_windows(
            parse_utc(f"{day.isoformat()}T00:00:00Z"),
            args.days,
            site=site,
            element_sets=sets,
            vehicle=ship,
            port=port,
        )
    if json_path is not None:
        text = json.dumps(window_records(result), indent=1) + "\n"
        with as_flag("json_path"):
            write_file_atomic(json_path, text, overwrite=args.overwrite)
    print(window_table(result, docking=f"{ship.name} to {port.name}"))
    return 0


@contextmanager
def _chunk_bar(args: argparse.Namespace) -> Iterator[Any]:
    """A progress bar on stderr over the chunks of ``dispersions`` (tqdm), yielding the callback
    the library calls per finished chunk; None with ``--quiet`` or without tqdm."""
    try:
        from tqdm import tqdm
    except ImportError:  # optional: no bar without tqdm
        tqdm = None
    if args.quiet or tqdm is None:
        yield None
        return
    total = -(-args.n_samples // args.chunk_size)  # chunks of chunk_size samples, rounded up
    bar = tqdm(total=total, desc="dispersions", unit="chunk")
    try:
        yield lambda: bar.update(1)
    finally:
        bar.close()


def _write_samples(res: Any, tmp: Path, text: str, figures: bool) -> None:
    import numpy as np

    from ..report import dispersion_record

    (tmp / "report.txt").write_text(text + "\n")
    record = json.dumps(dispersion_record(res), indent=1, allow_nan=False)
    (tmp / "dispersions.json").write_text(record + "\n")
    np.savez_compressed(
        tmp / "samples.npz",
        miss_r_lvlh_m=res.miss_r,
        miss_v_lvlh_m_s=res.miss_v,
        dv_far_m_s=res.dv_far,
        dv_correction_m_s=res.dv_correction,
        dv_total_m_s=res.dv_total,
        fallback=res.fallback,
        over_reserve=res.over_reserve,
        status=res.status,
        t_docking_s=res.t_docking,
        dv_ground_m_s=res.dv_ground,
        t_contact_s=res.t_contact,
        contact_speed_m_s=res.contact_speed,
        contact_miss_m=res.contact_miss,
        contact_offset_port_plane_m=res.contact_offset,
        min_range_before_final_m=res.min_range_before_final,
        keepout_violation=res.keepout_violation,
        cone_excess_m=res.cone_excess,
        dv_by_phase_m_s=res.dv_phase,
        seed=np.uint64(res.seed),  # an integer, not a pickled Python int (seeds reach 2**64 - 1)
    )
    if figures:
        from ..plotting import write_dispersion_figures

        write_dispersion_figures(res, tmp)


def _dispersion_scenario(args: argparse.Namespace) -> Any:
    """The scenario of ``dispersions``: ``--flight`` (its own liftoff, pad, port and ship unless
    ``--launch``, ``--site``, ``--port`` or ``--vehicle`` is given, whatever its value), else
    ``--launch`` (default MS-27's) with those options."""
    from ..scenario import Scenario

    given = {k: getattr(args, k) for k in ("site", "port", "vehicle") if getattr(args, k)}
    if args.launch is not None:
        given["launch"] = launch_time(args.launch)
    flight = getattr(args, "flight", None)  # a real flight of the table: its pad, port, ship
    if flight is not None:
        return Scenario.from_flight(flight, **given)
    return Scenario(given.pop("launch", None) or launch_time(MS27_LAUNCH), **given)


def dispersions(args: argparse.Namespace) -> int:
    from .. import mission
    from ..dispersions import nominal_from_mission, run_dispersions
    from ..outdir import claim_output_folder, write_folder_atomic
    from ..report import dispersion_report

    with warnings_as_lines():
        cfg = _dispersion_scenario(args)  # checked before the output folder is claimed
    out = args.out_dir
    if args.workers is not None or args.scheduler is not None:
        from ..parallel import check_scheduler_reachable, require_dask

        require_dask("workers" if args.workers is not None else "scheduler")
        if args.scheduler is not None:  # before the nominal flight: a closed port costs seconds
            check_scheduler_reachable(args.scheduler)
    claim = nullcontext() if out is None else claim_output_folder(out, overwrite=args.overwrite)
    with claim, warnings_as_lines():
        nominal = nominal_from_mission(mission.simulate(cfg), cfg)
        with _chunk_bar(args) as tick:
            res = run_dispersions(
                nominal,
                args.n_samples,
                args.seed,
                chunk_size=args.chunk_size,
                workers=args.workers,
                scheduler=args.scheduler,
                progress=tick,
            )
        text = dispersion_report(res)
        if out is not None:
            write_folder_atomic(
                out,
                lambda tmp: _write_samples(res, tmp, text, args.figures),
                overwrite=args.overwrite,
            )
    print(text)
    return 0


def _utc(t: Any) -> str:
    from ..times import iso_utc

    return str(iso_utc(t, digits=0)).replace("T", " ")


def _hms(seconds: float) -> str:
    """A launch-to-docking duration as h:mm:ss (days as "Nd " when over a day)."""
    s = int(round(seconds))
    days, s = divmod(s, 86400)
    text = f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"
    return f"{days}d {text}" if days else text


def _err(seconds: float, sign: str = "+") -> str:
    return "n/a" if seconds != seconds else f"{seconds / 60:{sign}.1f} min"


def _print_accuracy(table: Any) -> None:
    """The leave-one-out accuracy table (``calibration.AccuracyTable``) as Markdown."""
    from ..calibration import FAST_SCHEMES
    from ..ephemeris import flight_name

    cols = ("lit", "ours", "flown", "stopwatch_scheme", "stopwatch_scheme_vehicle")
    print(
        "| flight | ship | port | scheme | real docking, launch + | ours (leave-one-out) | "
        "ours without the lighting | flown (simulate, leave-one-out) | stopwatch by scheme | "
        "stopwatch by scheme and ship |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    errors = [table.errors_s(c) for c in cols]
    for i, f in enumerate(table.flights):
        kind = "" if f.docking_kind == "actual" else " (planned, not fitted)"
        cells = " | ".join(_err(float(e[i])) for e in errors)
        print(
            f"| {f.name} | {f.vehicle} | {f.port} | {f.scheme} | {_hms(f.duration_s)}{kind} | "
            f"{cells} |"
        )
    for schemes in (FAST_SCHEMES, ("2-orbit",), ("4-orbit",), ("2-day",)):
        med = " | ".join(
            f"{_err(table.median_abs_error_s(c, schemes), '')} ({table.n_errors(c, schemes)})"
            for c in cols
        )
        name = " and ".join(schemes)
        print(f"| median abs. error (dockings), actual {name} | | | | | {med} |")
    flown = [f.name for f, t in zip(table.flights, table.flown_s, strict=True) if t == t]
    flown = list(dict.fromkeys(flight_name(n) for n in flown))
    print(
        "\nours: the hold model with the contact at the station's lighting instant "
        "(rendezvous.lighting), both calibrated without the flight; without the lighting: the "
        "hold model alone (the same where the station's place is unknown: two-day flights "
        "without an element set). flown: the whole flight as `rendezvous simulate` flies it, "
        "with the hold and the lighting calibrated without that flight (so it can differ from "
        "what `simulate` prints, which uses the whole table); only the "
        f"{len(flown)} flights with an element set, with their pre-launch plans "
        f"({', '.join(flown)})."
    )


def _print_geometry() -> int:
    """``compare --geometry``: the evidence table of ``accuracy.docking_geometry`` (lighting and
    geometry of each real docking beside its leave-one-out residual) as Markdown on stdout."""
    from .. import calibration
    from ..accuracy import docking_geometry, docking_geometry_markdown

    print(_calibrated_hold_line())
    print(
        "Docking geometry: the station by SGP4 of the flight's own element set (station 'sgp4'), "
        "else the geometric station (plane through the pad at liftoff, the scheme's mean lead); "
        "residual: real minus the hold model without the lighting (leave-one-out); after sunset "
        "< 0: the sunset comes after "
        "the docking; two-day flights without a set are left out (their phase is unknown)."
    )
    print()
    print(docking_geometry_markdown(docking_geometry(calibration.leave_one_out())))
    return 0


def _calibrated_hold_line() -> str:
    """The calibrated hold of every (ship, scheme) cell with the number of dockings it is the
    mean of (``calibration.CALIBRATED_HOLD_S``)."""
    from .. import calibration

    counts = calibration.cell_dockings()
    hold = ", ".join(
        f"{ship} {scheme} {v:.0f} s ({counts[ship, scheme] or 'none: additive fallback'})"
        for (ship, scheme), v in calibration.CALIBRATED_HOLD_S.items()
    )
    from ..lighting import CALIBRATED_CONTACT_AFTER_SUNSET_S as lit

    return (
        "CALIBRATED hold (whole table) per ship and scheme, the mean of the cell's actual "
        f"dockings (how many): {hold}\nCALIBRATED lighting (whole table): the contact "
        f"{lit[0]:+.0f} s or {lit[1]:+.0f} s after the station's orbital sunset, whichever is "
        "nearer the contact with the hold"
    )


def compare(args: argparse.Namespace) -> int:
    """The accuracy of the docking time on flights the model has not seen: for every real flight
    of the built-in tables, its docking predicted by the model calibrated without it (leave-one-
    out), beside the flown ``simulate`` result for the flights with an ISS element set
    (``data/flights.csv``), and two stopwatches; Markdown tables on stdout. With ``--geometry``
    (``args.geometry``), the docking geometry table instead (:func:`_print_geometry`)."""
    from ..accuracy import fly_leave_one_out, lit_leave_one_out
    from ..ephemeris import flight_name, flights

    if getattr(args, "geometry", False):
        return _print_geometry()

    with_sets = [f.name for f in flights()]  # data/flights.csv: each with its own element set
    print(_calibrated_hold_line())
    print("Errors: prediction minus the real docking; planned dockings are the pre-launch plans.")
    print(flush=True)
    print(
        f"flying {len({flight_name(n) for n in with_sets})} flights with their "
        "element sets (about 5 s each)...",
        file=sys.stderr,
        flush=True,
    )
    table = fly_leave_one_out(lit_leave_one_out(), with_sets)
    _print_accuracy(table)
    return 0


RUN = {"simulate": simulate, "window": window, "dispersions": dispersions, "compare": compare}
