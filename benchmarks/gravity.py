"""What the tesseral harmonics change (issue 9): EGM2008 to degree and order 8 against the zonal
default (J2-J4 about the pole of date), measured on the package's own flights.

Prints, each line "8x8 vs zonal" (and a zonal-only EGM2008 J2-J8 field where it separates the
tesseral part from the extra zonals):

1. The station alone (MS-27's element set, SGP4's state at liftoff, B*'s drag), flown 3 h and 24 h
   by each model from the same state: position difference, total and radial/along/cross.
2. Each flight (Soyuz MS-27 2-orbit, Soyuz MS-12 4-orbit, Progress MS-31 2-day) simulated with
   each model as the mission flies it (station fitted to SGP4 over the span, burns targeted with
   the model): docking time, far-range Delta-v, the ship-station relative state at the approach
   start.
3. The same flight open loop: the zonal plan's far-range burns (B1-B3) flown in the 8x8 world from
   the zonal flight's insertion state (station flown from its zonal state at insertion): where the
   ship arrives at the approach start relative to where the zonal model put it. This is the error
   the zonal model makes in the relative motion the guidance relies on.
4. The run time of ``simulate`` on MS-27, zonal vs 8x8, interleaved (median of --repeat).

Usage: python benchmarks/gravity.py [--repeat 3] [--quick]   (--quick: MS-27 only)
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time

import numpy as np

from rendezvous import Scenario, simulate
from rendezvous.environment import environment_at, fly, force_model
from rendezvous.forces import ForceModel, gravity_field
from rendezvous.frames import to_lvlh
from rendezvous.geopotential import load_gravity_field
from rendezvous.propagate import Impulse, propagate

FLIGHTS = ("Soyuz MS-27", "Soyuz MS-12", "Progress MS-31")


def _rtn(ref: np.ndarray, other: np.ndarray) -> np.ndarray:
    """other - ref in ref's radial, along-track, cross-track axes (m), from (6,) states."""
    r, v = ref[:3], ref[3:]
    u_r = r / np.linalg.norm(r)
    u_n = np.cross(r, v)
    u_n /= np.linalg.norm(u_n)
    u_t = np.cross(u_n, u_r)
    d = other[:3] - ref[:3]
    return np.array([d @ u_r, d @ u_t, d @ u_n])


def _models(cfg: Scenario, env) -> dict[str, ForceModel]:
    zonal8 = load_gravity_field("egm2008", 8, 0)
    f88 = force_model(Scenario.from_flight(cfg.flight, gravity="egm2008-8x8"), env.epoch, env.pole)
    return {
        "zonal": env.force,
        "egm2008 J2-J8 (order 0)": ForceModel(
            drag=env.force.drag, pole=env.force.pole, field=zonal8, itrs0=f88.itrs0
        ),
        "egm2008-8x8": f88,
    }


def station_alone() -> None:
    cfg = Scenario.from_flight("Soyuz MS-27")
    env = environment_at(cfg)  # SGP4's state, B*'s Cd A/m: no fit, the same start for all
    models = _models(cfg, env)
    ts = [3 * 3600.0, 24 * 3600.0]
    ends = {}
    for name, fm in models.items():
        traj = fly(env.station0, 0.0, ts[-1], fm, env.ib_station)
        ends[name] = np.asarray(traj(np.array(ts))).reshape(6, -1)
    print("1. station alone, MS-27 set, same state at liftoff, difference to the zonal model:")
    for name in list(models)[1:]:
        for k, t in enumerate(ts):
            d = _rtn(ends["zonal"][:, k], ends[name][:, k])
            print(
                f"   {name:24s} after {t / 3600:4.0f} h: {np.linalg.norm(d):8.1f} m "
                f"(radial {d[0]:7.1f}, along {d[1]:8.1f}, cross {d[2]:7.1f} m)"
            )


def _approach_start(r) -> float:
    return next(e.t for e in r.events if e.label.startswith("B4"))


def _open_loop(r, env, fm: ForceModel) -> tuple[np.ndarray, np.ndarray]:
    """Relative state (LVLH, m and m/s) at the approach start (before B4) of the zonal plan's
    B1-B3 flown with ``fm`` from the zonal flight's states at insertion, and the station's state
    (GCRS) then."""
    t0, t4 = r.t_insertion, _approach_start(r)
    burns = [Impulse(b.t, b.dv) for b in r.burns if b.label.split()[0] in ("B1", "B2", "B3")]
    ship = propagate(
        r.at(t0), t0, t4, fm, inv_ballistic=env.ib_ship, impulses=burns, dense=False
    ).final
    st = fly(r.station_at(t0), t0, t4, fm, env.ib_station, dense=False).final
    return to_lvlh(st, ship), st


