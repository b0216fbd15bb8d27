"""Phasing: the phase angle, the choice of scheme, and the far-range burns solved by targeting.

Model
-----
After insertion the ship is some angle behind the station in (nearly) the same plane. Flying lower,
it catches up; four burns at fixed times of the scheme (two "loaded before launch" on the first
orbit, two to finish the rendezvous, FACTS.md: "the first two burns are loaded before launch and
flown on the first orbits; the onboard computer then computes the final rendezvous burns") bring
it to
the *approach start point* (AS), a point on the station's V-bar behind it, with no relative
velocity,
at the scheme's planned time. The burns are found in two steps:

1. A linear plan in relative orbital elements (ROE) of the ship with respect to the station:
   ``(da, dlambda, dex, dey, dix, diy)`` (m, rad, -, -, rad, rad), D'Amico (2010, PhD thesis, TU
   Munich, ch. 2) / Gauss variational equations for near-circular orbits. Tangential burns change
   ``da`` by ``2 dv_t / n`` and the eccentricity vector by ``2 dv_t / (n a) (cos u, sin u)``; normal
   burns change the inclination vector by ``dv_n / (n a) (cos u, sin u)``, which also drifts by the
   differential J2 nodal regression (``diy`` = dRAAN sin i); the mean longitude
   drifts at the difference of the two orbits' mean-longitude rates (Kepler plus secular J2,
   Vallado eqs. 9-41..9-43). Four tangential magnitudes solve the four in-plane conditions at AS
   (``da = 0``, ``de = 0``, ``dlambda`` = the AS offset); the out-of-plane components are the
   minimum-norm solution of the two inclination conditions.
2. Differential correction with the full force model: all twelve burn components are corrected by
   minimum-norm Newton steps until the ship's propagated state at AS matches the target position and
   velocity (six conditions) to metres and mm/s; the Jacobian comes from one vectorised
   propagation of
   13 states (finite differences).

The scheme window: for the insertion orbit at hand, the linear plan gives the total Delta-v as a
function of the phase angle; the scheme can be flown where that Delta-v is within ``dv_margin_m_s``
of its minimum (a propellant-margin definition of the window). With the default margin the windows
come out close to the published widths (FACTS.md: about 6, 22 and 150 deg; tested).

Phase angle convention: the angle from the ship to the station in the station's orbit plane,
measured
in the direction of motion; positive when the station is ahead.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .catalog import SCHEMES, Scheme
from .constants import J2, MU_EARTH, R_EARTH

__all__ = [
    "SCHEMES",
    "FarRangePlan",
    "Scheme",
    "SchemeWindow",
    "best_plan",
    "linear_plan",
    "mean_longitude_rate",
    "phase_angle",
    "relative_elements",
    "scheme_window",
    "window_region",
]

TWO_PI = 2.0 * np.pi


def _unit(a):
    return a / np.linalg.norm(a, axis=0)


def phase_angle(station, ship):
    """Phase angle (rad, in [-pi, pi)) of the station ahead of the ship, in the station's plane.

    station, ship: (6,) or (6, N) GCRS states.
    """
    station = np.asarray(station, dtype=float)
    ship = np.asarray(ship, dtype=float)
    h = _unit(np.cross(station[:3], station[3:6], axis=0))
    rs = ship[:3] - np.sum(ship[:3] * h, axis=0) * h
    sin = np.sum(np.cross(rs, station[:3], axis=0) * h, axis=0)
    cos = np.sum(rs * station[:3], axis=0)
    return np.arctan2(sin, cos)


def _plane_axes(station, pole):
    """Node direction N, in-plane normal Q = h x N and normal h of the station's orbit (3, ...)."""
    h = _unit(np.cross(station[:3], station[3:6], axis=0))
    pole = np.asarray(pole, dtype=float).reshape((3,) + (1,) * (h.ndim - 1))
    node = _unit(np.cross(pole * np.ones_like(h), h, axis=0))
    return node, np.cross(h, node, axis=0), h


def _mean_elements(state, node, q_axis):
    """a (m), mean argument of latitude (rad), e-vector components (ex, ey) in the node frame."""
    r, v = state[:3], state[3:6]
    rn = np.linalg.norm(r, axis=0)
    a = 1.0 / (2.0 / rn - np.sum(v * v, axis=0) / MU_EARTH)
    h = np.cross(r, v, axis=0)
    e_vec = np.cross(v, h, axis=0) / MU_EARTH - r / rn
    ex = np.sum(e_vec * node, axis=0)
    ey = np.sum(e_vec * q_axis, axis=0)
    u = np.arctan2(np.sum(r * q_axis, axis=0), np.sum(r * node, axis=0))
    lam = u - 2.0 * (ex * np.sin(u) - ey * np.cos(u))
    return a, lam, ex, ey, u


