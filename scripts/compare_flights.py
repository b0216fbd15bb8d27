#!/usr/bin/env python3
"""Fly every real flight of the built-in table that has an ISS element set within two days before
its launch, and print predicted against real docking times as a Markdown table (for the README).

Usage: python scripts/compare_flights.py
"""

import sys
import warnings

from rendezvous.ephemeris import builtin_element_sets, flights, select_element_set
from rendezvous.launch import site_by_name
from rendezvous.mission import MissionConfig, simulate
from rendezvous.proximity import port_by_name
from rendezvous.times import at_seconds, iso_utc, seconds_between


def _site(name: str):
    pad = name.split()[-1]
    return site_by_name("31/6" if pad == "31" else pad)


def main() -> int:
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
        age_h = seconds_between(es.epoch, f.launch) / 3600.0
        if age_h > 48.0:
            continue
        port = port_by_name(f.port.split()[0])
        r = simulate(MissionConfig(launch=f.launch, site=_site(f.site), port=port, flight=f.name))
        diff = r.t_contact - seconds_between(f.launch, f.docking)
        kind = "" if f.docking_kind == "actual" else " (planned)"
        print(
            f"| {f.name} | {iso_utc(f.launch, digits=0)[:16].replace('T', ' ')} | {f.scheme} | "
            f"{r.scheme} | {r.phase_angle_insertion_deg % 360:.2f} deg | "
            f"{iso_utc(f.docking, digits=0)[5:19].replace('T', ' ')}{kind} | "
            f"{iso_utc(at_seconds(r.epoch, r.t_contact), digits=0)[5:19].replace('T', ' ')} | "
            f"{diff / 60:+.1f} min | {r.total_dv_m_s:.0f} m/s |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