def flights(names: tuple[str, ...]) -> None:
    print(
        "2./3. flights: 8x8 minus zonal (each flown and targeted by its own model), and open loop"
    )
    for name in names:
        res = {}
        for g in ("zonal", "egm2008-8x8"):
            res[g] = simulate(Scenario.from_flight(name, gravity=g))
        rz, r8 = res["zonal"], res["egm2008-8x8"]
        t4z, t48 = _approach_start(rz), _approach_start(r8)
        far = [b for b in rz.burns if b.label.split()[0] in ("B1", "B2", "B3", "B4")]
        far8 = [b for b in r8.burns if b.label.split()[0] in ("B1", "B2", "B3", "B4")]
        dv_z = sum(b.dv_m_s for b in far)
        dv_8 = sum(b.dv_m_s for b in far8)
        rel_z = rz.relative_at(t4z - 1e-3)
        rel_8 = r8.relative_at(t48 - 1e-3)
        print(
            f"   {name} ({rz.scheme}): docking {r8.t_contact - rz.t_contact:+.1f} s "
            f"(zonal {rz.docking_utc}, 8x8 {r8.docking_utc}); approach start "
            f"{t48 - t4z:+.1f} s; far-range dv {dv_8 - dv_z:+.3f} m/s of {dv_z:.2f}"
        )
        print(
            f"      relative state at approach start: zonal {np.round(rel_z[:3], 1)} m, "
            f"8x8 {np.round(rel_8[:3], 1)} m; difference "
            f"{np.linalg.norm(rel_8[:3] - rel_z[:3]):.1f} m, "
            f"{np.linalg.norm(rel_8[3:] - rel_z[3:]) * 1e3:.1f} mm/s"
        )
        cfg = Scenario.from_flight(name)
        env = environment_at(cfg, rz.station_span_s)
        f88 = force_model(Scenario.from_flight(name, gravity="egm2008-8x8"), env.epoch, env.pole)
        base, st_base = _open_loop(rz, env, env.force)
        world, st_world = _open_loop(rz, env, f88)
        d = world - base
        ds = _rtn(st_base, st_world)
        print(
            f"      open loop (zonal plan flown in the 8x8 world): arrival off by "
            f"{np.linalg.norm(d[:3]):.1f} m (LVLH x {d[0]:+.1f}, y {d[1]:+.1f}, z {d[2]:+.1f} m), "
            f"{np.linalg.norm(d[3:]) * 1e3:.1f} mm/s; zonal replay vs simulate "
            f"{np.linalg.norm(base[:3] - rel_z[:3]):.2f} m"
        )
        print(
            f"      of which the station alone moved {np.linalg.norm(ds):.1f} m (radial "
            f"{ds[0]:+.1f}, along {ds[1]:+.1f}, cross {ds[2]:+.1f} m) from insertion to then"
        )


def run_time(repeat: int) -> None:
    cfgs = {g: Scenario.from_flight("Soyuz MS-27", gravity=g) for g in ("zonal", "egm2008-8x8")}
    for cfg in cfgs.values():  # warm-up: imports, skyfield tables, the field file
        simulate(cfg)
    times: dict[str, list[float]] = {g: [] for g in cfgs}
    for _ in range(repeat):
        for g, cfg in cfgs.items():  # interleaved, so that the machine's load hits both
            t0 = time.perf_counter()
            simulate(cfg)
            times[g].append(time.perf_counter() - t0)
    tz = statistics.median(times["zonal"])
    t8 = statistics.median(times["egm2008-8x8"])
    print(
        f"4. simulate MS-27 (no figures), median of {repeat}: egm2008-8x8 {t8:.2f} s vs zonal "
        f"(baseline) {tz:.2f} s: x{t8 / tz:.2f}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="MS-27 only")
    args = ap.parse_args()
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"load {os.getloadavg()[0]:.1f}"
    )
    assert gravity_field("zonal") is None
    station_alone()
    flights(FLIGHTS[:1] if args.quick else FLIGHTS)
    run_time(args.repeat)


if __name__ == "__main__":
    main()
