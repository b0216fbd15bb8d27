"""A point-mass ascent of the Soyuz-2.1a, from liftoff to the ship's separation.

What it models
--------------
The launcher is a point mass flying in its aim plane (the quasi-coplanar insertion plane of the
``launch`` module), in inertial polar coordinates about the Earth's centre: radius ``r``, downrange
central angle ``theta`` from the pad at liftoff, radial and horizontal inertial speeds, mass.

- **Stages** (:data:`SOYUZ_2_1A`): the four strap-on boosters (blocks B, V, G, D, RD-107A), the core
  (block A, RD-108A), both lit on the pad, and the third stage (block I, RD-0110), lit at the core's
  cut-off ("fire in the hole") before the core separates. Each engine has a sea-level and a vacuum
  thrust and a vacuum specific impulse: the mass flow ``F_vac / (g0 Isp_vac)`` is constant and the
  thrust falls from vacuum by ``(F_vac - F_sl) p(h) / p0`` with the ambient pressure. Boosters and
  core burn to their published cut-off times; each stage is dropped at its published separation
  time with what it did not burn; the head (fairing, escape tower) and the third stage's aft
  section are dropped at their published times. The third stage burns until the ship separates
  (``duration_s``, the published 529 s: 243 s, as published for the RD-0110). Two masses are not
  published and are modelling choices: the third stage is loaded with what it burns plus its
  unusable residuals (with the 25.4 t of its full tanks the ascent falls 0.5 km/s short of the
  insertion orbit at 529 s), and the head's mass is what the published launch mass (311.7 t) leaves
  beside the stages and the ship (9.4 t). Numbers and sources: ``docs/sources.md`` ("Soyuz-2.1a
  point-mass ascent").
- **Gravity**: a point-mass Earth (``MU_EARTH``). J2 changes the 530 s arc by metres per second; the
  targeting below absorbs it into the pitch law.
- **Atmosphere**: the US Standard Atmosphere 1976 (NOAA/NASA/USAF, 1976) below 86 km (temperature,
  pressure, density of its seven layers); above 86 km the pressure is taken as zero and the density
  is the package's exponential model (``atmosphere.density``). The air turns with the Earth: its
  speed along the aim plane is the pad's, scaled with the radius (the cross-plane wind of about
  200 m/s at Baikonur and the latitude change along the track are left out).
- **Drag** of the stack: ``0.5 rho |v_rel|^2 Cd(M) S`` against the air-relative velocity, with ``S``
  the frontal area of the core and the four boosters (diameters 2.95 and 2.68 m) and a generic
  ``Cd(M)`` of a slender launcher (0.3 subsonic, 0.6 transonic peak, 0.25 hypersonic). This curve
  is an assumption, not Soyuz data; scaling it by 0.5 or 1.5 moves the separation point by less
  than 20 km (``tests/test_launch.py``).
- **Steering**: vertical rise to ``vertical_rise_s``, a pitch-over by a small angle ``kick`` until
  ``kick_end_s``, then a zero-angle-of-attack gravity turn (thrust along the air-relative
  velocity) while the boosters burn; from booster separation to the ship's separation a
  linear-tangent law, ``tan(pitch above the local horizontal) = a - b (t - t_sep1) / 100 s``, the
  classical form of the optimal exo-atmospheric steering (Bryson and Ho, *Applied Optimal
  Control*, 1975, section 2.7).
- **Targeting, not fitting**: the three numbers ``kick``, ``a``, ``b`` are solved so that at the
  published separation time the ship is at the perigee of the published insertion orbit (radius,
  zero flight-path angle and perigee speed). Nothing else is adjusted: the stage-event states, the
  maximum dynamic pressure and the downrange distance at separation are predictions of the model
  and are compared with published values in the tests. For MS-27 (Baikonur 31/6, 190 x 230 km):
  kick 3.5 deg; boosters separate at 50 km and 1.87 km/s, the core at 176 km and 4.0 km/s (inertial)
  490 km downrange; maximum dynamic pressure 36 kPa at 64 s; the ship separates 1,775 km downrange
  in the inertial aim plane, 1,621 km on the ground (the pad turns with the Earth; the published
  Soyuz-U separation state of 1997 lies 1,700 km from its pad).
  The ascent has about 0.13 km/s to spare: the same steering family reaches 7.93 km/s at most.

What it leaves out: the out-of-plane yaw steering (the launch module's ``yaw_capability_deg``), the
angle of attack and lift, engine throttling and the spread of thrust and Isp between engines,
winds, and the third stage's few seconds between cut-off and separation (the model cuts off at
separation; the ship's position then differs by well under a kilometre).

The ascent is solved once per (vehicle, payload, target, pad radius and speed) and cached, in about
0.3 s (6 to 8 ascents of 2 s RK4 steps): the launch window search calls the launch phase for
thousands of launch times.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .atmosphere import density as _upper_density
from .constants import G0, MU_EARTH, R_EARTH

__all__ = [
    "SOYUZ_2_1A",
    "AscentProfile",
    "Engine",
    "Jettison",
    "LaunchVehicle",
    "Stage",
    "solve_ascent",
    "standard_atmosphere",
]


@dataclass(frozen=True)
class Engine:
    """A rocket engine: sea-level and vacuum thrust (N) and vacuum specific impulse (s)."""

    thrust_sl_n: float
    thrust_vac_n: float
    isp_vac_s: float

    @property
    def mass_flow(self) -> float:
        """Propellant mass flow, kg/s (vacuum thrust over vacuum exhaust speed)."""
        return self.thrust_vac_n / (G0 * self.isp_vac_s)


@dataclass(frozen=True)
class Stage:
    """A stage: ``count`` identical units (4 boosters, 1 core...), each of ``dry_kg`` structure
    (with its unusable residuals) and ``propellant_kg`` loaded (None: loaded with what it burns
    until the ship separates), burning from ``ignition_s`` to ``cutoff_s`` (None: until the ship
    separates) and dropped at ``separation_s`` (None: it carries the ship to separation), times
    after liftoff."""

    name: str
    engine: Engine
    count: int
    dry_kg: float
    propellant_kg: float | None
    ignition_s: float
    cutoff_s: float | None
    separation_s: float | None

    def gross_kg(self, t_sep: float) -> float:
        """Loaded mass of one unit for a ship separating ``t_sep`` s after liftoff, kg."""
        if self.propellant_kg is not None:
            return self.dry_kg + self.propellant_kg
        return self.dry_kg + self.engine.mass_flow * (t_sep - self.ignition_s)


@dataclass(frozen=True)
class Jettison:
    """A mass dropped during the ascent: ``mass_kg`` at ``t_s`` after liftoff."""

    name: str
    mass_kg: float
    t_s: float


@dataclass(frozen=True)
class LaunchVehicle:
    """A launcher as a table entry: stages, jettisons, published launch mass with the reference
    payload, frontal area (m^2) for drag, the time the head (fairing, escape tower) is dropped and
    the steering times (s) of the vertical rise and the pitch-over."""

    name: str
    stages: tuple[Stage, ...]
    jettisons: tuple[Jettison, ...]
    launch_mass_kg: float
    reference_payload_kg: float
    frontal_area_m2: float
    head_jettison_s: float
    vertical_rise_s: float = 10.0
    kick_end_s: float = 20.0

    reference_separation_s: float = 529.0

    def head_mass_kg(self) -> float:
        """Launch mass not in the stages or the reference payload: head fairing, escape tower and
        payload adapter (the published launch mass closes the mass budget)."""
        t_sep = self.reference_separation_s
        stages = sum(s.count * s.gross_kg(t_sep) for s in self.stages)
        return self.launch_mass_kg - stages - self.reference_payload_kg


# Soyuz-2.1a (sources: docs/sources.md, "Soyuz-2.1a point-mass ascent"). Boosters: RD-107A,
# 839 / 1,020 kN, Isp 320.2 s vacuum, 3.8 t dry + 39.4 t propellant each, cut-off 117.7 s,
# separation 118.1 s. Core: RD-108A, 792 / 990 kN, Isp 320.6 s, 6.5 t dry + 90.5 t, cut-off
# 286.0 s, separation 287.7 s. Third stage: RD-0110, 298 kN vacuum, Isp 326 s, 2.4 t dry + 271 kg
# unusable residuals, loaded with what it burns (about 243 s, 22.7 t; see the module docstring);
# aft section (0.44 t) dropped about 9.7 s after the core separates. Head fairing with the
# escape tower: 157 s.
SOYUZ_2_1A = LaunchVehicle(
    name="Soyuz-2.1a",
    stages=(
        Stage("boosters", Engine(839e3, 1020e3, 320.2), 4, 3_800.0, 39_400.0, 0.0, 117.7, 118.1),
        Stage("core", Engine(792e3, 990e3, 320.6), 1, 6_500.0, 90_500.0, 0.0, 286.0, 287.7),
        Stage("third", Engine(0.0, 298e3, 326.0), 1, 2_671.0, None, 286.0, None, None),
    ),
    jettisons=(Jettison("third-stage aft section", 441.0, 297.4),),
    head_jettison_s=157.0,
    launch_mass_kg=311_700.0,
    reference_payload_kg=7_152.0,
    frontal_area_m2=math.pi / 4.0 * (2.95**2 + 4 * 2.68**2),
)

# US Standard Atmosphere 1976, layers below 86 km: base geopotential height (m), base temperature
# (K), lapse rate (K/m); base pressures follow from the barometric formula.
_US76 = (
    (0.0, 288.15, -0.0065),
    (11_000.0, 216.65, 0.0),
    (20_000.0, 216.65, 0.001),
    (32_000.0, 228.65, 0.0028),
    (47_000.0, 270.65, 0.0),
    (51_000.0, 270.65, -0.0028),
    (71_000.0, 214.65, -0.002),
)
_R_AIR = 287.053  # J/(kg K), US76
_P0 = 101_325.0
_GMR = 9.80665 * 0.0289644 / 8.31432  # g0 M / R*, K/m (US76)
_R0_GEOPOT = 6_356_766.0  # US76 radius for geopotential height, m


def _us76_base_pressures() -> tuple[float, ...]:
    out = [_P0]
    for (h0, t0, lapse), (h1, _, _) in zip(_US76[:-1], _US76[1:], strict=True):
        p0 = out[-1]
        if lapse == 0.0:
            out.append(p0 * math.exp(-_GMR * (h1 - h0) / t0))
        else:
            out.append(p0 * ((t0 + lapse * (h1 - h0)) / t0) ** (-_GMR / lapse))
    return tuple(out)


_US76_P = _us76_base_pressures()
_TOP_M = 86_000.0
_NO_AIR_M = 120_000.0  # above, the launcher's dynamic pressure is below 1 Pa: no air


def standard_atmosphere(altitude_m: float) -> tuple[float, float, float]:
    """(temperature K, pressure Pa, density kg/m^3) at geometric altitude ``altitude_m``.

    US Standard Atmosphere 1976 below 86 km; above, pressure zero, temperature 186.9 K and the
    density of ``atmosphere.density`` up to 120 km, zero beyond (a launcher's dynamic pressure
    there is below 1 Pa). Below sea level the first layer is extrapolated.
    """
    if altitude_m >= _NO_AIR_M:
        return 186.87, 0.0, 0.0
    if altitude_m >= _TOP_M:
        return 186.87, 0.0, float(_upper_density(altitude_m))
    altitude_m = max(altitude_m, -5_000.0)  # a trajectory tried while targeting may dive
    h = _R0_GEOPOT * altitude_m / (_R0_GEOPOT + altitude_m)  # geopotential height
    k = len(_US76) - 1
    while k > 0 and h < _US76[k][0]:
        k -= 1
    h0, t0, lapse = _US76[k]
    temp = t0 + lapse * (h - h0)
    if lapse == 0.0:
        p = _US76_P[k] * math.exp(-_GMR * (h - h0) / t0)
    else:
        p = _US76_P[k] * (temp / t0) ** (-_GMR / lapse)
    return temp, p, p / (_R_AIR * temp)


# Generic drag coefficient of a slender launcher against Mach number (assumption, see docstring).
_CD_MACH = (0.0, 0.6, 0.9, 1.1, 1.3, 2.0, 3.0, 5.0)
_CD = (0.30, 0.30, 0.45, 0.60, 0.58, 0.45, 0.32, 0.25)


def drag_coefficient(mach: float) -> float:
    """Generic Cd(M) of the stack (piecewise linear, constant beyond the table)."""
    if mach >= _CD_MACH[-1]:
        return _CD[-1]
    k = bisect_right(_CD_MACH, mach) - 1
    f = (mach - _CD_MACH[k]) / (_CD_MACH[k + 1] - _CD_MACH[k])
    return _CD[k] + f * (_CD[k + 1] - _CD[k])


@dataclass(frozen=True)
class _Flight:
    """What the integrator needs besides the steering: the vehicle, the payload (kg), the pad's
    geocentric radius (m), its height (m) and its inertial speed along the aim plane (m/s)."""

    vehicle: LaunchVehicle
    payload_kg: float
    r_pad: float
    pad_height_m: float
    v_pad: float


def _segment(fl: _Flight, steer, mode_t: float) -> tuple[float, float, float, int]:
    """What holds between two events, for the segment containing ``mode_t`` (s after liftoff):
    the summed vacuum thrust (N), its loss per unit of ambient pressure ratio ``p / p0`` (N), the
    mass flow (kg/s) of the engines burning, and the steering phase (0 vertical rise, 1
    pitch-over, 2 gravity turn, 3 linear tangent)."""
    f_vac = f_loss = flow = 0.0
    for s in fl.vehicle.stages:
        if mode_t < s.ignition_s or (s.cutoff_s is not None and mode_t >= s.cutoff_s):
            continue
        e = s.engine
        f_vac += s.count * e.thrust_vac_n
        f_loss += s.count * (e.thrust_vac_n - e.thrust_sl_n)
        flow += s.count * e.mass_flow
    veh = fl.vehicle
    bounds = (veh.vertical_rise_s, veh.kick_end_s, steer[3])
    phase = sum(mode_t >= b for b in bounds)
    return f_vac, f_loss, flow, phase


def _pitch(fl: _Flight, steer, t: float, phase: int, vr: float, vt_rel: float):
    """Thrust direction as (sin, cos) of the pitch above the local horizontal at ``t`` in the
    steering ``phase`` (see :func:`_segment`)."""
    kick, a, b, t_lt = steer  # t_lt: start of the linear-tangent law
    if phase == 0:
        return 1.0, 0.0
    if phase == 1:
        veh = fl.vehicle
        frac = (t - veh.vertical_rise_s) / (veh.kick_end_s - veh.vertical_rise_s)
        ang = 0.5 * math.pi - kick * frac
        return math.sin(ang), math.cos(ang)
    if phase == 2:  # gravity turn: along the air-relative velocity
        speed = math.hypot(vr, vt_rel)
        return vr / speed, vt_rel / speed
    tan_p = a - b * (t - t_lt) / 100.0
    c = 1.0 / math.sqrt(1.0 + tan_p * tan_p)
    return tan_p * c, c


def _booster_separation(veh: LaunchVehicle) -> float:
    """Start of the linear-tangent steering: the first separation (the boosters'), s."""
    return min(s.separation_s for s in veh.stages if s.separation_s is not None)


def _rates(fl: _Flight, steer, t: float, y: tuple[float, ...], seg):
    """Time derivatives of (r, theta, vr, vt, m) and the dynamic pressure (Pa) at ``t`` within the
    segment ``seg`` (:func:`_segment`)."""
    r, _, vr, vt, m = y
    f_vac, f_loss, flow, phase = seg
    vt_rel = vt - fl.v_pad * r / fl.r_pad
    sin_p, cos_p = _pitch(fl, steer, t, phase, vr, vt_rel)
    alt = r - fl.r_pad + fl.pad_height_m
    if alt >= _NO_AIR_M:
        ar, at, q = f_vac * sin_p / m, f_vac * cos_p / m, 0.0
    else:
        temp, p, rho = standard_atmosphere(alt)
        v_rel = math.hypot(vr, vt_rel)
        q = 0.5 * rho * v_rel * v_rel
        thrust = f_vac - f_loss * p / _P0
        drag = 0.0
        if v_rel > 0.0:
            mach = v_rel / math.sqrt(1.4 * _R_AIR * temp)
            drag = q * drag_coefficient(mach) * fl.vehicle.frontal_area_m2 / v_rel
        ar = (thrust * sin_p - drag * vr) / m
        at = (thrust * cos_p - drag * vt_rel) / m
    return (vr, vt / r, vt * vt / r - MU_EARTH / (r * r) + ar, -vr * vt / r + at, -flow), q


def _mass_drops(fl: _Flight, t_end: float) -> list[tuple[float, float]]:
    """(time, mass dropped) of the separations and jettisons before ``t_end``."""
    veh = fl.vehicle
    drops = [(veh.head_jettison_s, veh.head_mass_kg())]
    drops += [(j.t_s, j.mass_kg) for j in veh.jettisons]
    for s in veh.stages:
        if s.separation_s is None or s.cutoff_s is None:
            continue
        burnt = s.engine.mass_flow * (s.cutoff_s - s.ignition_s)
        drops.append((s.separation_s, s.count * (s.gross_kg(t_end) - burnt)))
    return sorted(d for d in drops if d[0] < t_end)


# RK4 step, s: the separation state is within 25 m and 0.1 m/s of 0.1 s steps.
_DT = 2.0


def _fly(fl: _Flight, steer, t_end: float, dt: float = _DT, record: bool = False):
    """Integrate the ascent from liftoff to ``t_end`` (classical RK4, steps of about ``dt`` s
    between events). Returns (final state, max q (Pa), time of max q (s), samples or None);
    the samples are rows (t, r, theta, vr, vt, m, q)."""
    veh = fl.vehicle
    m0 = sum(s.count * s.gross_kg(t_end) for s in veh.stages) + veh.head_mass_kg() + fl.payload_kg
    y: tuple[float, ...] = (fl.r_pad, 0.0, 0.0, fl.v_pad, m0)
    steer = (*steer[:3], _booster_separation(veh))
    drops = _mass_drops(fl, t_end)
    events = {veh.vertical_rise_s, veh.kick_end_s, t_end, *(d[0] for d in drops)}
    events |= {s.ignition_s for s in veh.stages} | {s.cutoff_s or 0.0 for s in veh.stages}
    bounds = sorted(e for e in events if 0.0 < e <= t_end)
    t, q_max, t_q = 0.0, 0.0, 0.0
    rows: list[tuple[float, ...]] | None = [] if record else None
    for t_next in bounds:
        n = max(1, math.ceil((t_next - t) / dt))
        h = (t_next - t) / n
        seg = _segment(fl, steer, 0.5 * (t + t_next))  # engines and steering of this segment
        for _ in range(n):
            k1, q = _rates(fl, steer, t, y, seg)
            if q > q_max:
                q_max, t_q = q, t
            if rows is not None:
                rows.append((t, *y, q))
            y2 = tuple(a + 0.5 * h * b for a, b in zip(y, k1, strict=True))
            k2, _ = _rates(fl, steer, t + 0.5 * h, y2, seg)
            y3 = tuple(a + 0.5 * h * b for a, b in zip(y, k2, strict=True))
            k3, _ = _rates(fl, steer, t + 0.5 * h, y3, seg)
            y4 = tuple(a + h * b for a, b in zip(y, k3, strict=True))
            k4, _ = _rates(fl, steer, t + h, y4, seg)
            y = tuple(
                a + h / 6.0 * (b1 + 2 * b2 + 2 * b3 + b4)
                for a, b1, b2, b3, b4 in zip(y, k1, k2, k3, k4, strict=True)
            )
            t += h
        t = t_next
        y = (*y[:4], y[4] - sum(d[1] for d in drops if d[0] == t_next))
    if rows is not None:
        rows.append((t, *y, _rates(fl, steer, t, y, _segment(fl, steer, t - 1e-9))[1]))
    return y, q_max, t_q, rows


@dataclass(frozen=True, eq=False)
class AscentProfile:
    """A solved ascent in the aim plane, relative to the pad at liftoff.

    steer: the solved (kick rad, a, b) of the steering law; t: (n,) s after liftoff; r: (n,)
    radius, m; theta: (n,) downrange central angle from the pad, rad; vr, vt: (n,) radial and
    horizontal inertial speed, m/s; mass: (n,) kg; q: (n,) dynamic pressure, Pa; q_max (Pa) and
    t_q_max (s); events: {name: index into the samples} of the stage separations and jettisons;
    propellant_margin_kg: third-stage propellant left at separation (negative: not flyable).
    """

    steer: tuple[float, float, float]
    t: np.ndarray
    r: np.ndarray
    theta: np.ndarray
    vr: np.ndarray
    vt: np.ndarray
    mass: np.ndarray
    q: np.ndarray
    q_max: float
    t_q_max: float
    events: dict[str, int]
    propellant_margin_kg: float

    @property
    def final(self) -> tuple[float, float, float, float]:
        """(radius m, downrange angle rad, radial speed m/s, horizontal speed m/s) at separation."""
        return float(self.r[-1]), float(self.theta[-1]), float(self.vr[-1]), float(self.vt[-1])

    def at(self, t) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(r, theta, vr, vt) interpolated at ``t`` (s after liftoff, clipped to the ascent)."""
        t = np.clip(np.asarray(t, dtype=float), self.t[0], self.t[-1])
        return tuple(np.interp(t, self.t, x) for x in (self.r, self.theta, self.vr, self.vt))


def _third_stage_margin(fl: _Flight, t_end: float) -> float:
    s = fl.vehicle.stages[-1]
    if s.propellant_kg is None:
        return 0.0
    return s.count * (s.propellant_kg - s.engine.mass_flow * (t_end - s.ignition_s))


def _profile(fl: _Flight, steer, t_end: float) -> AscentProfile:
    _, q_max, t_q, rows = _fly(fl, steer, t_end, record=True)
    a = np.array(rows)
    veh = fl.vehicle
    marks = {s.name + " separation": s.separation_s for s in veh.stages if s.separation_s}
    marks |= {s.name + " cut-off": s.cutoff_s for s in veh.stages if s.cutoff_s}
    marks |= {j.name: j.t_s for j in veh.jettisons} | {"head fairing": veh.head_jettison_s}
    # The last sample at or before each event (the state the stage leaves with).
    events = {k: int(np.searchsorted(a[:, 0], v, side="right") - 1) for k, v in marks.items()}
    return AscentProfile(
        (float(steer[0]), float(steer[1]), float(steer[2])),
        a[:, 0], a[:, 1], a[:, 2], a[:, 3], a[:, 4], a[:, 5], a[:, 6], q_max, t_q,
        events, _third_stage_margin(fl, t_end),
    )  # fmt: skip


# Where the solver starts: kick (deg), a, b of the MS-27-like case (Baikonur, 190 x 230 km, 529 s);
# any start near it converges to the same low-kick solution in a few Newton steps.
_FIRST_GUESS = (3.49, 0.376, 0.0699)


@lru_cache(maxsize=64)
def solve_ascent(
    vehicle: LaunchVehicle,
    payload_kg: float,
    t_sep: float,
    perigee_radius: float,
    perigee_speed: float,
    r_pad: float,
    pad_height_m: float,
    v_pad: float,
    guess: tuple[float, float, float] = _FIRST_GUESS,
) -> AscentProfile:
    """The ascent that puts the ship at the perigee (``perigee_radius`` m, ``perigee_speed`` m/s
    inertial, zero flight-path angle) at ``t_sep`` s after liftoff, from a pad at geocentric radius
    ``r_pad`` m (``pad_height_m`` above the ground) moving at ``v_pad`` m/s along the aim plane.

    The steering's three numbers (kick in deg, a, b) are found by Newton-Broyden iterations
    from ``guess``. Cached: the same arguments return the same
    profile. Raises ``ValueError`` when the target cannot be reached (naming what to change).
    """
    fl = _Flight(vehicle, payload_kg, r_pad, pad_height_m, v_pad)

    def miss(x):
        y, _, _, _ = _fly(fl, (math.radians(x[0]), x[1], x[2]), t_sep)
        return [(y[0] - perigee_radius) / 1e4, y[2] / 10.0, (y[3] - perigee_speed) / 10.0]

    x, f = _broyden(miss, np.asarray(guess, dtype=float))
    err = np.abs(f)
    if np.any(err > 0.01):  # 100 m, 0.1 m/s
        raise ValueError(
            f"ascent: the {vehicle.name} with a {payload_kg:.0f} kg payload cannot reach "
            f"{(perigee_radius - R_EARTH) / 1e3:.0f} km at {perigee_speed:.0f} m/s "
            f"in {t_sep:.0f} s "
            "(misses by "
            f"{err[0] * 10:.1f} km, {err[1] * 10:.0f} m/s vertical, {err[2] * 10:.0f} m/s); "
            "check the ascent's duration_s, insertion orbit and payload_kg"
        )
    return _profile(fl, (math.radians(x[0]), x[1], x[2]), t_sep)


def _broyden(fun, x, iterations: int = 20, tol: float = 1e-4):
    """Solve ``fun(x) = 0`` (3 equations, 3 unknowns): Newton steps with a forward-difference
    Jacobian, then Broyden's rank-one updates of it (Broyden 1965, Math. Comp. 19, 577), halving a
    step that does not reduce the residual. Returns (x, fun(x)) of the best point found."""
    f = np.asarray(fun(x), dtype=float)
    jac = np.empty((3, 3))
    for k, step in enumerate((1e-3, 1e-4, 1e-4)):  # kick deg, a, b
        dx = np.zeros(3)
        dx[k] = step
        jac[:, k] = (np.asarray(fun(x + dx)) - f) / step
    for _ in range(iterations):
        if np.max(np.abs(f)) < tol:
            break
        try:
            dx = -np.linalg.solve(jac, f)
        except np.linalg.LinAlgError:
            break
        for _ in range(6):
            f_new = np.asarray(fun(x + dx), dtype=float)
            if np.linalg.norm(f_new) < np.linalg.norm(f):
                break
            dx = 0.5 * dx
        else:
            break
        jac += np.outer(f_new - f - jac @ dx, dx) / (dx @ dx)
        x, f = x + dx, f_new
    return x, f