def relative_elements(station, ship, pole=(0.0, 0.0, 1.0)):
    """ROE of the ship w.r.t. the station: (6, ...) = (da m, dlambda rad, dex, dey, dix, diy).

    station, ship: (6,) or (6, N) GCRS states; pole: the Earth's axis in GCRS (node reference).
    dlambda is wrapped to [-pi, pi): minus the phase angle, to first order in eccentricity.
    """
    station = np.asarray(station, dtype=float)
    ship = np.asarray(ship, dtype=float)
    if ship.ndim > station.ndim:
        station = station[:, None] * np.ones_like(ship)
    node, q_axis, h = _plane_axes(station, pole)
    a0, l0, ex0, ey0, _ = _mean_elements(station, node, q_axis)
    a1, l1, ex1, ey1, _ = _mean_elements(ship, node, q_axis)
    h1 = _unit(np.cross(ship[:3], ship[3:6], axis=0))
    dh = h1 - h
    dlam = (l1 - l0 + np.pi) % TWO_PI - np.pi
    return np.array(
        [
            a1 - a0,
            dlam,
            ex1 - ex0,
            ey1 - ey0,
            -np.sum(dh * q_axis, axis=0),
            np.sum(dh * node, axis=0),
        ]
    )


def mean_longitude_rate(a, inc):
    """Secular rate of the mean argument of latitude (rad/s) of a near-circular orbit of semi-major
    axis ``a`` (m) and inclination ``inc`` (rad): Kepler plus J2 (Vallado eqs. 9-41..9-43, e =
    0)."""
    a = np.maximum(np.asarray(a, dtype=float), R_EARTH)  # below the surface: no meaning, no NaN
    n = np.sqrt(MU_EARTH / a**3)
    c2 = np.cos(inc) ** 2
    return n * (1.0 + 0.75 * J2 * (R_EARTH / a) ** 2 * ((3.0 * c2 - 1.0) + (5.0 * c2 - 1.0)))


@dataclass(frozen=True)
class FarRangePlan:
    """The linear far-range plan for a batch of M cases.

    dv_rtn: (4, 3, M) burn components (radial out, along-track, orbit normal), m/s.
    dv_total: (M,) sum of burn magnitudes, m/s. u: (4, M) ship argument of latitude at each burn.
    """

    dv_rtn: np.ndarray
    dv_total: np.ndarray
    u: np.ndarray


