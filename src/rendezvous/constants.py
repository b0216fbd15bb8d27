"""Physical constants in SI units, each with its source.

Gravity model: EGM96 zonal harmonics J2..J4 (unnormalised, J_n = -C_n0 * sqrt(2n + 1), from the
tide-free normalised C_n0 of Lemoine et al. (1998), "The Development of the Joint NASA GSFC and
the National Imagery and Mapping Agency (NIMA) Geopotential Model EGM96", NASA/TP-1998-206861)
with the WGS-84 gravitational parameter and equatorial radius (NIMA TR8350.2, 3rd ed., 2000).
These constants were labelled EGM2008 until issue 9, but the values are EGM96's; EGM2008's
(Pavlis et al. 2012, JGR 117, B04406: C20 = -4.84165143790815e-4, so J2 = 1.0826261738e-3) differ
by 5e-7 relative in J2, far below the other errors of this simulation. The EGM2008 option
(``forces.GRAVITY_MODELS["egm2008-8x8"]``) takes all its coefficients, zonals included, and its GM
and radius from the shipped EGM2008 file (``geopotential``), not from these constants.
"""

MU_EARTH = 3.986004418e14
"""Earth's gravitational parameter GM, m^3/s^2 (WGS-84; EGM96's own is 3.986004415e14)."""

R_EARTH = 6378137.0
"""Earth's equatorial radius, m (WGS-84; EGM96's reference radius is 6378136.3 m)."""

F_EARTH = 1.0 / 298.257223563
"""Flattening of the WGS-84 ellipsoid."""

J2 = 1.08262668355e-3
"""Second zonal harmonic (EGM96, C20 = -0.484165371736e-3 normalised)."""

J3 = -2.53265648533e-6
"""Third zonal harmonic (EGM96, C30 = 0.957254173792e-6 normalised)."""

J4 = -1.61962159137e-6
"""Fourth zonal harmonic (EGM96, C40 = 0.539873863789e-6 normalised)."""

OMEGA_EARTH = 7.292115e-5
"""Earth's rotation rate, rad/s (WGS-84 nominal, sidereal)."""

G0 = 9.80665
"""Standard gravity, m/s^2 (used only to quote accelerations in g)."""

DAY = 86400.0
"""Seconds in a day."""
