"""The public API: ``import rendezvous``, ``simulate`` with friendly inputs, ``Scenario``, the
result's times and dense trajectories, and errors that name the parameter."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import numpy as np
import pytest

import rendezvous
from rendezvous import Scenario
from rendezvous.catalog import PORTS, SITES, VEHICLES
from rendezvous.times import seconds_between

MS27 = "2025-04-08T05:47:15.309Z"  # Soyuz MS-27 liftoff (russianspaceweb.com/soyuz-ms-27.html)


def test_import_is_light_and_all_names_resolve():
    code = (
        "import sys, rendezvous\n"
        "assert 'matplotlib' not in sys.modules and 'skyfield' not in sys.modules\n"
        "[getattr(rendezvous, n) for n in rendezvous.__all__]\n"
        "assert 'matplotlib' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
    assert 12 <= len(rendezvous.__all__) <= 20


@pytest.mark.parametrize(
    "launch",
    [MS27, "2025-04-08T08:47:15.309+03:00", dt.datetime(2025, 4, 8, 5, 47, 15, 309000, dt.UTC)],
)
def test_launch_forms_give_the_same_time(launch, ms27_liftoff):
    assert abs(seconds_between(ms27_liftoff, Scenario(launch).launch)) < 1e-6


def test_names_and_objects_are_the_same_scenario():
    by_name = Scenario(MS27, site="1/5", port="Rassvet nadir", vehicle="progress")
    by_obj = Scenario(
        MS27, site=SITES["baikonur-1/5"], port=PORTS["rassvet"], vehicle=VEHICLES["progress"]
    )
    for f in ("site", "port", "vehicle", "ship_inv_ballistic"):
        assert getattr(by_name, f) == getattr(by_obj, f)
    # Progress MS is heavier than Soyuz MS (7,430 vs 7,150 kg, russianspaceweb.com), same shape
    assert by_name.ship_inv_ballistic < Scenario(MS27).ship_inv_ballistic
    assert Scenario(MS27).replace(vehicle="progress").ship_inv_ballistic == pytest.approx(
        by_name.ship_inv_ballistic
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"scheme": "3-orbit"}, r"^scheme: unknown scheme '3-orbit'; use one of 2-orbit, "),
        ({"site": "2/2"}, r"^site: unknown launch site '2/2'; use one of: baikonur-31/6"),
        ({"port": "unity"}, r"^port: unknown ISS docking port 'unity'; use one of: prichal"),
        ({"vehicle": "dragon"}, r"^vehicle: unknown vehicle 'dragon'; use one of: soyuz"),
        ({"launch": "yesterday"}, r"^launch: cannot read 'yesterday' as a date-time; use ISO"),
        ({"launch": dt.datetime(2025, 4, 8)}, r"^launch: the datetime .* has no time zone"),
        ({"elements": "no_such_file.txt"}, r"^elements: no such file"),
    ],
)
def test_errors_name_the_parameter_never_a_flag(kwargs, message):
    launch = kwargs.pop("launch", MS27)
    with pytest.raises((ValueError, FileNotFoundError), match=message) as info:
        rendezvous.simulate(launch, **kwargs)
    assert "--" not in str(info.value)


def test_keywords_given_with_a_scenario_are_not_dropped():
    with pytest.raises(ValueError, match=r"^scheme: unknown scheme"):
        rendezvous.simulate(Scenario(MS27), scheme="3-orbit")


def test_from_flight_takes_the_real_pad_port_vehicle_and_times():
    s = Scenario.from_flight("Soyuz MS-12")
    assert s.site.name.startswith("Baikonur Site 1/5")
    assert s.port.name == "Rassvet nadir"
    assert s.vehicle.name == "Soyuz MS"
    assert s.real_docking is not None and s.flight == "Soyuz MS-12"
    p = Scenario.from_flight("progress ms-31")
    assert (p.vehicle.name, p.port.name) == ("Progress MS", "Poisk zenith")
    # its plan row in flights.csv, its actual docking from flight_durations.csv (Roscosmos)
    assert p.real_docking is not None and p.planned_docking is not None
    assert abs(seconds_between(p.real_docking, p.planned_docking) - 120.0) < 1e-6  # 21:25, 21:27
    ms27 = Scenario.from_flight("Soyuz MS-27")
    assert ms27.real_docking is not None and ms27.planned_docking is not None
    with pytest.raises(ValueError, match=r"^flight: unknown flight 'Soyuz MS-99'; use one of"):
        Scenario.from_flight("Soyuz MS-99")


def test_result_times_and_dense_trajectories(ms27_result):
    r = ms27_result
    assert r.docking_utc.endswith("Z") and r.docking_utc.startswith("2025-04-08T")
    assert abs(seconds_between(r.docking_time, r.epoch) + r.t_contact) < 1e-3
    # the dense trajectories reproduce the sampled arrays (same propagation, other read-out)
    i = np.flatnonzero(r.t > r.t_insertion)[::500]
    assert np.allclose(r.at(r.t[i]), r.ship[:, i], rtol=0, atol=1e-3)
    assert np.allclose(r.relative_at(r.t[i]), r.relative[:, i], rtol=0, atol=1e-3)
    # a time as a string: one state; during the ascent: positions of the ascent model
    assert r.at("2025-04-08T06:30:00Z").shape == (6,)
    j = 50  # on the ascent
    assert np.allclose(r.at(r.t[j])[:3], r.ship[:3, j], rtol=0, atol=1e-3)
    with pytest.raises(ValueError, match=r"^t: outside the flight"):
        r.at(r.t_contact + 10.0)


def test_a_new_pad_port_and_station_are_table_entries():
    from rendezvous.catalog import PortDefinition, Site, Station

    port = PortDefinition("Test nadir", (0.0, 0.0, 10.0), (0.0, 0.0, 1.0), ("test",))
    station = Station("Test station", {"test": port}, yaw_deg=0.0)
    pad = Site("Test pad", 46.0, 63.5)
    s = Scenario(MS27, site=pad, station=station, port="test")
    assert s.port is port and s.site is pad and s.station is station
    with pytest.raises(ValueError, match=r"^port: unknown Test station docking port 'prichal'"):
        Scenario(MS27, station=station, port="prichal")


def test_a_known_flight_chosen_by_its_launch_time_flies_as_it_was_flown():
    # Issue 9: Soyuz MS-12 (2019-03-14 19:14 UTC) flew from Site 1/5 to Rassvet; Prichal did not
    # exist then (flights.csv; Prichal docked to the ISS on 2021-11-26).
    s = Scenario("2019-03-14T19:14:00Z")
    assert s.site is SITES["baikonur-1/5"] and s.port is PORTS["rassvet"]
    assert s.vehicle is VEHICLES["soyuz"] and s.flight == "Soyuz MS-12"
    assert s.real_docking is not None and s.planned_docking is None
    # Progress MS-31: flights.csv holds the pre-launch plan (labelled planned), the complete
    # table its actual docking (labelled real): both come with the launch time
    p = Scenario("2025-07-03T19:32:40.257Z")
    assert p.vehicle is VEHICLES["progress"] and p.port is PORTS["poisk"]
    assert abs(seconds_between(p.real_docking, p.planned_docking) - 120.0) < 1e-6  # 21:25, 21:27
    # what is given wins over the table
    assert Scenario("2019-03-14T19:14:00Z", port="poisk").port is PORTS["poisk"]


@pytest.mark.parametrize(
    ("launch", "port", "dates"),
    [
        ("2019-03-20T19:14:00Z", None, "Prichal nadir was in service from 2021-11-26"),
        ("2025-03-20T19:14:00Z", "pirs", "Pirs nadir was in service 2001-09-17 to 2021-07-26"),
    ],
)
def test_a_port_outside_its_service_period_is_refused(launch, port, dates):
    with pytest.raises(ValueError) as info:
        Scenario(launch, port=port)
    msg = str(info.value)
    assert msg.startswith(f"port: {dates}, not on {launch[:10]}; choose a port in service")
    assert "\n" not in msg and "--" not in msg


@pytest.mark.parametrize("name", ["iss_ms27_omm.json", "iss_ms27_omm.xml"])
def test_an_omm_file_flies_as_the_tle_it_came_from(name, ms27_result):
    """The MS-27 element set as OMM (JSON and XML, full-precision copies of the TLE) gives the
    same flight: the scheme and the docking time within 1 s, the precision of the timeline's
    docking line (the OMM's extra digits move SGP4's state by about a centimetre)."""
    from importlib.resources import files

    path = files("rendezvous") / "data" / name
    r = rendezvous.simulate(MS27, elements=str(path))
    assert r.scheme == ms27_result.scheme == "2-orbit"
    assert abs(seconds_between(ms27_result.docking_time, r.docking_time)) < 1.0


@pytest.mark.parametrize(
    "changes, phrase",
    [
        (dict(port="poisk"), "port Poisk zenith"),
        (dict(vehicle="progress"), "vehicle Progress MS"),
        (dict(launch="2025-04-08T05:48:15.309Z"), "launch +60 s"),
    ],
)
def test_a_changed_real_flight_is_hypothetical_and_not_compared(changes, phrase):
    """Another port, ship or a launch moved by more than the ~1 s two-orbit launch tolerance is
    not the real flight: no real or planned docking beside it, and the name says what changed."""
    as_flown = Scenario.from_flight("Soyuz MS-27")
    assert as_flown.flight == "Soyuz MS-27" and as_flown.real_docking is not None
    s = Scenario.from_flight("Soyuz MS-27", **changes)
    assert s.real_docking is None and s.planned_docking is None and s.real_launch is None
    assert s.flight == f"Soyuz MS-27 (hypothetical: {phrase})"


def test_one_place_turns_names_into_table_entries():
    # scenario.site_of / vehicle_of / port_of / default_ascent: what Scenario and the window
    # search both use, so a name means the same thing at every entry point
    from rendezvous.catalog import ISS, SITES, VEHICLES
    from rendezvous.scenario import Scenario, default_ascent, port_of, site_of, vehicle_of

    assert vehicle_of() is VEHICLES["soyuz"] and vehicle_of("Progress") is VEHICLES["progress"]
    assert site_of() is SITES["baikonur-31/6"] and site_of("1/5") is SITES["baikonur-1/5"]
    assert port_of() is ISS.ports["prichal"] and port_of("rassvet").name == "Rassvet nadir"
    assert default_ascent("progress").payload_kg == VEHICLES["progress"].mass_kg
    s = Scenario("2025-04-08T05:47:15.309Z", vehicle="progress")
    assert s.ascent == default_ascent("progress")
    with pytest.raises(ValueError, match="^vehicle: "):
        vehicle_of("dragon")
    with pytest.raises(ValueError, match="^site: expected a name or a Site"):
        site_of(3.5)
