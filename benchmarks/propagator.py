"""Benchmark: batch orbit propagation vs a naive SciPy loop and heyoka's batch Taylor integrator.

Problem: a 3-hour J2-only coast (no drag, pole = GCRS z) of N ISS-like LEO states
(a = R_E + 420 km, e uniform in [0.0005, 0.01], i = 51.6 deg, RAAN / argument of perigee / true
anomaly uniform, fixed seed), N in {1, 100, 1000, 10000}.

Methods, all in this one process, single-threaded Python driving each:
- ours: ``rendezvous.propagate.propagate(..., method="auto", dense=False)`` on the whole (6, N)
  batch (Stormer-Cowell order 10, corrected PEC, h = 0.11 rad / n at the lowest perigee; also
  timed with dense output kept, ``dense=True``);
- scipy: ``scipy.integrate.solve_ivp(method="DOP853")`` looping over the states one at a time,
  with a lean plain-float right-hand side of the same equations, and again with the package's
  ``ForceModel.gravity`` on each (3,) state; for N > 100 a subset of 100 states is timed and the
  time scaled by N/100 (marked "extrapolated");
- heyoka: ``heyoka.taylor_adaptive_batch`` (batch size = heyoka.recommended_simd_size()) compiled
  once (compile time excluded and printed separately), looping over the batches.

Accuracy: each method's final positions are compared with a tight reference, heyoka at
tol = 1e-15 (itself checked against SciPy DOP853 at rtol = 1e-13 on a few states). The max
position error over the batch is printed for every method and N, measured on the same run
configuration that is timed. SciPy and heyoka tolerances were chosen (loosest of a short list)
so that their max error at N = 100 is <= 1 m; the choice is printed.

Wall times: median and minimum of several runs (``--repeat``; ours and heyoka interleaved, run
for run), all single-threaded (OPENBLAS_NUM_THREADS=1 is set before numpy loads). The machine's
load average is printed before and after: other processes on a shared 2-core machine inflate
every time, the memory-bound numpy code more than heyoka's compiled kernels, so compare methods
within one run and prefer the minimum on a loaded machine. CPU times (``time.process_time``) of
ours and heyoka at the largest N are printed too: on a loaded machine they are steadier than wall
times (they leave out the time spent waiting for a core). Usage:

    python benchmarks/propagator.py [--repeat 5] [--quick]
"""

from __future__ import annotations

import os

# Single-threaded BLAS for every method (set before numpy loads OpenBLAS): on this 2-core machine
# OpenBLAS threads fight other processes and make the small matrix products erratic.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse  # noqa: E402
import math  # noqa: E402
import platform  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
from scipy.integrate import solve_ivp  # noqa: E402

from rendezvous.constants import J2, MU_EARTH, R_EARTH  # noqa: E402
from rendezvous.forces import ForceModel  # noqa: E402
from rendezvous.propagate import propagate  # noqa: E402

T_END = 3 * 3600.0
FORCE = ForceModel(degree=2, drag=False, pole=(0.0, 0.0, 1.0))


def initial_states(n, seed=20250408):
    """(6, n) GCRS states of ISS-like orbits (see module docstring)."""
    rng = np.random.default_rng(seed)
    a = R_EARTH + 420e3
    e = rng.uniform(0.0005, 0.01, n)
    inc = np.radians(51.6)
    raan = rng.uniform(0, 2 * np.pi, n)
    argp = rng.uniform(0, 2 * np.pi, n)
    nu = rng.uniform(0, 2 * np.pi, n)
    p = a * (1 - e * e)
    rn = p / (1 + e * np.cos(nu))
    # perifocal
    r_pf = np.stack((rn * np.cos(nu), rn * np.sin(nu), np.zeros(n)))
    k = np.sqrt(MU_EARTH / p)
    v_pf = np.stack((-k * np.sin(nu), k * (e + np.cos(nu)), np.zeros(n)))
    co, so = np.cos(raan), np.sin(raan)
    cw, sw = np.cos(argp), np.sin(argp)
    ci, si = np.cos(inc), np.sin(inc)
    rot = np.array(
        [
            [co * cw - so * sw * ci, -co * sw - so * cw * ci, so * si * np.ones(n)],
            [so * cw + co * sw * ci, -so * sw + co * cw * ci, -co * si * np.ones(n)],
            [sw * si, cw * si, ci * np.ones(n)],
        ]
    )  # (3, 3, n)
    r = np.einsum("ijn,jn->in", rot, r_pf)
    v = np.einsum("ijn,jn->in", rot, v_pf)
    return np.concatenate((r, v))


# ---------------------------------------------------------------------------------------------
def run_ours(y0, dense=False):
    tr = propagate(y0, 0.0, T_END, FORCE, method="auto", dense=dense)
    return tr.final


_K2 = 1.5 * J2 * R_EARTH**2