def linear_plan(
    roe0, a_st, inc, u_st0, t_burns, target_dlambda, *, iterations=8, out_of_plane=True
):
    """Four-burn linear far-range plan in ROE (module docstring, step 1), vectorised over M cases.

    roe0: (6, M) ROE at t = 0 (insertion). a_st: station semi-major axis (m); inc: inclination
    (rad);
    u_st0: station mean argument of latitude at t = 0 (rad). t_burns: (4,) burn times after t = 0
    (s);
    the last is the arrival at the approach start point. target_dlambda: the ship's mean-longitude
    offset at arrival (rad; negative = behind the station). out_of_plane: False plans the in-plane
    burns only (for windows: the launcher's aim plane takes care of the plane, see launch.py).
    """
    roe0 = np.asarray(roe0, dtype=float)
    if roe0.ndim == 1:
        roe0 = roe0[:, None]
    m = roe0.shape[1]
    t_burns = np.asarray(t_burns, dtype=float)
    n = np.sqrt(MU_EARTH / a_st**3)
    lam_rate_st = mean_longitude_rate(a_st, inc)
    da0, dl0, dex0, dey0, dix0, diy0 = roe0
    x = np.zeros((4, m))
    for _ in range(iterations):
        # Segment semi-major-axis offsets with the current guess: after burn k, da0 + 2/n sum x_j.
        da_seg = da0 + (2.0 / n) * np.concatenate([np.zeros((1, m)), np.cumsum(x, axis=0)])
        t_edges = np.concatenate([[0.0], t_burns])
        # Ship's mean argument of latitude at each burn from the drift so far.
        rates = mean_longitude_rate(a_st + da_seg[:4], inc) - lam_rate_st  # (4, M)
        dls = dl0 + np.cumsum(rates * np.diff(t_edges)[:, None], axis=0)
        u = u_st0 + lam_rate_st * t_burns[:, None] + dls  # (4, M)
        # Drift-rate sensitivity to da, taken at the station's orbit (a chord-Newton iteration:
        # the Jacobian stays regular however far the current guess is).
        eps = 10.0
        slope = (mean_longitude_rate(a_st + eps, inc) - lam_rate_st) / eps
        rate_now = mean_longitude_rate(a_st + da_seg, inc) - lam_rate_st
        # dlambda at arrival = dl0 + sum_s rate_s * dt_s, with rate_s linearised in x.
        dt = np.diff(t_edges)  # (4,): segments 0..3; segment 4 (after arrival) has zero length
        dl_f0 = dl0 + np.sum(rate_now[:4] * dt[:, None], axis=0)
        # d(dl_f)/d x_k = slope * (sum of the durations of the segments after burn k) * 2/n
        after = np.array([dt[k + 1 : 4].sum() for k in range(4)])
        d_dl = np.repeat((slope * after * 2.0 / n)[:, None], m, axis=1)
        A = np.zeros((m, 4, 4))
        A[:, 0, :] = 2.0 / n
        A[:, 1, :] = (2.0 / (n * a_st) * np.cos(u)).T
        A[:, 2, :] = (2.0 / (n * a_st) * np.sin(u)).T
        A[:, 3, :] = d_dl.T
        # Residuals relative to the current x (Newton step on the linearised system).
        res = np.stack(
            [
                da0 + (2.0 / n) * np.sum(x, axis=0),
                dex0 + np.sum(2.0 / (n * a_st) * np.cos(u) * x, axis=0),
                dey0 + np.sum(2.0 / (n * a_st) * np.sin(u) * x, axis=0),
                dl_f0 - target_dlambda,
            ],
            axis=1,
        )  # (M, 4)
        finite = np.all(np.isfinite(A), axis=(1, 2)) & np.all(np.isfinite(res), axis=1)
        A[~finite] = np.eye(4)
        res[~finite] = 0.0
        singular = ~finite | (
            np.abs(np.linalg.det(A)) < 1e-30 * np.max(np.abs(A), axis=(1, 2)) ** 4
        )
        A[singular] = np.eye(4)
        step = np.linalg.solve(A, res[..., None])[..., 0].T
        x = x - step
        x[:, singular] = np.nan
        if np.all(~np.isfinite(step) | (np.abs(step) < 1e-7)):
            break
    # Check the drift condition with the nonlinear rates; a case that has not converged is no plan.
    da_seg = da0 + (2.0 / n) * np.concatenate([np.zeros((1, m)), np.cumsum(x, axis=0)])
    rates = mean_longitude_rate(a_st + da_seg[:4], inc) - lam_rate_st
    miss = dl0 + np.sum(rates * np.diff(np.concatenate([[0.0], t_burns]))[:, None], axis=0)
    converged = np.abs(miss - target_dlambda) < 1e-5  # 70 m along-track
    # Out of plane: minimum-norm normal components removing (dix0, diy0) plus the drift of diy by
    # the differential J2 nodal regression of the segments flown at other heights (diy = dRAAN
    # sin i).
    from .launch import nodal_rate

    da_seg = da0 + (2.0 / n) * np.concatenate([np.zeros((1, m)), np.cumsum(x, axis=0)])
    d_raan = np.sum(
        (nodal_rate(np.maximum(a_st + da_seg[:4], R_EARTH), inc) - nodal_rate(a_st, inc))
        * np.diff(np.concatenate([[0.0], t_burns]))[:, None],
        axis=0,
    )
    B = np.stack([np.cos(u), np.sin(u)]) / (n * a_st)  # (2, 4, M)
    Bm = np.moveaxis(B, -1, 0)  # (M, 2, 4)
    rhs = -np.stack([dix0, diy0 + np.sin(inc) * d_raan], axis=1)[..., None]  # (M, 2, 1)
    BBt = Bm @ np.swapaxes(Bm, 1, 2)
    dv_n = (np.swapaxes(Bm, 1, 2) @ np.linalg.solve(BBt, rhs))[..., 0].T  # (4, M)
    if not out_of_plane:
        dv_n = np.zeros_like(dv_n)
    dv = np.stack([np.zeros_like(x), x, dv_n], axis=1)  # (4, 3, M)
    total = np.sum(np.linalg.norm(dv, axis=1), axis=0)
    # A plan whose intermediate orbit dips below 120 km (or diverged) is not a plan.
    da_all = da0 + (2.0 / n) * np.cumsum(x, axis=0)
    good = converged & np.all(a_st + da_all > R_EARTH + 120e3, axis=0)
    total = np.where(good, total, np.nan)
    return FarRangePlan(dv, total, u)


B3_SHIFTS_REV = (0.0, -0.1, 0.1, -0.2, 0.2)
"""Moves of the third burn tried, in revolutions, in this order, where the scheme's own times give
no plan (the four burns' arguments of latitude lining up make it singular); a real plan shifts a
burn too."""


