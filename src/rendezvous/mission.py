"""The mission: the one place that knows the order of the phases.

``simulate(launch, ...)`` (or ``simulate(Scenario(...))``) flies one rendezvous from liftoff to
contact as a short sequence of phase calls, each in the module named after it, each taking and
returning small frozen values:

1. ``environment.environment_at``: the latest element set before liftoff (refused if the station
   manoeuvred between it and the end of the flight), the station's state at liftoff and its
   Cd A/m fitted to SGP4 of that set over the span flown, the true pole, the force model and the
   ship's Cd A/m (``Environment``); the span is guessed from the scheme before insertion and the
   fit made again if the scheme chosen flies longer;
2. ``launch.insert``: the pad on the rotating Earth at liftoff -> the point-mass ascent -> the ship
   in the station's plane at insertion, and the phase angle there (``Insertion``);
3. ``phasing.insertion_geometry``, ``schemes.scheme_windows``, ``schemes.choose_scheme``: the
   scheme windows for this insertion and the scheme to fly (or the one forced);
4. ``phasing.fly_far_range``: the quasi-coplanar aim plane, the linear plan, the drag re-aim and
   the differential correction of the four far-range burns with the full force model, flown
   (``FarRange``);
5. ``proximity.fly_approach``: the closed-loop Kurs-style approach, flyaround, hold and final
   approach to the port, to contact (``ApproachFlight``), with the ship's own profile, the
   station's attitude for that port and the calibrated hold of the ship and scheme
   (``calibration.approach_profile``; the hold is fitted to real flights, named CALIBRATED);
6. the frozen :class:`~rendezvous.result.MissionResult`: burns, timeline, sampled arrays and the
   dense trajectories.

Both vehicles are flown by the same force model (EGM96 J2-J4 about the true pole of date, the
exponential atmosphere with a per-vehicle ``Cd A / m``) from the same epoch (liftoff); the station's
``Cd A / m`` is fitted to SGP4 of its element set (``ephemeris.fit_station_to_sgp4``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from .catalog import ISS, VEHICLES
from .environment import STEPPING
from .errors import MissionError
from .lighting import after_nearest_sunset_s
from .propagate import PiecewiseTrajectory
from .result import Burn, Event, MissionResult, Phase, Port
from .scenario import Scenario

__all__ = [
    "Burn",
    "Event",
    "MissionConfig",
    "MissionError",
    "MissionResult",
    "Phase",
    "Port",
    "Scenario",
    "simulate",
]


# ------------------------------------------------------------------------------------------------
# Simulation


SOYUZ_INV_BALLISTIC = VEHICLES["soyuz"].inv_ballistic
"""Soyuz MS Cd*A/m, m^2/kg (``catalog.VEHICLES["soyuz"]``)."""

_STEPPING = STEPPING
"""The integrator settings of every arc (``environment.STEPPING``; the same dict)."""

ISS_INV_BALLISTIC_DEFAULT = ISS.inv_ballistic_default
"""ISS Cd*A/m, m^2/kg, used when the element set's B* is not positive (then unusable)."""

MissionConfig = Scenario
"""The former name of :class:`rendezvous.scenario.Scenario` (same class)."""


