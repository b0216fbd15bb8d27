"""The mission: the one place that knows the order of the phases, and its frozen result.

``simulate(MissionConfig(...))`` flies one rendezvous from liftoff to contact:

1. ephemeris: the latest element set before liftoff; the station's state at liftoff from SGP4;
2. launch: the pad on the rotating Earth at liftoff -> the kinematic ascent -> the insertion state
   in the quasi-coplanar aim plane (``rendezvous.launch``);
3. phasing: the phase angle at insertion -> the scheme (or the one forced) -> four far-range burns
   found by a linear plan and differential correction with the full force model
   (``rendezvous.phasing``);
4. proximity: the closed-loop Kurs-style approach, flyaround, hold and final approach to the port,
   to contact (``rendezvous.proximity``).

Both vehicles are flown by the same force model (EGM2008 J2-J4 about the true pole of date, the
exponential atmosphere with a per-vehicle ``Cd A / m``) from the same epoch (liftoff); the station's
``Cd A / m`` comes from its element set's B*.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .catalog import ISS, VEHICLES
from .constants import MU_EARTH, R_EARTH
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


@dataclass(frozen=True, eq=False)
class Burn:
    """An impulsive burn as flown.

    t: seconds since the scenario epoch (liftoff); dv: (3,) Delta-v in GCRS, m/s;
    dv_lvlh: (3,) the same in the station's LVLH frame at the burn (x along-track, y = -orbit
    normal, z towards Earth), m/s; label: short name ("B1 phasing", "flyaround 3", ...);
    phase: name of the mission phase it belongs to; dv_rtn: (3,) in the ship's own frame (radial
    out, along-track, orbit normal), m/s: what a far-range burn is called by (prograde, ...).
    """

    t: float
    dv: np.ndarray
    dv_lvlh: np.ndarray
    label: str
    phase: str
    dv_rtn: np.ndarray | None = None  # (3,) radial, along-track, normal in the ship's own frame

    @property
    def dv_m_s(self) -> float:
        return float(np.linalg.norm(self.dv))


@dataclass(frozen=True)
class Event:
    """A point on the timeline: t in seconds since liftoff, a label, and a kind
    ("liftoff", "insertion", "burn", "phase", "contact")."""

    t: float
    label: str
    kind: str


@dataclass(frozen=True)
class Phase:
    """A mission phase between t_start and t_end (s since liftoff): "ascent", "phasing",
    "transfer", "approach", "flyaround", "hold", "final approach"."""

    name: str
    t_start: float
    t_end: float


@dataclass(frozen=True, eq=False)
class Port:
    """A docking port: name; position (3,) of the docking interface relative to the station's
    centre of mass in the station's LVLH frame, m; axis (3,) unit vector, outward port axis in
    LVLH."""

    name: str
    position: np.ndarray
    axis: np.ndarray


@dataclass(frozen=True, eq=False)
class MissionResult:
    """Everything one simulated flight produced (a frozen value; the edges only read it).

    t: (n,) seconds since liftoff, from 0 to contact, increasing.
    ship, station: (6, n) GCRS states, m and m/s (ship from the ascent model before insertion).
    relative: (6, n) ship relative to station in the station's LVLH frame (m, m/s).
    ship_path, station_path: the dense trajectories, callables of seconds since liftoff returning
    (6, N) GCRS states; read them through :meth:`at` and :meth:`relative_at`.
    """

    flight: str
    scheme: str
    epoch: object  # skyfield Time of liftoff
    site_name: str
    site_lat_deg: float
    site_lon_deg: float
    port: Port
    t: np.ndarray
    ship: np.ndarray
    station: np.ndarray
    relative: np.ndarray
    burns: tuple[Burn, ...]
    events: tuple[Event, ...]
    phases: tuple[Phase, ...]
    t_insertion: float
    t_contact: float
    phase_angle_insertion_deg: float
    tle_epoch: object  # skyfield Time of the element set used
    real_docking: object | None = None  # skyfield Time of the real docking, where known
    keepout_radius_m: float = 200.0
    approach_cone_half_angle_deg: float = 10.0
    hold_points: tuple[np.ndarray, ...] = field(default_factory=tuple)  # (3,) LVLH, m
    phase_angle_deg: np.ndarray | None = None  # (n,) station ahead of ship, deg
    ship_geodetic: np.ndarray | None = None  # (3, n) lat deg, lon deg, height m (WGS-84)
    station_geodetic: np.ndarray | None = None  # (3, n)
    windows: tuple = ()  # phasing.SchemeWindow for each scheme at this insertion
    insertion_perigee_km: float = float("nan")
    insertion_apogee_km: float = float("nan")
    out_of_plane_deg: float = float("nan")  # site out of the station plane at liftoff
    contact_speed_m_s: float = float("nan")
    contact_miss_m: float = float("nan")  # lateral distance from the port axis at contact
    real_launch: object | None = None  # skyfield Time of the real liftoff, where known
    planned_docking: object | None = None  # skyfield Time of the published pre-launch plan
    min_range_before_final_m: float = float("nan")  # closest approach before the final approach
    min_range_far_m: float = float("nan")  # closest approach from insertion to the approach start
    ship_path: Callable[[np.ndarray], np.ndarray] | None = field(default=None, repr=False)
    station_path: Callable[[np.ndarray], np.ndarray] | None = field(default=None, repr=False)

    @property
    def total_dv_m_s(self) -> float:
        """Sum of the magnitudes of all burns, m/s."""
        return float(sum(b.dv_m_s for b in self.burns))

    @property
    def docking_time(self):
        """The simulated contact as a skyfield Time."""
        from .times import at_seconds

        return at_seconds(self.epoch, self.t_contact)

    @property
    def docking_utc(self) -> str:
        """The simulated contact, ISO 8601 UTC to the second, ending in ``Z``."""
        from .times import iso_utc

        return str(iso_utc(self.docking_time, digits=0))

    def _seconds(self, t: Any) -> np.ndarray:
        from .scenario import to_time
        from .times import seconds_between

        if isinstance(t, int | float | np.ndarray | list | tuple):
            s = np.asarray(t, dtype=float)
        elif hasattr(t, "tt") and np.ndim(t.tt) != 0:
            s = np.asarray(seconds_between(self.epoch, t), dtype=float)
        else:
            s = np.asarray(seconds_between(self.epoch, to_time(t, param="t")), dtype=float)
        if np.any(s < 0.0) or np.any(s > self.t_contact + 1e-6):
            raise ValueError(
                f"t: outside the flight (0 to {self.t_contact:.1f} s after liftoff, "
                f"{self.docking_utc} at contact); give a time between liftoff and contact"
            )
        return s

    def _paths(self, s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if self.ship_path is None or self.station_path is None:
            raise ValueError("t: this result has no dense trajectories; read result.t and .ship")
        tt = np.atleast_1d(s)
        return self.ship_path(tt), np.asarray(self.station_path(tt)).reshape(6, -1)

    def at(self, t: Any) -> np.ndarray:
        """The ship's GCRS state (6,) or (6, N) at ``t``: seconds since liftoff (float or array),
        an ISO 8601 string, a timezone-aware datetime or a skyfield Time, between liftoff and
        contact. Read from the dense trajectories (the ascent model before insertion)."""
        s = self._seconds(t)
        ship, _ = self._paths(s)
        return ship[:, 0] if s.ndim == 0 else ship

    def station_at(self, t: Any) -> np.ndarray:
        """The station's GCRS state (6,) or (6, N) at ``t`` (as :meth:`at`)."""
        s = self._seconds(t)
        _, st = self._paths(s)
        return st[:, 0] if s.ndim == 0 else st

    def relative_at(self, t: Any) -> np.ndarray:
        """The ship relative to the station in the station's LVLH frame (x along-track, y = -orbit
        normal, z towards Earth), (6,) or (6, N) in m and m/s, at ``t`` (as :meth:`at`)."""
        from .frames import to_lvlh

        s = self._seconds(t)
        ship, st = self._paths(s)
        rel = to_lvlh(st, ship)
        return rel[:, 0] if s.ndim == 0 else rel


