"""CCSDS OEM files and burns.csv, read back with an independent reader (the ``oem`` package by
B. Rees, pypi.org/project/oem) and compared with ``trajectory.npz``.

Precision stated in rendezvous.ccsds: positions 1 mm, velocities 1 micrometre/s, epochs 1 us.
"""

from __future__ import annotations

import csv
import warnings

import numpy as np
import pytest
from outputs_fixture import ms27_outputs  # noqa: F401  (fixture)

from rendezvous import ccsds
from rendezvous.times import at_seconds, iso_utc

oem = pytest.importorskip("oem")

POS_TOL_KM = 0.5e-6  # half the last printed digit (1 mm)
VEL_TOL_KM_S = 0.5e-9  # half of 1 micrometre/s


def _read_oem(path):
    with warnings.catch_warnings():  # astropy may warn about its leap-second table's age
        warnings.simplefilter("ignore")
        return oem.OrbitEphemerisMessage.open(path)


def _npz(folder):
    return np.load(folder / "trajectory.npz")


def _epoch_str(result, t):
    return [s[:-1] for s in iso_utc(at_seconds(result.epoch, np.atleast_1d(t)), digits=6)]


def test_oem_header_and_metadata(ms27_outputs):  # noqa: F811
    text = (ms27_outputs / "ship.oem").read_text()
    assert text.startswith("CCSDS_OEM_VERS = 2.0\n")
    ephem = _read_oem(ms27_outputs / "ship.oem")
    assert ephem.version == "2.0"
    for seg in ephem:
        md = seg.metadata
        assert md["REF_FRAME"] == "GCRF"  # CCSDS 502.0-B-2 annex A lists GCRF
        assert md["TIME_SYSTEM"] == "UTC"
        assert md["CENTER_NAME"] == "EARTH"
    st = _read_oem(ms27_outputs / "station.oem")
    assert [s.metadata["OBJECT_ID"] for s in st] == ["1998-067A"]


def test_ship_segments_split_at_insertion_and_burns(ms27_outputs, ms27_result):  # noqa: F811
    ephem = _read_oem(ms27_outputs / "ship.oem")
    segs = list(ephem)
    burn_times = sorted({b.t for b in ms27_result.burns})
    assert len(segs) == 2 + len(burn_times)  # ascent, coast after insertion, one per burn time
    starts = [str(s.metadata["START_TIME"].isot) for s in segs]
    cuts = [0.0, ms27_result.t_insertion, *burn_times]
    assert starts == _epoch_str(ms27_result, np.array(cuts))
    # at each burn, the segment before ends and the next starts at the same epoch, and the
    # velocity jumps by the burn's Delta-v (summed over burns at that time)
    for k, tb in enumerate(burn_times):
        before, after = list(segs[k + 1].states)[-1], list(segs[k + 2].states)[0]
        assert np.allclose(before.position, after.position, atol=POS_TOL_KM)
        dv = sum(b.dv for b in ms27_result.burns if b.t == tb) / 1e3
        assert np.allclose(after.velocity - before.velocity, dv, atol=2 * VEL_TOL_KM_S)


@pytest.mark.parametrize("who", ["ship", "station"])
def test_oem_states_equal_npz(ms27_outputs, who):  # noqa: F811
    """Every npz sample appears in the OEM to the printed precision (at the burn epochs, the state
    after the burn, as in the npz)."""
    data = _npz(ms27_outputs)
    states = {}
    for seg in _read_oem(ms27_outputs / f"{who}.oem"):
        for s in seg.states:
            states[str(s.epoch.isot)] = np.concatenate([s.position, s.velocity])  # later wins
    t = data["t"]
    epochs = iso_utc(at_seconds(at_seconds_epoch(data), t), digits=6)
    got = np.array([states[e[:-1]] for e in epochs]).T
    want = data[who] / 1e3
    assert np.max(np.abs(got[:3] - want[:3])) <= POS_TOL_KM
    assert np.max(np.abs(got[3:] - want[3:])) <= VEL_TOL_KM_S


def at_seconds_epoch(data):
    from rendezvous.times import parse_utc

    return parse_utc(str(data["epoch_utc"]))


def test_oem_interpolates_between_samples(ms27_outputs, ms27_result):  # noqa: F811
    """The reader's Lagrange interpolation at a mid-point between 20 s samples in free flight
    agrees with the neighbours' average to orbit-curvature size (a sanity check of time tags:
    a 1 s tag error would be 7.7 km)."""
    from astropy.time import Time

    t = ms27_result.t
    i = int(np.searchsorted(t, 0.5 * (ms27_result.burns[0].t + ms27_result.t_insertion)))
    mid = 0.5 * (t[i] + t[i + 1])
    ephem = _read_oem(ms27_outputs / "ship.oem")
    epoch = Time(_epoch_str(ms27_result, mid)[0], scale="utc", format="isot")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        s = ephem(epoch)
    chord = 0.5 * (ms27_result.ship[:3, i] + ms27_result.ship[:3, i + 1]) / 1e3
    # sagitta of a 20 s arc at 7.8 km/s on a 6,570 km radius: (156 km)^2 / (8 * 6570 km) = 0.46 km
    assert np.linalg.norm(s.position - chord) < 0.6


def test_burns_csv_matches_summary(ms27_outputs):  # noqa: F811
    import json

    s = json.loads((ms27_outputs / "summary.json").read_text())
    with open(ms27_outputs / "burns.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == len(s["burns"])
    for row, b in zip(rows, s["burns"], strict=True):
        assert row["utc"] == b["utc"] and row["label"] == b["label"]
        assert abs(float(row["t_s"]) - b["t_s"]) <= 1e-3
        assert abs(float(row["dv_m_s"]) - b["dv_m_s"]) <= 1e-4
        lvlh = [float(row[f"dv_lvlh_{c}_m_s"]) for c in "xyz"]
        assert np.allclose(lvlh, b["dv_lvlh_m_s"], atol=1e-4)
        if b["dv_rtn_m_s"] is None:
            assert row["dv_rtn_r_m_s"] == ""
        else:
            assert np.allclose([float(row[f"dv_rtn_{c}_m_s"]) for c in "rtn"], b["dv_rtn_m_s"])


def test_segments_helper_covers_every_sample(ms27_result):
    segs = ccsds.ship_segments(ms27_result)
    covered = np.unique(np.concatenate([t for t, _, _ in segs]))
    assert np.array_equal(covered, ms27_result.t)
    for t, x, _ in segs:
        assert t.size == x.shape[1] and np.all(np.diff(t) > 0)