def simulate(
    launch: Any,
    *,
    elements: Any = None,
    site: Any = None,
    port: Any = None,
    vehicle: Any = None,
    scheme: str | None = None,
    **options: Any,
) -> MissionResult:
    """Fly one rendezvous from liftoff to contact (module docstring).

    Parameters
    ----------
    launch : str, datetime, skyfield Time or Scenario
        Liftoff: ISO 8601 (``"2025-04-08T05:47:15.309Z"``), a timezone-aware datetime or a
        skyfield Time; or a whole :class:`~rendezvous.scenario.Scenario` (keyword arguments
        given then replace its fields).
    elements : sequence of ElementSet, str or Path, optional
        The station's element sets, or the path of a TLE file; default the built-in ISS sets.
    site, port, vehicle : str or object
        Launch pad, docking port and ship, by name (``rendezvous.catalog``) or as objects;
        default Baikonur Site 31/6 ("31/6"), Prichal nadir ("prichal") and Soyuz MS ("soyuz").
    scheme : str, optional
        "2-orbit", "4-orbit" or "2-day"; default: chosen from the phase angle at insertion.
    **options
        Any other :class:`~rendezvous.scenario.Scenario` field (``allow_stale``, ``flight``,
        ``ascent``, ``approach``, ``gravity_degree``, ...).

    Returns
    -------
    MissionResult
        The flight; ``.scheme``, ``.docking_utc``, ``.burns``, ``.total_dv_m_s``, ``.at(t)``.

    Raises
    ------
    MissionError
        The scenario cannot be flown (outside the plane or phase windows).
    ValueError
        Bad input; the message names the parameter and the fix.

    Examples
    --------
    >>> import numpy as np
    >>> import rendezvous
    >>> r = rendezvous.simulate("2025-04-08T05:47:15.309Z")  # Soyuz MS-27
    >>> r.scheme, r.docking_utc
    ('2-orbit', '2025-04-08T09:01:08Z')
    >>> round(r.total_dv_m_s, 1), len(r.burns)
    (136.5, 36)
    >>> [b.label for b in r.burns[:4]]
    ['B1 phasing', 'B2 phasing', 'B3 rendezvous', 'B4 approach-start']
    >>> x, y, z = r.relative_at(r.t_contact)[:3]  # LVLH at contact: the port, m
    >>> round(float(x), 1), round(float(z), 1)
    (29.0, 19.0)
    >>> round(float(np.linalg.norm(r.relative_at(r.t_contact - 600.0)[:3])))  # 10 min before, m
    294
    """
    given = dict(element_sets=elements, site=site, port=port, vehicle=vehicle, scheme=scheme)
    given = {k: v for k, v in given.items() if v is not None} | options
    if isinstance(launch, Scenario):
        return _fly(launch.replace(**given) if given else launch)
    return _fly(Scenario(launch, **given))


@dataclass(frozen=True, eq=False)
class _FlightPath:
    """The ship's whole path: the point-mass ascent before insertion, then the flown arcs: the far
    range (propagated as (6, 1) batches) and the approach ((6,) states), each a
    ``propagate.PiecewiseTrajectory`` (which raises outside its span)."""

    pad0: np.ndarray
    ship_ins: np.ndarray
    ascent_model: Any
    t_ins: float
    far: PiecewiseTrajectory
    near: PiecewiseTrajectory

    def ascent(self, t: np.ndarray) -> np.ndarray:
        """The ascent model on a grid ``t`` (velocities by finite differences along it)."""
        from .launch import ascent_states

        return ascent_states(self.pad0, self.ship_ins, t, self.ascent_model)

    def flown(self, t: np.ndarray) -> np.ndarray:
        """The flown arcs at ``t`` (m,) between insertion and the end of the last arc: (6, m)."""
        t = np.atleast_1d(np.asarray(t, dtype=float))
        out = np.empty((6, t.size))
        on_far = t < self.near.t0  # at the approach start the approach arc (post-burn) wins
        if np.any(on_far):
            out[:, on_far] = self.far(t[on_far]).reshape(6, -1)
        if np.any(~on_far):
            out[:, ~on_far] = self.near(t[~on_far]).reshape(6, -1)
        return out

    def __call__(self, t: Any) -> np.ndarray:
        t = np.atleast_1d(np.asarray(t, dtype=float))
        out = np.empty((6, t.size))
        asc = t < self.t_ins
        if np.any(~asc):
            out[:, ~asc] = self.flown(t[~asc])
        if np.any(asc):
            ta = t[asc]
            t_hi, t_lo = np.minimum(ta + 0.5, self.t_ins), np.maximum(ta - 0.5, 0.0)
            pos = self.ascent(ta)[:3]
            vel = (self.ascent(t_hi)[:3] - self.ascent(t_lo)[:3]) / (t_hi - t_lo)
            out[:, asc] = np.concatenate([pos, vel])  # velocity: central difference
        return out