def best_plan(roe0, a_st, inc, u_st0, t_burns, target_dlambda, *, out_of_plane=True):
    """:func:`linear_plan` with the scheme's times, or the first B3 move of ``B3_SHIFTS_REV`` that
    gives a plan where those times give none, per case.

    Returns (t_burns (4, M) used, FarRangePlan). Arguments as in :func:`linear_plan`.
    """
    roe0 = np.asarray(roe0, dtype=float)
    if roe0.ndim == 1:
        roe0 = roe0[:, None]
    period = TWO_PI / np.sqrt(MU_EARTH / a_st**3)
    m = roe0.shape[1]
    tb0 = np.array(t_burns, dtype=float)
    best = linear_plan(roe0, a_st, inc, u_st0, tb0, target_dlambda, out_of_plane=out_of_plane)
    best_tb = np.repeat(tb0[:, None], m, axis=1)
    dv_t, dv_rtn, u = best.dv_total.copy(), best.dv_rtn.copy(), best.u.copy()
    # Try the moves only where the scheme's own times give no plan (singular or not converged).
    idx = np.flatnonzero(~np.isfinite(dv_t))
    for shift in B3_SHIFTS_REV[1:]:
        if idx.size == 0:
            break
        tb = tb0.copy()
        tb[2] += shift * period
        p = linear_plan(
            roe0[:, idx], a_st, inc, u_st0, tb, target_dlambda, out_of_plane=out_of_plane
        )
        take = np.isfinite(p.dv_total)
        sel = idx[take]
        best_tb[:, sel] = tb[:, None]
        dv_t[sel], dv_rtn[:, :, sel], u[:, sel] = (
            p.dv_total[take],
            p.dv_rtn[:, :, take],
            p.u[:, take],
        )
        idx = idx[~take]
    best = FarRangePlan(dv_rtn, dv_t, u)
    return best_tb, best


@dataclass(frozen=True)
class SchemeWindow:
    """A scheme's phase-angle window for one insertion: lo_deg..hi_deg (phase angle, station ahead),
    the phase angle of minimum planned Delta-v and that Delta-v (m/s)."""

    scheme: str
    lo_deg: float
    hi_deg: float
    best_deg: float
    dv_min_m_s: float

    def contains(self, phase_deg: float) -> bool:
        return any(self.lo_deg <= p <= self.hi_deg for p in (phase_deg, phase_deg + 360.0))

    @property
    def width_deg(self) -> float:
        return self.hi_deg - self.lo_deg


def window_region(ok, i, gap):
    """Index range [lo, hi] of the run of ``ok`` (bool (n,)) that contains index ``i``, with inner
    gaps of at most ``gap`` samples bridged.

    With burn times fixed, isolated phases where the four burns' arguments of latitude line up (two
    pairs half a revolution apart, u3 = u1 mod pi) make the eccentricity control singular; a real
    plan shifts a burn by minutes there, so such narrow gaps do not end a window.
    """
    ok = np.array(ok, dtype=bool)
    bad = np.flatnonzero(~ok)
    if bad.size:
        for run in np.split(bad, np.flatnonzero(np.diff(bad) > 1) + 1):
            if run[0] > 0 and run[-1] < ok.size - 1 and run.size <= gap:
                ok[run] = True
    lo = i
    while lo > 0 and ok[lo - 1]:
        lo -= 1
    hi = i
    while hi < ok.size - 1 and ok[hi + 1]:
        hi += 1
    return lo, hi


def scheme_window(
    scheme: Scheme, roe0, a_st, inc, u_st0, t_burns, target_dlambda, *, step_deg=0.1, bridge_deg=5.0
):
    """The phase-angle window of ``scheme`` for an insertion with ROE ``roe0`` (6,).

    In-plane Delta-v only: the quasi-coplanar aim plane of the launcher takes care of the plane.
    Scans phase angles from -30 to 390 deg (the phase enters the ROE as dlambda = -phase) and keeps
    the contiguous range around the minimum of the planned Delta-v where it is within the scheme's
    margin (gaps narrower than ``bridge_deg`` bridged, see the code). Other arguments as in
    :func:`linear_plan`.
    """
    phases = np.radians(np.arange(-30.0, 390.0 + step_deg, step_deg))
    roe = np.repeat(np.asarray(roe0, dtype=float)[:, None], phases.size, axis=1)
    roe[1] = -phases
    _, plan = best_plan(roe, a_st, inc, u_st0, t_burns, target_dlambda, out_of_plane=False)
    dv = np.where(np.isfinite(plan.dv_total), plan.dv_total, np.inf)
    i = int(np.argmin(dv))
    ok = dv <= dv[i] + scheme.dv_margin_m_s
    lo, hi = window_region(ok, i, int(round(bridge_deg / step_deg)))
    deg = np.degrees(phases)
    return SchemeWindow(scheme.name, float(deg[lo]), float(deg[hi]), float(deg[i]), float(dv[i]))