def _rhs(t, y):
    """Two-body + J2 (pole z) for one state, plain Python floats: a lean naive right-hand side
    (same equations as ``ForceModel(degree=2).gravity``)."""
    x, yy, z, vx, vy, vz = y
    r2 = x * x + yy * yy + z * z
    ir2 = 1.0 / r2
    mu_r3 = MU_EARTH * ir2 * math.sqrt(ir2)
    k2 = _K2 * ir2
    big_a = -mu_r3 * (1.0 + k2 * (1.0 - 5.0 * z * z * ir2))
    big_b = -mu_r3 * 2.0 * k2 * z
    return np.array((vx, vy, vz, big_a * x, big_a * yy, big_a * z + big_b))


def _rhs_force_model(t, y):
    """The package's ForceModel on one (3,) state: what a user of the package would loop over."""
    out = np.empty(6)
    out[:3] = y[3:]
    out[3:] = FORCE.gravity(y[:3])
    return out


def run_scipy(y0, rtol, atol, rhs=_rhs):
    out = np.empty_like(y0)
    for i in range(y0.shape[1]):
        sol = solve_ivp(rhs, (0.0, T_END), y0[:, i], method="DOP853", rtol=rtol, atol=atol)
        out[:, i] = sol.y[:, -1]
    return out