ISS_PERIOD_BOUND_S = 5600.0
"""An upper bound of the station's orbital period, s (the ISS: about 5,550 s at 420 km), for the
span guessed before insertion."""


def _span_guess(cfg: Scenario) -> float:
    """The seconds after liftoff the station is needed for, before insertion: ascent, the
    scheme's arrival at the approach start (the fastest scheme when it is to be chosen) in
    :data:`ISS_PERIOD_BOUND_S` periods, plus 3 h (the approach takes about one)."""
    from .catalog import SCHEMES

    names = [cfg.scheme] if cfg.scheme in SCHEMES else list(SCHEMES)
    revs = min(SCHEMES[n].burn_revs[-1] for n in names)
    return float(cfg.ascent.duration_s + revs * ISS_PERIOD_BOUND_S + 3 * 3600)


def _plan(cfg: Scenario, env: Any, scheme_name: str | None) -> tuple[Any, Any, Any, Any, float]:
    """Insertion, geometry, scheme windows, the scheme (``scheme_name`` or chosen) and the span
    the station is flown over: to the approach start plus 3 h (the approach takes about one)."""
    from . import launch, phasing, schemes
    from .times import iso_utc

    ins = launch.insert(env, cfg.site, cfg.ascent)
    geom = phasing.insertion_geometry(ins.station, ins.ship, env.pole, cfg.approach)
    windows = schemes.scheme_windows(geom)
    when = str(iso_utc(env.epoch, digits=0))
    scheme = schemes.choose_scheme(windows, ins.phase_deg, scheme_name, when)
    return ins, geom, windows, scheme, ins.t + float(geom.burn_times(scheme)[-1]) + 3 * 3600


def _fly(cfg: Scenario) -> MissionResult:
    """The phases in order, each a call into the module named after it (module docstring)."""
    from . import phasing, proximity
    from .environment import environment_at

    # The station is checked for manoeuvres and fitted to SGP4 over the span flown: guessed from
    # the scheme (the fastest when it is to be chosen), fitted again if the scheme flies longer.
    fitted = _span_guess(cfg)
    env = environment_at(cfg, fitted)
    ins, geom, windows, scheme, span = _plan(cfg, env, cfg.scheme)
    if span > fitted:
        fitted = span
        env = environment_at(cfg, fitted)
        ins, geom, windows, scheme, span = _plan(cfg, env, scheme.name)
    window = next(w for w in windows if w.scheme == scheme.name)
    station = env.fly_station(fitted)
    far = phasing.fly_far_range(env, ins, geom, scheme, window, station, cfg.ascent, cfg.approach)
    approach = cfg.approach_for(scheme.name)  # the calibrated hold of this ship and scheme
    port_pos, port_axis = proximity.port_frame(cfg.port, approach, cfg.station)
    t_start = float(far.t_burns[-1])
    port = (port_pos, port_axis)
    lit = cfg.lighting_offsets(scheme.name)  # the contact at the station's lighting instant
    approach, sunsets = lit_approach(env, station, approach, t_start, port, geom.n_st, lit)
    near = proximity.fly_approach(
        env, station, far.ship_as, t_start, port_pos, port_axis, approach, geom.n_st
    )
    result = _result(cfg, env, ins, windows, scheme, station, far, near, port)
    lit_s = after_nearest_sunset_s(near.t_contact, sunsets) if lit else float("nan")
    return replace(result, hold_s=float(approach.hold_s), contact_after_sunset_s=lit_s)


