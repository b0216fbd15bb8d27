"""Physical constants in SI units, each with its source.

Gravity model: EGM2008 zonal harmonics J2..J4 (unnormalised, J_n = -C_n0 * sqrt(2n + 1)) with the
WGS-84 gravitational parameter and equatorial radius, as tabulated in Pavlis et al. (2012),
"The development and evaluation of the Earth Gravitational Model 2008 (EGM2008)", JGR 117, B04406,
and NIMA TR8350.2 (WGS-84, 3rd ed., 2000).
"""

MU_EARTH = 3.986004418e14
"""Earth's gravitational parameter GM, m^3/s^2 (WGS-84 / EGM2008)."""

R_EARTH = 6378137.0
"""Earth's equatorial radius, m (WGS-84; also the EGM2008 reference radius)."""

F_EARTH = 1.0 / 298.257223563
"""Flattening of the WGS-84 ellipsoid."""

J2 = 1.08262668355e-3
"""Second zonal harmonic (EGM2008, C20 = -4.84165143790815e-4 normalised)."""

J3 = -2.53265648533e-6
"""Third zonal harmonic (EGM2008, C30 = 9.57161207093473e-7 normalised)."""

J4 = -1.61962159137e-6
"""Fourth zonal harmonic (EGM2008, C40 = 5.39965866638991e-7 normalised)."""

OMEGA_EARTH = 7.292115e-5
"""Earth's rotation rate, rad/s (WGS-84 nominal, sidereal)."""

G0 = 9.80665
"""Standard gravity, m/s^2 (used only to quote accelerations in g)."""

DAY = 86400.0
"""Seconds in a day."""