class Heyoka:
    """heyoka batch integrator for two-body + J2 (pole z), compiled once per tolerance."""

    def __init__(self, tol):
        import heyoka as hy

        self.hy = hy
        self.bs = hy.recommended_simd_size()
        x, y, z, vx, vy, vz = hy.make_vars("x", "y", "z", "vx", "vy", "vz")
        r2 = x * x + y * y + z * z
        ir2 = 1.0 / r2
        mu_r3 = MU_EARTH * ir2 * hy.sqrt(ir2)
        u2 = z * z * ir2
        k2 = 1.5 * J2 * R_EARTH**2 * ir2
        big_a = -mu_r3 * (1.0 + k2 * (1.0 - 5.0 * u2))
        big_b = -mu_r3 * 2.0 * k2 * z
        sys = [
            (x, vx),
            (y, vy),
            (z, vz),
            (vx, big_a * x),
            (vy, big_a * y),
            (vz, big_a * z + big_b),
        ]
        t = time.perf_counter()
        self.ta = hy.taylor_adaptive_batch(sys, state=np.zeros((6, self.bs)), tol=tol)
        self.compile_s = time.perf_counter() - t
        self.tol = tol

    def run(self, y0):
        n = y0.shape[1]
        bs = self.bs
        nb = -(-n // bs)
        pad = np.concatenate((y0, np.repeat(y0[:, -1:], nb * bs - n, axis=1)), axis=1)
        out = np.empty_like(pad)
        ta = self.ta
        for b in range(nb):
            ta.state[:] = pad[:, b * bs : (b + 1) * bs]
            ta.set_time(0.0)
            ta.propagate_until(T_END)
            out[:, b * bs : (b + 1) * bs] = ta.state
        return out[:, :n]


# ---------------------------------------------------------------------------------------------
def timed(fn, repeat):
    """(median, minimum) wall time over ``repeat`` runs, and the last result."""
    times = []
    out = None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return (float(np.median(times)), float(np.min(times))), out


def timed_pair(fa, fb, repeat, cpu=None):
    """``timed`` for two functions, run alternately so that both see the same load. ``cpu``: a
    list that receives the (median, min) CPU times of a and of b."""
    ta, tb, ca, cb = [], [], [], []
    oa = ob = None
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        oa = fa()
        ta.append(time.perf_counter() - t)
        ca.append(time.process_time() - c)
        t, c = time.perf_counter(), time.process_time()
        ob = fb()
        tb.append(time.perf_counter() - t)
        cb.append(time.process_time() - c)
    if cpu is not None:
        cpu.extend([(float(np.median(x)), float(np.min(x))) for x in (ca, cb)])
    return (
        ((float(np.median(ta)), float(np.min(ta))), oa),
        ((float(np.median(tb)), float(np.min(tb))), ob),
    )


def _ms(t):
    return f"{t * 1e3:.1f} ms" if t >= 1e-3 else f"{t * 1e6:.0f} us"


def max_err(a, b):
    return float(np.max(np.linalg.norm(a[:3] - b[:3], axis=0)))


def machine():
    try:
        model = [
            ln.split(":", 1)[1].strip()
            for ln in subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines()
            if ln.startswith("Model name")
        ][0]
    except (OSError, IndexError):
        model = platform.processor() or "unknown"
    import heyoka
    import scipy

    return (
        f"CPU: {model}, {os.cpu_count()} cores; Python {platform.python_version()}, "
        f"numpy {np.__version__}, scipy {scipy.__version__}, heyoka {heyoka.__version__}"
    )


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--quick", action="store_true", help="N up to 1000 only")
    args = ap.parse_args()
    sizes = [1, 100, 1000] if args.quick else [1, 100, 1000, 10000]
    print(machine())
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    print(f"3 h J2-only coast, ISS-like LEO; median of {args.repeat} runs; 1 thread of Python each")

    y_all = initial_states(max(sizes))
    # Reference: heyoka at tol 1e-15, checked against SciPy DOP853 rtol 1e-13 on 5 states.
    ref_int = Heyoka(1e-15)
    ref = ref_int.run(y_all)
    chk = run_scipy(y_all[:, :5], 1e-13, 1e-9)
    ours_vs_scipy = max_err(run_ours(y_all[:, :5]), chk)
    print(
        f"reference: heyoka tol 1e-15; vs SciPy DOP853 rtol 1e-13 on 5 states: "
        f"{max_err(chk, ref[:, :5]) * 1e3:.3f} mm max (ours vs SciPy there: {ours_vs_scipy:.3f} m)"
    )

    # Tolerances for the baselines: loosest in the list meeting <= 1 m on the first 100 states.
    y100 = y_all[:, :100]
    scipy_tol = None
    for rtol in (1e-6, 1e-7, 1e-8, 1e-9, 1e-10, 1e-11, 1e-12):
        e = max_err(run_scipy(y100, rtol, rtol * 1e3), ref[:, :100])
        if e <= 1.0:
            scipy_tol = rtol
            break
    hy_int = None
    for tol in (1e-6, 1e-7, 1e-8, 1e-9, 1e-10, 1e-11, 1e-12, 1e-13):
        cand = Heyoka(tol)
        e = max_err(cand.run(y100), ref[:, :100])
        if e <= 1.0:
            hy_int = cand
            break
    print(
        f"SciPy DOP853 loop: rtol {scipy_tol:g}, atol {scipy_tol * 1e3:g} (m, m/s); "
        f"heyoka batch: tol {hy_int.tol:g}, batch size {hy_int.bs}, compile "
        f"{hy_int.compile_s:.2f} s (excluded)"
    )
    run_ours(y_all[:, :10])  # warm-up (imports, coefficient tables)

    rows = []
    for n in sizes:
        y0 = y_all[:, :n]
        r = ref[:, :n]
        cpu = []
        (t_ours, f_ours), (t_hy, f_hy) = timed_pair(
            lambda y0=y0: run_ours(y0), lambda y0=y0: hy_int.run(y0), args.repeat, cpu
        )
        t_dense, f_dense = timed(lambda y0=y0: run_ours(y0, dense=True), max(1, args.repeat // 2))
        n_sub = min(n, 100)
        t_sp, f_sp = timed(
            lambda y0=y0, n_sub=n_sub: run_scipy(y0[:, :n_sub], scipy_tol, scipy_tol * 1e3),
            1 if n_sub > 10 else 3,
        )
        t_sp_full = (t_sp[0] * n / n_sub, t_sp[1] * n / n_sub)
        t_fm, f_fm = timed(
            lambda y0=y0, n_sub=n_sub: run_scipy(
                y0[:, :n_sub], scipy_tol, scipy_tol * 1e3, _rhs_force_model
            ),
            1 if n_sub > 10 else 3,
        )
        rows.append(
            dict(
                n=n,
                ours=(t_ours, max_err(f_ours, r)),
                dense=(t_dense, max_err(f_dense, r)),
                heyoka=(t_hy, max_err(f_hy, r)),
                scipy=(t_sp_full, max_err(f_sp, r[:, :n_sub]), n_sub < n),
                scipy_fm=(
                    (t_fm[0] * n / n_sub, t_fm[1] * n / n_sub),
                    max_err(f_fm, r[:, :n_sub]),
                    n_sub < n,
                ),
                cpu=cpu,
            )
        )

    hours = T_END / 3600.0
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    print()
    print(
        "| N | method | wall time (median) | wall time (min) | traj-hours/s (median) "
        "| max pos. error | time / ours (dense=False), median (min) |"
    )
    print("|---:|---|---:|---:|---:|---:|---:|")
    for row in rows:
        n = row["n"]
        t0 = row["ours"][0]
        for key, label in (
            ("ours", "ours, dense=False"),
            ("dense", "ours, dense=True"),
            ("heyoka", "heyoka batch"),
            ("scipy", "SciPy DOP853 loop, lean float RHS"),
            ("scipy_fm", "SciPy DOP853 loop, ForceModel RHS"),
        ):
            (t, t_min), err = row[key][0], row[key][1]
            extra = " (extrapolated from 100)" if key.startswith("scipy") and row[key][2] else ""
            ratio = "" if key == "ours" else f"{t / t0[0]:.2f}x ({t_min / t0[1]:.2f}x)"
            print(
                f"| {n} | {label} | {_ms(t)}{extra} | {_ms(t_min)} | {n * hours / t:,.0f} "
                f"| {err:.3f} m | {ratio} |"
            )
    print()
    for row in rows:
        (co, co_min), (ch, ch_min) = row["cpu"]
        (to, to_min), (th, th_min) = row["ours"][0], row["heyoka"][0]
        print(
            f"N = {row['n']}: ours {_ms(to)} wall / {_ms(co)} CPU (median; min {_ms(to_min)} / "
            f"{_ms(co_min)}), heyoka {_ms(th)} / {_ms(ch)} (min {_ms(th_min)} / {_ms(ch_min)}); "
            f"heyoka time / ours: wall {th / to:.2f}x, CPU {ch / co:.2f}x "
            f"(min {th_min / to_min:.2f}x / {ch_min / co_min:.2f}x)"
        )


if __name__ == "__main__":
    main()