def lit_approach(env, station, approach, t_start: float, port, n_mean: float, offsets):
    """(``approach`` with its hold lengthened or shortened so that the contact falls at the
    station's lighting instant of ``lighting.lit_contact_s``, the station's sunsets around that
    contact, s after liftoff): ``offsets`` after the sunset, s (none: ``approach`` as it is and
    no sunsets). The contact is estimated by ``proximity.approach_estimate`` from the approach
    start ``t_start`` (s after liftoff); the sunsets are the station's (``station``, flown) within
    100 min of it (``sun.shadow_crossings``)."""
    from .calibration import with_hold
    from .lighting import lit_contact_s
    from .proximity import approach_estimate
    from .sun import shadow_crossings
    from .times import at_seconds

    if not offsets:
        return approach, np.empty(0)
    duration, _ = approach_estimate(approach, port[0], port[1], n_mean)
    t_c = t_start + duration
    state = np.asarray(station(t_c), dtype=float).reshape(6, -1)[:, 0]
    sets = t_c + shadow_crossings(state, at_seconds(env.epoch, t_c), step_s=1.0)[0]
    t_lit = lit_contact_s(t_c, sets, t_c - approach.hold_s, offsets)
    return with_hold(approach, approach.hold_s + (t_lit - t_c)), sets


_FAR_LABELS = (
    ("B1 phasing", "phasing"),
    ("B2 phasing", "phasing"),
    ("B3 rendezvous", "transfer"),
    ("B4 approach-start", "transfer"),
)


def _far_burns(far, station) -> list[Burn]:
    from .frames import lvlh_basis

    burns = []
    for k, tb in enumerate(far.t_burns):
        st_b = station(tb)
        m = lvlh_basis(st_b[:3], st_b[3:])
        label, phase = _FAR_LABELS[k]
        burns.append(Burn(float(tb), far.dv[k], m @ far.dv[k], label, phase, far.dv_rtn[k]))
    return burns


def _timeline(t_ins, far, near, port_name, burns) -> tuple[tuple[Event, ...], tuple[Phase, ...]]:
    t_burns, t_as, t_contact = far.t_burns, float(far.t_burns[-1]), near.t_contact
    events = [Event(0.0, "liftoff", "liftoff"), Event(t_ins, "orbit insertion", "insertion")]
    events += [Event(b.t, b.label, "burn") for b in burns[:4]]
    phases = [
        Phase("ascent", 0.0, t_ins),
        Phase("phasing", t_ins, float(t_burns[2])),
        Phase("transfer", float(t_burns[2]), t_as),
    ]
    # The phases the approach flew (a profile without a hold skips it), in their order.
    order = [
        p for p in ("approach", "flyaround", "hold", "final approach") if p in near.phase_starts
    ]
    for i, name in enumerate(order):
        start = near.phase_starts[name]
        end = near.phase_starts[order[i + 1]] if i + 1 < len(order) else t_contact
        phases.append(Phase(name, start, end))
        events.append(Event(start, f"{name} starts", "phase"))
    events.append(Event(t_contact, f"contact at {port_name}", "contact"))
    events.sort(key=lambda e: e.t)
    return tuple(events), tuple(phases)


