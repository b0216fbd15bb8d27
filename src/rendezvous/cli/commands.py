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

from .errors import UsageError
from .parser import FLAGS


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
    from .. import ephemeris

    p = Path(path)
    if not p.is_file():
        what = "is not a regular file" if p.exists() else "does not exist"
        raise UsageError(f"--tle: {path} {what}; give a file of two-line element sets")
    if not os.access(p, os.R_OK):
        raise UsageError(f"--tle: cannot read {path} (permission denied)")
    return tuple(ephemeris.read_element_sets(p))


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


def _known_flight(launch: Any) -> tuple[Any, Any]:
    """(flight, planned docking Time or None) for the real flight launched within 60 s of
    ``launch``, if the package knows one, else (None, None)."""
    from ..ephemeris import flights
    from ..times import seconds_between

    near = [f for f in flights() if abs(seconds_between(f.launch, launch)) <= 60.0]
    actual = [f for f in near if f.docking_kind == "actual"]
    plan = [f for f in near if f.docking_kind == "planned"]
    if actual:
        return actual[0], (plan[0].docking if plan else None)
    if plan:
        return plan[0], None
    return None, None


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


def simulate(args: argparse.Namespace) -> int:
    from .. import export
    from ..launch import site_by_name
    from ..mission import MissionConfig
    from ..mission import simulate as fly
    from ..outdir import check_output_folder, claim_output_folder
    from ..proximity import port_by_name
    from ..times import iso_utc

    launch = launch_time(args.launch)
    with as_flag("site"):
        site = site_by_name(args.site)
    with as_flag("port"):
        port = port_by_name(args.port)
    if args.scheme is not None and args.scheme not in ("2-orbit", "4-orbit", "2-day"):
        raise UsageError(f"--scheme: unknown scheme {args.scheme!r}; use 2-orbit, 4-orbit, 2-day")
    sets = element_sets(args.element_sets)
    if args.show and args.figures:
        check_display()
    flight, planned = _known_flight(launch)
    name = (
        flight.name.replace(" (plan)", "")
        if flight
        else f"Soyuz launch {iso_utc(launch, digits=0)}"
    )
    stamp = iso_utc(launch, digits=0).replace(":", "").replace("-", "")
    out = args.out_dir if args.out_dir is not None else f"runs/{_slug(name)}_{stamp}"
    with as_flag("out_dir"):
        check_output_folder(out, overwrite=args.overwrite)
    cfg = MissionConfig(
        launch=launch,
        site=site,
        port=port,
        scheme=args.scheme,
        element_sets=sets,
        allow_stale=args.allow_stale,
        flight=name,
        real_docking=flight.docking if flight else None,
        real_launch=flight.launch if flight else None,
        planned_docking=planned,
    )
    with claim_output_folder(out, overwrite=args.overwrite) as folder, warnings_as_lines():
        result = fly(cfg)

        def figures(tmp: Path) -> list[Path]:
            if not args.figures:
                return []
            from .. import plotting

            return plotting.write_figures(result, tmp, animation=args.animation)

        paths = export.write_outputs(result, folder, overwrite=args.overwrite, extra=figures)
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

    from ..launch import site_by_name
    from ..outdir import check_output_file, write_file_atomic
    from ..times import parse_utc
    from ..window import search_windows, window_records, window_table

    try:
        day = dt.date.fromisoformat(args.start.strip())
    except ValueError:
        raise UsageError(
            f"--date: cannot read {args.start!r}; use YYYY-MM-DD, e.g. 2025-04-08"
        ) from None
    sets = element_sets(args.element_sets)
    with as_flag("site"):
        site = site_by_name(args.site)
    json_path = None
    if args.json_path is not None:
        with as_flag("json_path"):
            json_path = check_output_file(args.json_path, overwrite=args.overwrite)
    with warnings_as_lines():
        result = search_windows(
            parse_utc(f"{day.isoformat()}T00:00:00Z"), args.days, site=site, element_sets=sets
        )
    if json_path is not None:
        with as_flag("json_path"):
            write_file_atomic(json_path, json.dumps(window_records(result), indent=1) + "\n")
    print(window_table(result))
    return 0


