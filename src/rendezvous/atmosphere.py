"""Neutral atmosphere density for drag: a piecewise exponential model.

Model: the exponential atmosphere tabulated in Vallado, *Fundamentals of Astrodynamics and
Applications* (4th ed., 2013), Table 8-4, itself fitted to CIRA-72 (a mean solar/geomagnetic
activity atmosphere). Between base altitudes ``h0_k <= h < h0_{k+1}`` the density is

    rho(h) = rho0_k * exp(-(h - h0_k) / H_k)

with 28 layers from 0 to 1000 km. The input is altitude above the WGS-84 ellipsoid.

Range and limits:

- 0..1000 km is the tabulated range. Above 1000 km the last layer (base 1000 km, scale height
  268 km) is extrapolated; below 0 km the first layer (sea level, 7.249 km) is extrapolated, so the
  density keeps growing exponentially. NaN altitudes give NaN.
- The model is static: no solar flux, geomagnetic activity, local time (diurnal bulge) or season.
  Real densities near 400 km vary by a factor of several with the solar cycle (April 2025 was near
  solar maximum), which is why the mission scales drag through a ballistic coefficient fitted to the
  TLE (``forces.ballistic_from_bstar``) rather than trusting an absolute density.
- The density is continuous only approximately at layer boundaries (jumps of a few percent), as in
  the published table.
"""

from __future__ import annotations

import numpy as np

__all__ = ["density", "BASE_ALTITUDE", "BASE_DENSITY", "SCALE_HEIGHT"]

# Vallado (2013) Table 8-4: base altitude (km), nominal density (kg/m^3), scale height (km).
_TABLE_8_4 = (
    (0.0, 1.225, 7.249),
    (25.0, 3.899e-2, 6.349),
    (30.0, 1.774e-2, 6.682),
    (40.0, 3.972e-3, 7.554),
    (50.0, 1.057e-3, 8.382),
    (60.0, 3.206e-4, 7.714),
    (70.0, 8.770e-5, 6.549),
    (80.0, 1.905e-5, 5.799),
    (90.0, 3.396e-6, 5.382),
    (100.0, 5.297e-7, 5.877),
    (110.0, 9.661e-8, 7.263),
    (120.0, 2.438e-8, 9.473),
    (130.0, 8.484e-9, 12.636),
    (140.0, 3.845e-9, 16.149),
    (150.0, 2.070e-9, 22.523),
    (180.0, 5.464e-10, 29.740),
    (200.0, 2.789e-10, 37.105),
    (250.0, 7.248e-11, 45.546),
    (300.0, 2.418e-11, 53.628),
    (350.0, 9.518e-12, 53.298),
    (400.0, 3.725e-12, 58.515),
    (450.0, 1.585e-12, 60.828),
    (500.0, 6.967e-13, 63.822),
    (600.0, 1.454e-13, 71.835),
    (700.0, 3.614e-14, 88.667),
    (800.0, 1.170e-14, 124.64),
    (900.0, 5.245e-15, 181.05),
    (1000.0, 3.019e-15, 268.00),
)

BASE_ALTITUDE = np.array([row[0] for row in _TABLE_8_4]) * 1e3
"""Base altitude of each layer, m (Vallado 2013, Table 8-4)."""
BASE_DENSITY = np.array([row[1] for row in _TABLE_8_4])
"""Density at each layer's base altitude, kg/m^3 (Vallado 2013, Table 8-4)."""
SCALE_HEIGHT = np.array([row[2] for row in _TABLE_8_4]) * 1e3
"""Scale height of each layer, m (Vallado 2013, Table 8-4)."""

# Precomputed per layer: rho = exp(log_rho0 + h0/H - h/H) = exp(_LOG_C - h * _INV_H).
_INV_H = 1.0 / SCALE_HEIGHT
_LOG_C = np.log(BASE_DENSITY) + BASE_ALTITUDE * _INV_H
_INNER_EDGES = BASE_ALTITUDE[1:]


def density(altitude_m):
    """Atmospheric density at altitude ``altitude_m`` (m above the WGS-84 ellipsoid), kg/m^3.

    Vectorised: any array shape in gives the same shape out; a Python float gives a float.
    Piecewise exponential model of Vallado (2013) Table 8-4 (CIRA-72 based), tabulated for
    0..1000 km; outside that range the nearest layer is extrapolated (above 1000 km: the last,
    268 km scale height layer; below 0 km: the sea-level layer).
    """
    h = np.asarray(altitude_m, dtype=float)
    k = np.searchsorted(_INNER_EDGES, h, side="right")
    rho = np.exp(_LOG_C[k] - h * _INV_H[k])
    if rho.ndim == 0:
        return float(rho)
    return rho
