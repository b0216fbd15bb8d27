"""Batch orbit propagation: many spacecraft states stepped together, with impulsive burns.

All ``N`` states of a ``(6, N)`` batch share the integrator's time steps, so every force
evaluation is one set of array operations over the batch (no Python loop over states).

Integrators (``method`` of ``propagate``):

- ``"dop853"``: adaptive Dormand-Prince 8(5,3) (Hairer, Norsett & Wanner, *Solving Ordinary
  Differential Equations I*, 2nd ed., sec. II.5 and II.10; tableau copied in
  ``dop853_tableau``), one step size shared by the batch and chosen from the worst state's error
  estimate; 7th-order dense output (3 extra stages per step). Module ``dop853``.
- ``"multistep"``: fixed-step Stormer-Cowell predictor-corrector for ``r'' = a(t, r, r')``
  (module ``multistep``): explicit (Stormer) predictor on the ``order`` newest accelerations,
  implicit (Cowell) corrector, PECE (PEC for order 10 or 12 at short steps: ``PEC_MAX_PHASE``;
  corrected PEC, PEC-C, for order 10 at somewhat longer ones: ``PECC_MAX_PHASE``); order 12 by
  default with a given step. Each segment (between impulses) is started (module ``start``) with
  DOP853 steps of 2h or 3h whose interior nodes are then found by collocation with all start-up
  accelerations. Dense output: quintic Hermite interpolation of position/velocity/acceleration at
  the steps (position error ~ (n h)^6 r / 46080 for mean motion n: ~5 mm at h = 160 s in LEO,
  ~0.1 mm at the ``auto`` step; velocity ~1e-5 m/s).
- ``"auto"``: the multistep method of order 10 in PEC-C mode (one force evaluation per step)
  with h = 0.11 rad / n at the batch's lowest perigee (~97 s at the ISS): measured 0.013 m after
  3 h for ISS-like orbits with J2, and 0.03-0.26 m over 2-3 days two-body at 200 km, e <= 0.02
  (see benchmarks/RESULTS_propagator.md).

Impulses are applied instantaneously: the velocity jumps by ``dv`` and the integration restarts.

Modules: ``front`` (``propagate``, ``Impulse``), ``trajectory`` (``Trajectory``,
``PiecewiseTrajectory``), ``dop853`` and ``dop853_tableau``, ``multistep`` and its start-up
``start``, ``events``
(``find_crossings``, ``find_minimum`` on dense output), ``twobody`` (``kepler``, the closed-form
two-body propagation in universal variables), ``batch`` (shared checks and the right-hand side).

Left out: variable-step multistep, stiff solvers, finite-duration burns (the mission models burns
as impulses), propagation of covariance or state transition matrices.
"""

from __future__ import annotations

from .events import find_crossings, find_minimum
from .front import DEFAULT_FORCE, Impulse, propagate
from .multistep import (
    AUTO_ORDER,
    AUTO_STEP_PHASE,
    DEFAULT_ORDER,
    MAX_AUTO_STEP,
    MS_ORDERS,
    PEC_MAX_PHASE,
    PECC_MAX_PHASE,
    _adams_stormer,
    _interp_weights,
    _stormer_cowell,
)
from .start import _collocation_weights
from .trajectory import PiecewiseTrajectory, Trajectory
from .twobody import kepler

_MS_ORDERS = MS_ORDERS  # the name before the split

__all__ = [
    "Impulse",
    "Trajectory",
    "PiecewiseTrajectory",
    "propagate",
    "find_crossings",
    "find_minimum",
    "kepler",
    "DEFAULT_FORCE",
    "DEFAULT_ORDER",
    "AUTO_ORDER",
    "AUTO_STEP_PHASE",
    "MAX_AUTO_STEP",
    "PEC_MAX_PHASE",
    "PECC_MAX_PHASE",
    "MS_ORDERS",
    "_adams_stormer",
    "_interp_weights",
    "_collocation_weights",
    "_stormer_cowell",
]