def _write_samples(res: Any, tmp: Path, text: str, figures: bool) -> None:
    import numpy as np

    (tmp / "report.txt").write_text(text + "\n")
    np.savez_compressed(
        tmp / "samples.npz",
        miss_r_lvlh_m=res.miss_r,
        miss_v_lvlh_m_s=res.miss_v,
        dv_far_m_s=res.dv_far,
        dv_correction_m_s=res.dv_correction,
        dv_total_m_s=res.dv_total,
        fallback=res.fallback,
        t_docking_s=res.t_docking,
        seed=np.uint64(res.seed),  # an integer, not a pickled Python int (seeds reach 2**64 - 1)
    )
    if figures:
        from ..plotting import write_dispersion_figures

        write_dispersion_figures(res, tmp)


def dispersions(args: argparse.Namespace) -> int:
    from ..dispersions import nominal_from_mission, report, run_dispersions
    from ..mission import MissionConfig
    from ..mission import simulate as fly
    from ..outdir import check_output_folder, claim_output_folder, write_folder_atomic

    launch = launch_time(args.launch)
    out = None
    if args.out_dir is not None:
        with as_flag("out_dir"):
            out = check_output_folder(args.out_dir, overwrite=args.overwrite)
    claim = claim_output_folder(out, overwrite=args.overwrite) if out else nullcontext()
    with claim, warnings_as_lines():
        cfg = MissionConfig(launch=launch)
        nominal = nominal_from_mission(fly(cfg), cfg)
        res = run_dispersions(
            nominal,
            args.n_samples,
            args.seed,
            chunk_size=args.chunk_size,
            workers=args.workers,
            scheduler=args.scheduler,
            progress=not args.quiet,
        )
        text = report(res)
        if out is not None:
            write_folder_atomic(
                out,
                lambda tmp: _write_samples(res, tmp, text, args.figures),
                overwrite=args.overwrite,
            )
    print(text)
    return 0


def compare(args: argparse.Namespace) -> int:
    """Fly every real flight of the built-in table that has an ISS element set from the two days
    before its launch; print predicted against real docking as a Markdown table."""
    from ..ephemeris import builtin_element_sets, flights, select_element_set
    from ..launch import site_by_name
    from ..mission import MissionConfig
    from ..mission import simulate as fly
    from ..proximity import port_by_name
    from ..times import at_seconds, iso_utc, seconds_between

    sets = builtin_element_sets()
    print(
        "| flight | launch (UTC) | real scheme | our scheme | phase at insertion | "
        "real docking | ours | ours - real | total Delta-v |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for f in flights():
        if "(plan)" in f.name:
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            es = select_element_set(sets, f.launch)
        if seconds_between(es.epoch, f.launch) > 48 * 3600.0:
            continue
        pad = f.site.split()[-1]
        site = site_by_name("31/6" if pad == "31" else pad)
        port = port_by_name(f.port.split()[0])
        r = fly(MissionConfig(launch=f.launch, site=site, port=port, flight=f.name))
        diff = r.t_contact - seconds_between(f.launch, f.docking)
        kind = "" if f.docking_kind == "actual" else " (planned)"
        print(
            f"| {f.name} | {iso_utc(f.launch, digits=0)[:16].replace('T', ' ')} | {f.scheme} | "
            f"{r.scheme} | {r.phase_angle_insertion_deg % 360:.2f} deg | "
            f"{iso_utc(f.docking, digits=0)[5:19].replace('T', ' ')}{kind} | "
            f"{iso_utc(at_seconds(r.epoch, r.t_contact), digits=0)[5:19].replace('T', ' ')} | "
            f"{diff / 60:+.1f} min | {r.total_dv_m_s:.0f} m/s |",
            flush=True,
        )
    return 0


RUN = {"simulate": simulate, "window": window, "dispersions": dispersions, "compare": compare}