# ------------------------------------------------------------------------------------------------
# Simulation


class MissionError(ValueError):
    """The scenario cannot be flown as asked (one line: what, the numbers, and what to do)."""


SOYUZ_INV_BALLISTIC = VEHICLES["soyuz"].inv_ballistic
"""Soyuz MS Cd*A/m, m^2/kg (``catalog.VEHICLES["soyuz"]``)."""

_STEPPING = {"method": "multistep", "step": 60.0, "order": 10}
"""Integrator settings for mission arcs (up to two days): 10th-order Stormer-Cowell at 60 s steps,
checked stable and within about 1 m of DOP853 at rtol 1e-12 over 50 h at 200 km."""

ISS_INV_BALLISTIC_DEFAULT = ISS.inv_ballistic_default
"""ISS Cd*A/m, m^2/kg, used when the element set's B* is not positive (then unusable)."""

MissionConfig = Scenario
"""The former name of :class:`rendezvous.scenario.Scenario` (same class)."""


class _Piecewise:
    """The ship's trajectory as consecutive propagated segments; later segments win at joints."""

    def __init__(self):
        self.segments = []  # (t_start, t_end, Trajectory)

    def add(self, traj, ta, tb):
        self.segments.append((ta, tb, traj))

    def __call__(self, t):
        t = np.atleast_1d(np.asarray(t, dtype=float))
        out = np.full((6, t.size), np.nan)
        for ta, tb, traj in self.segments:
            sel = (t >= ta) & (t <= tb)
            if np.any(sel):
                y = traj(t[sel])
                out[:, sel] = y.reshape(6, -1)
        return out


