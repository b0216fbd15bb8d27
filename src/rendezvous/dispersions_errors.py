"""The error model of the Monte Carlo dispersions (``dispersions``) and its random numbers.

Error model (all 1-sigma, Gaussian, independent; ASSUMED values: no published Soyuz figures were
found for any of them; each is an order of magnitude chosen as stated, to be replaced by sourced
values):
- insertion: position 0.3 / 1.0 / 0.3 km and velocity 0.5 / 0.6 / 1.0 m/s (radial / along-track
  / cross-track): about 1 km of semi-major axis and 0.007 deg of plane, the order (3-sigma: a few
  km, a few hundredths of a degree) that launcher user's manuals give for direct injection into low
  orbit;
- burn execution: magnitude 0.5 % and pointing 0.5 deg per axis (two axes normal to the burn);
- navigation at re-targeting: relative position 30 m and velocity 0.03 m/s per LVLH axis
  (satellite navigation of both vehicles, before the Kurs radio system takes over);
- drag: the ship's Cd A/m and the atmosphere's density scaled by log-normal factors of 10 % and
  30 % (the density factor applies to both vehicles; exponential atmosphere of ``atmosphere``);
- Delta-v reserve for the re-targeting correction: 25 m/s;
- ground orbit determination for the ground burns (two-day B1/B2; the correction before B3 of
  the four-orbit and two-day schemes): 100 m per radial / along-track / normal axis, 0.05 m/s
  radial and normal velocity, 20 m semi-major axis (``dispersions_near``): values for an orbit
  tracked over many passes, ASSUMED also for the four-orbit correction, which comes only about
  0.4 revolution after B2 (``dispersions_near`` gives the sensitivity);
- approach: ``proximity.ApproachErrors`` (navigation errors shrinking with the range to the port,
  execution errors of each impulse).
The sensitivity to each source is in benchmarks/RESULTS_issue5.md: with these numbers the
insertion velocity error drives the correction on the two-orbit scheme (B1 and B2 loaded before
launch, no ground burn), the navigation and execution errors of B3 and B4 drive the miss at AS.
On the four-orbit scheme the ground's correction before B3 takes out most of the insertion
errors (without it, the along-track velocity error alone put 18 % of Soyuz MS-12 samples over
the reserve).

Reproducibility: the standard-normal numbers come in fixed blocks of ``BLOCK`` (1,000) samples;
sample ``i`` is row ``i % BLOCK`` of block ``i // BLOCK``. Each chunk (a range of sample indices)
draws its own rows, so the task graph holds no sample arrays. A sample's flight depends only on its
own row, not on the samples flown beside it (the propagator's given step and column-by-column
combinations, ``propagate``; the guidance's shared matrices applied by ``frames.mat_vec``): the
same seed gives bit-identical samples for any chunk size and any worker count, in-process or on a
Dask cluster (``parallel``; tested with chunks of 7, 50 and 200, and on 1 and 2 workers).

Random numbers per sample (:func:`n_draws` of the approach's legs): the 26 of the far range from
``np.random.default_rng([seed, block])``, then 15 for the ground burns and 9 per approach leg from
``[seed, block, 1]``, drawn number by number across the block (number ``j`` of the block's sample
``i`` is the ``j * BLOCK + i``-th of that stream): the far-range numbers do not depend on the
others, nor a leg's on how many legs are drawn. The draws are sized to the nominal flight's legs
(``dispersions.draws_per_sample``) with no margin: every sample flies the nominal's legs (their
schedule is fixed, ``proximity``), and a guidance that flew more would be refused by
``proximity.fly_approach``'s check of its numbers rather than reuse any.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .proximity import DRAWS_PER_LEG, NO_ERRORS, ApproachErrors

__all__ = [
    "BLOCK",
    "N_FAR",
    "N_GROUND",
    "NO_ERROR_MODEL",
    "ErrorModel",
    "draw",
    "draw_range",
    "n_draws",
]

N_FAR = 26
"""Far-range standard-normal numbers per sample: insertion position (3) and velocity (3) in RTN;
B1..B4 execution (magnitude, pointing 1, pointing 2) x 4; navigation position (3) and velocity (3)
in LVLH; log Cd A/m factor; log density factor."""

N_GROUND = 15
"""Numbers of the ground's burns: orbit determination before B1 (6; two-day), and for the
correction before B3 (6) with its execution (3) (four-orbit, two-day; ``dispersions_near``)."""


def n_draws(legs: int) -> int:
    """Standard-normal numbers per sample for an approach of ``legs`` legs: the far range, the
    ground burns and ``proximity.DRAWS_PER_LEG`` (9) per leg."""
    if int(legs) != legs or legs < 0:
        raise ValueError(f"legs: got {legs}; use a whole number >= 0")
    return N_FAR + N_GROUND + DRAWS_PER_LEG * int(legs)


BLOCK = 1000
"""Samples per block of random numbers (module docstring, reproducibility)."""


@dataclass(frozen=True, eq=False)
class ErrorModel:
    """1-sigma errors (module docstring; assumed values). RTN: radial, along-track, cross-track.

    insertion_pos_m, insertion_vel_m_s: (3,) in the ship's RTN frame at insertion (m, m/s);
    burn_magnitude: fraction of the burn; burn_pointing_deg: per axis normal to the burn, deg;
    nav_pos_m, nav_vel_m_s: per LVLH axis of the relative state at re-targeting (m, m/s);
    ballistic_sigma, density_sigma: log-normal sigma of the ship's Cd A/m and of the density;
    dv_reserve_m_s: re-targeting correction above which the sample falls back to a slower scheme;
    od_pos_m, od_vel_m_s, od_sma_m: ground orbit determination for the ground burns of the
    four-orbit and two-day schemes (``dispersions_near``): position per RTN axis, radial and
    normal velocity, semi-major axis;
    approach: the approach's ``proximity.ApproachErrors``.
    """

    insertion_pos_m: tuple[float, float, float] = (300.0, 1000.0, 300.0)
    insertion_vel_m_s: tuple[float, float, float] = (0.5, 0.6, 1.0)
    burn_magnitude: float = 0.005
    burn_pointing_deg: float = 0.5
    nav_pos_m: float = 30.0
    nav_vel_m_s: float = 0.03
    ballistic_sigma: float = 0.10
    density_sigma: float = 0.30
    dv_reserve_m_s: float = 25.0
    od_pos_m: float = 100.0
    od_vel_m_s: float = 0.05
    od_sma_m: float = 20.0
    approach: ApproachErrors = ApproachErrors()

    def __post_init__(self):
        vals = [
            *self.insertion_pos_m,
            *self.insertion_vel_m_s,
            self.burn_magnitude,
            self.burn_pointing_deg,
            self.nav_pos_m,
            self.nav_vel_m_s,
            self.ballistic_sigma,
            self.density_sigma,
            self.od_pos_m,
            self.od_vel_m_s,
            self.od_sma_m,
        ]
        if len(self.insertion_pos_m) != 3 or len(self.insertion_vel_m_s) != 3:
            raise ValueError("ErrorModel: insertion errors need three components (R, T, N)")
        if not all(np.isfinite(v) and v >= 0 for v in vals):
            raise ValueError("ErrorModel: 1-sigma errors must be finite and >= 0")
        if not self.dv_reserve_m_s > 0:
            raise ValueError("ErrorModel.dv_reserve_m_s: must be > 0 m/s")

    def describe(self) -> str:
        """The model in one paragraph (for the report)."""
        p, v, a = self.insertion_pos_m, self.insertion_vel_m_s, self.approach
        return (
            "error model (1-sigma, assumed): insertion position "
            f"{p[0]:g}/{p[1]:g}/{p[2]:g} m, velocity {v[0]:g}/{v[1]:g}/{v[2]:g} m/s (R/T/N); "
            f"burns {100 * self.burn_magnitude:g} % and {self.burn_pointing_deg:g} deg; "
            f"navigation {self.nav_pos_m:g} m, {self.nav_vel_m_s:g} m/s per LVLH axis; "
            f"Cd A/m x exp({self.ballistic_sigma:g} z), density x exp({self.density_sigma:g} z); "
            f"reserve {self.dv_reserve_m_s:g} m/s; ground tracking (4-orbit, 2-day ground burns) "
            f"{self.od_pos_m:g} m per R/T/N axis, {self.od_vel_m_s:g} m/s R/N, semi-major axis "
            f"{self.od_sma_m:g} m (as over many passes; assumed also for the 4-orbit correction "
            "~0.4 rev after B2); approach navigation "
            f"{100 * a.nav_pos_fraction:g} % of the range to the port (>= {a.nav_pos_min_m:g} m), "
            f"{a.nav_vel_per_s:g}/s x range (>= {a.nav_vel_min_m_s:g} m/s), impulses "
            f"{100 * a.burn_magnitude:g} % and {a.burn_pointing_deg:g} deg "
            f"(+ {a.burn_min_m_s:g} m/s)"
        )


NO_ERROR_MODEL = ErrorModel(
    insertion_pos_m=(0.0, 0.0, 0.0),
    insertion_vel_m_s=(0.0, 0.0, 0.0),
    burn_magnitude=0.0,
    burn_pointing_deg=0.0,
    nav_pos_m=0.0,
    nav_vel_m_s=0.0,
    ballistic_sigma=0.0,
    density_sigma=0.0,
    od_pos_m=0.0,
    od_vel_m_s=0.0,
    od_sma_m=0.0,
    approach=NO_ERRORS,
)
"""Every error zero: a sample flies the nominal through the sample code (for checks, and as the
base of a one-source sensitivity run with ``dataclasses.replace``)."""


def _block(seed: int, b: int, legs: int) -> np.ndarray:
    far = np.random.default_rng([int(seed), int(b)]).standard_normal((BLOCK, N_FAR))
    rng = np.random.default_rng([int(seed), int(b), 1])
    near = rng.standard_normal((n_draws(legs) - N_FAR, BLOCK)).T  # number by number
    return np.concatenate([far, near], axis=1)


def draw_range(seed: int, start: int, stop: int, legs: int) -> np.ndarray:
    """(stop - start, ``n_draws(legs)``) standard-normal numbers of samples ``start`` ..
    ``stop - 1`` for an approach of ``legs`` legs (module docstring: fixed blocks of ``BLOCK``
    samples keyed by ``[seed, block]``)."""
    if int(start) != start or int(stop) != stop or not 0 <= start < stop:
        raise ValueError(f"start, stop: got {start}, {stop}; use whole numbers 0 <= start < stop")
    n_draws(legs)  # checks legs
    first, last = int(start) // BLOCK, (int(stop) - 1) // BLOCK
    rows = np.concatenate([_block(seed, b, legs) for b in range(first, last + 1)])
    return rows[int(start) - first * BLOCK : int(stop) - first * BLOCK]


def draw(n: int, seed: int, legs: int) -> np.ndarray:
    """(n, ``n_draws(legs)``) standard-normal numbers of samples 0 .. n - 1
    (:func:`draw_range`)."""
    if int(n) != n or n < 1:
        raise ValueError(f"n: got {n} samples; use a positive whole number")
    return draw_range(seed, 0, int(n), legs)
