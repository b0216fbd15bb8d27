"""rendezvous: simulate and draw an orbital rendezvous and docking, from liftoff to contact.

The core is pure SI numpy/SciPy: states are ``(6,)`` or ``(6, N)`` arrays of position (m) and
velocity (m/s) in GCRS, times are float seconds since a scenario epoch. File reading lives in
:mod:`rendezvous.ephemeris` and :mod:`rendezvous.io`, drawing in :mod:`rendezvous.plotting`, the
command line in :mod:`rendezvous.cli`.
"""

__version__ = "0.1.0"