class _FlightPath:
    """The ship's whole path: the kinematic ascent before insertion, the flown segments after."""

    def __init__(self, pad0, ship_ins, ascent, t_ins, flown):
        self.pad0, self.ship_ins, self.ascent, self.t_ins, self.flown = (
            pad0,
            ship_ins,
            ascent,
            t_ins,
            flown,
        )

    def __call__(self, t):
        from .launch import ascent_states

        t = np.atleast_1d(np.asarray(t, dtype=float))
        out = self.flown(t)
        asc = t < self.t_ins
        if np.any(asc):
            ta = t[asc]
            t_hi, t_lo = np.minimum(ta + 0.5, self.t_ins), np.maximum(ta - 0.5, 0.0)
            pos = ascent_states(self.pad0, self.ship_ins, ta, self.ascent)[:3]
            hi = ascent_states(self.pad0, self.ship_ins, t_hi, self.ascent)[:3]
            lo = ascent_states(self.pad0, self.ship_ins, t_lo, self.ascent)[:3]
            out[:, asc] = np.concatenate([pos, (hi - lo) / (t_hi - t_lo)])  # central difference
        return out


def _rtn_basis(state):
    """(3, 3, N) rows: radial out, along-track (h x r), normal (h), for states (6, N)."""
    r, v = state[:3], state[3:6]
    rh = r / np.linalg.norm(r, axis=0)
    h = np.cross(r, v, axis=0)
    hh = h / np.linalg.norm(h, axis=0)
    th = np.cross(hh, rh, axis=0)
    return np.stack([rh, th, hh])


def _fly_far_range(y0, t0, t_burns, dv_rtn, force, ib, keep=False):
    """Fly states y0 (6, M) from t0 through burns at t_burns (4,), dv_rtn (4, 3, M) in the ship's
    RTN frame at each burn. Returns (final states after the last burn (6, M), GCRS dvs (4, 3, M),
    segments)."""
    from .propagate import propagate

    y = y0
    t = t0
    dvs = []
    segs = []
    for k, tb in enumerate(t_burns):
        traj = propagate(y, t, tb, force, inv_ballistic=ib, dense=keep, **_STEPPING)
        y = traj.final.copy()
        if keep:
            segs.append((traj, t, tb))
        basis = _rtn_basis(y)
        dv = np.einsum("ijm,im->jm", basis, dv_rtn[k])
        y[3:] += dv
        dvs.append(dv)
        t = tb
    return y, np.array(dvs), segs


def _solve_far_range(
    ship_ins, t_ins, t_burns, plan_rtn, target_fn, force, ib, n_mean, *, max_iter=12
):
    """Differential correction of the 12 burn components (phasing module docstring, step 2).

    target_fn() -> (6,) GCRS target state at the last burn time. Returns dv_rtn (4, 3).
    """
    x = plan_rtn.reshape(12).copy()
    target = target_fn()
    scale = np.array([1, 1, 1, 1 / n_mean, 1 / n_mean, 1 / n_mean])
    h = 1e-3
    for _ in range(max_iter):
        X = np.repeat(x[:, None], 13, axis=1)
        X[np.arange(12), np.arange(1, 13)] += h
        y, _, _ = _fly_far_range(
            np.repeat(ship_ins[:, None], 13, axis=1), t_ins, t_burns, X.reshape(4, 3, 13), force, ib
        )
        F = (y - target[:, None]) * scale[:, None]
        J = (F[:, 1:] - F[:, :1]) / h
        res = F[:, 0]
        if not np.all(np.isfinite(J)):
            return x.reshape(4, 3), False
        if np.all(np.abs(res[:3]) < 0.5) and np.all(np.abs(res[3:]) * n_mean < 5e-4):
            return x.reshape(4, 3), True
        x = x - np.linalg.lstsq(J, res, rcond=None)[0]  # minimum-norm Newton step
    return x.reshape(4, 3), False