def _sample(env, ins, far, near, burns, station, path) -> dict[str, Any]:
    """The sampled arrays of the result: 107 points over the ascent, 20 s over the far range, 2 s
    over the approach, plus every burn and the contact (grid points within 10 ms of those
    dropped)."""
    from . import frames, phasing
    from .times import at_seconds

    t_ins, t_as, t_contact = ins.t, float(far.t_burns[-1]), near.t_contact
    t_grid = np.unique(
        np.concatenate(
            [
                np.linspace(0.0, t_ins, 107),
                np.arange(t_ins, t_as, 20.0),
                np.arange(t_as, t_contact, 2.0),
                [b.t for b in burns],
                [t_contact],
            ]
        )
    )
    t_grid = t_grid[t_grid <= t_contact]
    # a grid point within 10 ms of a burn or the contact goes (the exports print milliseconds)
    events = np.array([b.t for b in burns] + [t_contact])
    near_event = np.min(np.abs(t_grid[:, None] - events[None, :]), axis=1)
    t_grid = t_grid[(near_event == 0.0) | (near_event > 0.01) | (t_grid < t_ins)]
    asc_mask = t_grid < t_ins
    ship = np.empty((6, t_grid.size))
    ship[:, asc_mask] = path.ascent(t_grid[asc_mask])
    ship[:, ~asc_mask] = path.flown(t_grid[~asc_mask])
    stn = station(t_grid)
    rel = frames.to_lvlh(stn, ship)
    times = at_seconds(env.epoch, t_grid)
    # Closest approaches on the sampled path: before the final approach (the keep-out check) and
    # from insertion to the approach start.
    before = (t_grid >= t_as) & (t_grid <= near.phase_starts["final approach"])
    far_mask = (t_grid >= t_ins) & (t_grid <= t_as)
    return dict(
        t=t_grid,
        ship=ship,
        station=stn,
        relative=rel,
        phase_angle_deg=np.degrees(phasing.phase_angle(stn, ship)),
        ship_geodetic=np.array(frames.geodetic(ship[:3], times)),
        station_geodetic=np.array(frames.geodetic(stn[:3], times)),
        min_range_before_final_m=float(np.min(np.linalg.norm(rel[:3, before], axis=0))),
        min_range_far_m=float(np.min(np.linalg.norm(rel[:3, far_mask], axis=0))),
    )


def _result(cfg, env, ins, windows, scheme, station, far, near, port) -> MissionResult:
    """The frozen result: burns, timeline, sampled arrays, contact figures, dense paths."""
    from .frames import to_lvlh
    from .orbits import apsides

    port_pos, port_axis = port
    far_arcs = PiecewiseTrajectory(traj for traj, _, _ in far.segments)
    near_arcs = PiecewiseTrajectory(traj for traj, _, _ in near.segments)
    path = _FlightPath(ins.pad0, far.ship_ins, cfg.ascent, ins.t, far_arcs, near_arcs)
    burns = _far_burns(far, station) + list(near.burns)
    events, phases = _timeline(ins.t, far, near, cfg.port.name, burns)
    rel_c = to_lvlh(station(near.t_contact), path.flown(near.t_contact)[:, 0])
    d = rel_c[:3] - port_pos
    perigee, apogee = apsides(far.ship_ins)
    return MissionResult(
        flight=str(cfg.flight),
        scheme=scheme.name,
        epoch=env.epoch,
        site_name=cfg.site.name,
        site_lat_deg=cfg.site.lat_deg,
        site_lon_deg=cfg.site.lon_deg,
        port=Port(cfg.port.name, port_pos, port_axis),
        burns=tuple(burns),
        events=events,
        phases=phases,
        t_insertion=ins.t,
        t_contact=near.t_contact,
        phase_angle_insertion_deg=far.phase_deg,
        tle_epoch=env.element_set.epoch,
        real_docking=cfg.real_docking,
        keepout_radius_m=cfg.approach.keepout_radius_m,
        approach_cone_half_angle_deg=cfg.approach.cone_half_angle_deg,
        hold_points=(near.hold_point,),
        windows=windows,
        insertion_perigee_km=perigee / 1e3,
        insertion_apogee_km=apogee / 1e3,
        out_of_plane_deg=ins.out_of_plane_deg,
        contact_speed_m_s=float(-(rel_c[3:] @ port_axis)),
        contact_miss_m=float(np.linalg.norm(d - (d @ port_axis) * port_axis)),
        real_launch=cfg.real_launch,
        planned_docking=cfg.planned_docking,
        station_span_s=float(env.fit.span_s) if env.fit is not None else float("nan"),
        station_inv_ballistic=float(env.ib_station),
        vehicle_name=str(cfg.vehicle.name),
        ship_inv_ballistic=float(env.ib_ship),
        ship_path=path,
        station_path=station,
        **_sample(env, ins, far, near, burns, station, path),
    )