def _orbit_apsides(state):
    r, v = state[:3], state[3:6]
    rn = np.linalg.norm(r)
    a = 1.0 / (2.0 / rn - v @ v / MU_EARTH)
    e = np.linalg.norm(np.cross(v, np.cross(r, v)) / MU_EARTH - r / rn)
    return a * (1 - e) - R_EARTH, a * (1 + e) - R_EARTH


def simulate(
    launch: Any,
    *,
    elements: Any = None,
    site: Any = "31/6",
    port: Any = "prichal",
    vehicle: Any = "soyuz",
    scheme: str | None = None,
    **options: Any,
) -> MissionResult:
    """Fly one rendezvous from liftoff to contact (module docstring).

    Parameters
    ----------
    launch : str, datetime, skyfield Time or Scenario
        Liftoff: ISO 8601 (``"2025-04-08T05:47:15.309Z"``), a timezone-aware datetime or a
        skyfield Time; or a whole :class:`~rendezvous.scenario.Scenario` (then the keyword
        arguments are ignored).
    elements : sequence of ElementSet, str or Path, optional
        The station's element sets, or the path of a TLE file; default the built-in ISS sets.
    site, port, vehicle : str or object
        Launch pad, docking port and ship, by name (``rendezvous.catalog``) or as objects.
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
    >>> import rendezvous
    >>> r = rendezvous.simulate("2025-04-08T05:47:15.309Z")  # Soyuz MS-27
    >>> r.scheme, r.docking_utc
    ('2-orbit', '2025-04-08T08:59:20Z')
    >>> round(r.total_dv_m_s, 1), len(r.burns)
    (127.9, 46)
    >>> r.relative_at(r.t_contact - 60.0).round(1)[:3]  # LVLH x, y, z a minute before contact, m
    array([ 29. ,   0. ,  26.1])
    """
    if isinstance(launch, Scenario):
        cfg = launch
    else:
        cfg = Scenario(
            launch,
            element_sets=elements,
            site=site,
            port=port,
            vehicle=vehicle,
            scheme=scheme,
            **options,
        )
    return _fly(cfg)


def _fly(cfg: Scenario) -> MissionResult:
    """The phases in order (module docstring)."""
    from . import ephemeris, frames, launch, phasing, proximity
    from .forces import ForceModel, ballistic_from_bstar
    from .propagate import find_crossings, propagate
    from .times import at_seconds, iso_utc

    site, port_def, ascent, prof = cfg.site, cfg.port, cfg.ascent, cfg.approach
    epoch = cfg.launch
    sets = list(cfg.element_sets) or ephemeris.builtin_element_sets()
    es = ephemeris.select_element_set(sets, epoch, allow_stale=cfg.allow_stale)
    pole = frames.true_pole(epoch)
    force = ForceModel(degree=cfg.gravity_degree, drag=cfg.drag, pole=tuple(pole))
    ib_st = ballistic_from_bstar(es.bstar)
    if not ib_st > 0:
        ib_st = ISS_INV_BALLISTIC_DEFAULT
    ib_ship = cfg.ship_inv_ballistic

    # --- station from its TLE at liftoff, flown by our force model --------------------------
    # Flown once to insertion here (it decides the scheme), then once over the whole mission.
    st0 = es.state(epoch)
    t_ins = ascent.duration_s
    st_ins = propagate(st0, 0.0, t_ins, force, inv_ballistic=ib_st, dense=False, **_STEPPING).final

    # --- launch: pad at liftoff -> insertion -------------------------------------------------
    pad0 = frames.site_state(site.lat_deg, site.lon_deg, site.height_m, epoch)
    h_st = np.cross(st_ins[:3], st_ins[3:])
    h_st /= np.linalg.norm(h_st)
    prelim, oop = launch.insertion_state(pad0, h_st, ascent)
    if abs(np.degrees(oop)) > ascent.yaw_capability_deg:
        raise MissionError(
            f"launch {iso_utc(epoch, digits=0)}: the pad is {np.degrees(oop):+.2f} deg out of the "
            f"station's orbit plane (the launcher can steer out "
            f"{ascent.yaw_capability_deg:.1f} deg);"
            " launch near the plane crossing (see rendezvous.search_windows)"
        )
    phase0 = float(np.degrees(phasing.phase_angle(st_ins, prelim)))

    a_st = 1.0 / (2.0 / np.linalg.norm(st_ins[:3]) - st_ins[3:] @ st_ins[3:] / MU_EARTH)
    n_st = np.sqrt(MU_EARTH / a_st**3)
    period = 2 * np.pi / n_st
    inc = float(np.arccos(np.clip(h_st @ pole, -1, 1)))
    node = np.cross(pole, h_st)
    node /= np.linalg.norm(node)
    qax = np.cross(h_st, node)
    u_st = float(phasing._mean_elements(st_ins, node, qax)[1])
    side = prof.approach_side
    target_dlam = side * prof.start_distance_m / a_st

    # --- scheme: windows for this insertion ------------------------------------------------
    roe_pre = phasing.relative_elements(st_ins, prelim, pole)
    windows = tuple(
        phasing.scheme_window(
            s, roe_pre, a_st, inc, u_st, np.array(s.burn_revs) * period, target_dlam
        )
        for s in phasing.SCHEMES.values()
    )
    if cfg.scheme is not None:
        win = next(w for w in windows if w.scheme == cfg.scheme)
        if not win.contains(phase0):
            raise MissionError(
                f"scheme {cfg.scheme}: phase angle at insertion is {phase0:.2f} deg, outside its "
                f"window {win.lo_deg:.1f}..{win.hi_deg:.1f} deg; leave scheme unset to let the "
                "phase angle choose, or change launch"
            )
        scheme = phasing.SCHEMES[cfg.scheme]
    else:
        ok = [w for w in windows if w.contains(phase0)]
        if not ok:
            listing = "; ".join(f"{w.scheme} {w.lo_deg:.1f}..{w.hi_deg:.1f}" for w in windows)
            raise MissionError(
                f"launch {iso_utc(epoch, digits=0)}: phase angle at insertion {phase0:.2f} deg is "
                f"in no scheme's window ({listing} deg); choose another launch time"
            )
        scheme = phasing.SCHEMES[ok[0].scheme]

    t_burns = t_ins + np.array(scheme.burn_revs) * period
    # to the approach start plus 3 h: the approach takes about one (proximity.ApproachProfile)
    station = propagate(st0, 0.0, t_burns[-1] + 3 * 3600, force, inv_ballistic=ib_st, **_STEPPING)

    # --- quasi-coplanar insertion into the aim plane ----------------------------------------
    # The aim plane anticipates the differential nodal regression at the ship's mean height until
    # the approach starts: first guessed, then taken from the plan flown into that plane.
    ship_mean_alt = 0.5 * (ascent.perigee_alt_m + ascent.apogee_alt_m)
    win = next(w for w in windows if w.scheme == scheme.name)
    for _ in range(2):
        aim = launch.aim_plane_normal(st_ins, pole, t_burns[-1] - t_ins, ship_mean_alt)
        ship_ins, _ = launch.insertion_state(pad0, aim, ascent)
        phase_ins = float(np.degrees(phasing.phase_angle(st_ins, ship_ins)))
        roe0 = phasing.relative_elements(st_ins, ship_ins, pole)
        # The phase angle on the branch the scheme's window holds (e.g. 224 deg, not -136 deg).
        phase_eff = phase_ins if win.lo_deg <= phase_ins <= win.hi_deg else phase_ins + 360.0
        roe0[1] = -np.radians(phase_eff)
        tb_used, plan = phasing.best_plan(roe0, a_st, inc, u_st, t_burns - t_ins, target_dlam)
        if not np.isfinite(plan.dv_total[0]):
            break
        da = roe0[0] + 2.0 / n_st * np.cumsum(plan.dv_rtn[:, 1, 0])
        dt = np.diff(np.concatenate([[0.0], tb_used[:, 0]]))
        seg_da = np.concatenate([[roe0[0]], da[:3]])
        ship_mean_alt = a_st - R_EARTH + float(np.sum(seg_da * dt) / np.sum(dt))

    if not np.isfinite(plan.dv_total[0]):
        raise MissionError(
            f"scheme {scheme.name}: no far-range plan for phase angle {phase_ins:.2f} deg; "
            "try another launch time or scheme"
        )
    t_nominal = t_burns
    t_burns = t_ins + tb_used[:, 0]

    t_as = float(t_burns[-1])
    as_rel = np.array([side * prof.start_distance_m, 0, 0, 0, 0, 0.0])

    def as_target():
        return frames.from_lvlh(station(t_as), as_rel)

    # Outer loop: the linear plan's drift prediction misses drag and higher-order terms (degrees
    # over two days); fly the plan, measure the ship's mean-longitude error at AS, and re-aim the
    # linear plan at a target offset by that error (the linear model as the Jacobian). Then the
    # full differential correction from a plan that is already close.
    aim_dlam = target_dlam
    for _ in range(6):
        y_try, _, _ = _fly_far_range(ship_ins[:, None], t_ins, t_burns, plan.dv_rtn, force, ib_ship)
        err = float(phasing.relative_elements(station(t_as), y_try[:, 0], pole)[1]) - target_dlam
        if abs(err) * a_st < 20e3:
            break
        aim_dlam -= err
        tb_try, plan_try = phasing.best_plan(roe0, a_st, inc, u_st, t_nominal - t_ins, aim_dlam)
        if not np.isfinite(plan_try.dv_total[0]):
            break
        plan, t_burns = plan_try, t_ins + tb_try[:, 0]
    dv_rtn, converged = _solve_far_range(
        ship_ins, t_ins, t_burns, plan.dv_rtn[:, :, 0], as_target, force, ib_ship, n_st
    )
    if not converged:
        raise MissionError(
            f"scheme {scheme.name}: far-range targeting did not converge (phase angle "
            f"{phase_ins:.2f} deg); try another launch time or scheme"
        )
    y_as, dvs, segs = _fly_far_range(
        ship_ins[:, None], t_ins, t_burns, dv_rtn[:, :, None], force, ib_ship, keep=True
    )
    ship_path = _Piecewise()
    for traj, ta, tb in segs:
        ship_path.add(traj, ta, tb)
    burns = []
    labels = ["B1 phasing", "B2 phasing", "B3 rendezvous", "B4 approach-start"]
    phase_of = ["phasing", "phasing", "transfer", "transfer"]
    for k, tb in enumerate(t_burns):
        st_b = station(tb)
        m = frames.lvlh_basis(st_b[:3], st_b[3:])
        burns.append(
            Burn(float(tb), dvs[k, :, 0], m @ dvs[k, :, 0], labels[k], phase_of[k], dv_rtn[k])
        )

    # --- proximity: closed-loop CW guidance, truth by the force model -----------------------
    port_pos, port_axis = port_def.in_lvlh(prof.station_yaw_deg)
    legs = proximity.approach_legs(prof, port_pos, port_axis)
    hold = next(leg.target for leg in legs if leg.phase == "hold")
    last_label = legs[-1].label

    y = y_as[:, 0]
    t = t_as
    phase_marks = {"approach": t_as}
    for leg in legs:
        dur, target, label, ph = leg.duration_s, leg.target, leg.label, leg.phase
        phase_marks.setdefault(ph, t)
        st_now = station(t)
        rel = frames.to_lvlh(st_now, y)
        dv_l, _ = proximity.cw_transfer(n_st, rel, target, dur)
        m = frames.lvlh_basis(st_now[:3], st_now[3:])
        dv = m.T @ dv_l
        y = y.copy()
        y[3:] += dv
        burns.append(Burn(float(t), dv, dv_l, label, ph))
        is_last = label == last_label
        t_end = t + dur + (120.0 if is_last else 0.0)
        traj = propagate(y, t, t_end, force, inv_ballistic=ib_ship, **_STEPPING)
        ship_path.add(traj, t, t_end)
        if is_last:
            last_traj, last_t0 = traj, t
        y = traj(t + dur)
        t = t + dur

    def axis_distance(tt, yy):
        tt = np.atleast_1d(tt)
        sts = station(tt if tt.size > 1 else float(tt[0]))
        rel = frames.to_lvlh(sts.reshape(6, -1), yy.reshape(6, -1))
        return (rel[:3] - port_pos[:, None]).T @ port_axis

    t_hi = last_t0 + (t - last_t0) + 120.0
    t_contact = float(
        find_crossings(last_traj, axis_distance, last_t0, t_hi, n_grid=60, direction=-1)[0]
    )
    if not np.isfinite(t_contact):
        raise MissionError("final approach: the ship did not reach the port (no contact found)")

    # --- sample both trajectories for the result ---------------------------------------------
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
    asc_mask = t_grid < t_ins
    ship = np.empty((6, t_grid.size))
    ship[:, asc_mask] = launch.ascent_states(pad0, ship_ins, t_grid[asc_mask], ascent)
    ship[:, ~asc_mask] = ship_path(t_grid[~asc_mask])
    stn = station(t_grid)
    rel = frames.to_lvlh(stn, ship)
    phase_series = np.degrees(phasing.phase_angle(stn, ship))
    times = at_seconds(epoch, t_grid)
    ship_geo = np.array(frames.geodetic(ship[:3], times))
    st_geo = np.array(frames.geodetic(stn[:3], times))

    # Closest approach before the final approach (the keep-out check), on the sampled path.
    t_final = phase_marks["final approach"]
    before = (t_grid >= t_as) & (t_grid <= t_final)
    prox_traj_min = float(np.min(np.linalg.norm(rel[:3, before], axis=0)))
    far = (t_grid >= t_ins) & (t_grid < t_as)
    far_min = float(np.min(np.linalg.norm(rel[:3, far], axis=0)))
    rel_c = frames.to_lvlh(station(t_contact), ship_path(t_contact)[:, 0])
    d = rel_c[:3] - port_pos
    miss = float(np.linalg.norm(d - (d @ port_axis) * port_axis))
    speed = float(-(rel_c[3:] @ port_axis))

    perigee, apogee = _orbit_apsides(ship_ins)
    events = [Event(0.0, "liftoff", "liftoff"), Event(t_ins, "orbit insertion", "insertion")]
    events += [Event(b.t, b.label, "burn") for b in burns[:4]]
    phases = [
        Phase("ascent", 0.0, t_ins),
        Phase("phasing", t_ins, float(t_burns[2])),
        Phase("transfer", float(t_burns[2]), t_as),
    ]
    order = ["approach", "flyaround", "hold", "final approach"]
    for i, name in enumerate(order):
        start = phase_marks[name]
        end = phase_marks[order[i + 1]] if i + 1 < len(order) else t_contact
        phases.append(Phase(name, start, end))
        events.append(Event(start, f"{name} starts", "phase"))
    events.append(Event(t_contact, f"contact at {port_def.name}", "contact"))
    events.sort(key=lambda e: e.t)

    return MissionResult(
        flight=str(cfg.flight),
        scheme=scheme.name,
        epoch=epoch,
        site_name=site.name,
        site_lat_deg=site.lat_deg,
        site_lon_deg=site.lon_deg,
        port=Port(port_def.name, port_pos, port_axis),
        t=t_grid,
        ship=ship,
        station=stn,
        relative=rel,
        burns=tuple(burns),
        events=tuple(events),
        phases=tuple(phases),
        t_insertion=t_ins,
        t_contact=t_contact,
        phase_angle_insertion_deg=phase_ins,
        tle_epoch=es.epoch,
        real_docking=cfg.real_docking,
        keepout_radius_m=prof.keepout_radius_m,
        approach_cone_half_angle_deg=prof.cone_half_angle_deg,
        hold_points=(hold,),
        phase_angle_deg=phase_series,
        ship_geodetic=ship_geo,
        station_geodetic=st_geo,
        windows=windows,
        insertion_perigee_km=perigee / 1e3,
        insertion_apogee_km=apogee / 1e3,
        out_of_plane_deg=float(np.degrees(oop)),
        contact_speed_m_s=speed,
        contact_miss_m=miss,
        real_launch=cfg.real_launch,
        planned_docking=cfg.planned_docking,
        min_range_before_final_m=prox_traj_min,
        min_range_far_m=far_min,
        ship_path=_FlightPath(pad0, ship_ins, ascent, t_ins, ship_path),
        station_path=station,
    )
