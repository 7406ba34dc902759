"""Canonical digest of a generated sample, and the reference digest checked into the repository.

    python -m tools.samplegen.digest DIR            # print DIR's digest (JSON)
    python -m tools.samplegen.digest DIR --check    # compare with resources/sample/reference_digest.json
    python -m tools.samplegen.digest DIR --write    # make DIR's digest the reference (after a deliberate
                                                    # change of the generator's output; say why in the commit)

The reference is the sample of `python -m tools.samplegen --out DIR --size 2000 --seed 20241028`
(county 622921, tracks on); tests/test_samplegen.py generates that sample and compares its digest with
the reference. To update it:

    python -m tools.samplegen --out /tmp/ref --size 2000 --seed 20241028 && \\
        python -m tools.samplegen.digest /tmp/ref --write

What is hashed (SHA-256 per part, then one over all parts):

- every feature layer of sample_county.gpkg, read with sqlite3 (no GDAL): its column names and
  declared types, then each row in fid order — fid, every attribute (floats exactly, as float.hex),
  and the geometry as the WKB inside the GeoPackage blob (the blob header, which the writer fills in,
  is skipped);
- roster.csv and roster_gbk.csv (bytes), roster.xlsx (cell values: the file carries its creation time);
- tracks/**/*.gpx (relative path and bytes, in path order);
- manifest.json without "timings", as canonical JSON.

shp/ is not hashed: it is a copy of four layers made by GDAL, and DBF headers carry the date written.

The digest is independent of the numpy version (1.2x or 2.x: the generator uses no numpy
transcendental function, see tools/samplegen/fmath.py, and rounds computed coordinates to a 1 mm
grid), of the number of workers and of the GDAL version that wrote the files. It does depend on GEOS
(Delaunay triangulation, unions, buffers) and PROJ (the GPX longitudes and latitudes): the reference
is for the tested environment (Debian 13: GEOS 3.13, PROJ 9.6).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sqlite3
import struct
import sys
from pathlib import Path
from typing import Any

from .admin import REPO

REFERENCE_PATH = REPO / "resources" / "sample" / "reference_digest.json"
REFERENCE_PARAMS = {"size": 2000, "seed": 20241028, "counties": ["622921"]}

_ENVELOPE_BYTES = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}


def gpkg_wkb(blob: bytes | None) -> bytes | None:
    """The WKB inside a GeoPackage geometry blob (header and envelope skipped)."""
    if blob is None:
        return None
    if blob[:2] != b"GP":
        raise ValueError("not a GeoPackage geometry blob")
    flags = blob[3]
    env = (flags >> 1) & 0x07
    return bytes(blob[8 + _ENVELOPE_BYTES[env] :])


def _token(v: Any) -> bytes:
    if v is None:
        return b"N"
    if isinstance(v, bool):
        return b"B" + (b"1" if v else b"0")
    if isinstance(v, int):
        return b"I" + str(v).encode()
    if isinstance(v, float):
        return b"F" + float(v).hex().encode()
    if isinstance(v, str):
        return b"S" + v.encode("utf-8")
    if isinstance(v, (bytes, bytearray, memoryview)):
        return b"X" + bytes(v)
    raise TypeError(f"cannot digest {type(v).__name__}")


def _row(values: list[Any]) -> bytes:
    """One row, unambiguously framed (length-prefixed tokens)."""
    out = bytearray()
    for v in values:
        t = _token(v)
        out += struct.pack("<Q", len(t)) + t
    return bytes(struct.pack("<Q", len(values)) + out)


def layer_digests(gpkg: Path) -> dict[str, dict[str, Any]]:
    """{layer: {"rows": n, "sha256": …}} for every feature layer of a GeoPackage."""
    con = sqlite3.connect(f"file:{gpkg}?mode=ro", uri=True)
    try:
        names = sorted(r[0] for r in con.execute("SELECT table_name FROM gpkg_contents WHERE data_type = 'features'"))
        geom_col = dict(con.execute("SELECT table_name, column_name FROM gpkg_geometry_columns").fetchall())
        out = {}
        for name in names:
            cols = [(r[1], str(r[2]).upper()) for r in con.execute(f'PRAGMA table_info("{name}")')]
            h = hashlib.sha256()
            h.update(_row([c for col in cols for c in col]))
            gi = [c for c, _ in cols].index(geom_col[name])
            n = 0
            for row in con.execute(f'SELECT * FROM "{name}" ORDER BY fid'):
                vals = list(row)
                vals[gi] = gpkg_wkb(vals[gi])
                h.update(_row(vals))
                n += 1
            out[name] = {"rows": n, "sha256": h.hexdigest()}
        return out
    finally:
        con.close()


def _xlsx_digest(path: Path) -> str:
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True)
    h = hashlib.sha256()
    try:
        for ws in wb.worksheets:
            h.update(_row(["sheet", ws.title]))
            for r in ws.iter_rows(values_only=True):
                h.update(_row(list(r)))
    finally:
        wb.close()
    return h.hexdigest()


def _tracks_digest(root: Path) -> dict[str, Any]:
    files = sorted(p.relative_to(root).as_posix() for p in (root / "tracks").rglob("*.gpx"))
    h = hashlib.sha256()
    for rel in files:
        h.update(_row([rel, (root / rel).read_bytes()]))
    return {"files": len(files), "sha256": h.hexdigest()}


def _manifest_digest(path: Path) -> str:
    m = json.loads(path.read_text(encoding="utf-8"))
    m.pop("timings", None)
    text = json.dumps(m, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def digest(sample_dir: Path) -> dict[str, Any]:
    """The canonical digest of a generated sample folder (see the module docstring)."""
    d = Path(sample_dir)
    manifest = json.loads((d / "manifest.json").read_text(encoding="utf-8"))
    parts: dict[str, Any] = {}
    for name, v in layer_digests(d / "sample_county.gpkg").items():
        parts[f"gpkg/{name}"] = v
    for name in ("roster.csv", "roster_gbk.csv"):
        if (d / name).exists():
            parts[name] = {"sha256": hashlib.sha256((d / name).read_bytes()).hexdigest()}
    if (d / "roster.xlsx").exists():
        parts["roster.xlsx"] = {"sha256": _xlsx_digest(d / "roster.xlsx")}
    if (d / "tracks").is_dir():
        parts["tracks"] = _tracks_digest(d)
    parts["manifest.json"] = {"sha256": _manifest_digest(d / "manifest.json")}
    total = hashlib.sha256()
    for k in sorted(parts):
        total.update(_row([k, parts[k]["sha256"]]))
    return {
        "params": {"size": manifest["size"], "seed": manifest["seed"], "counties": manifest["counties"]},
        "generator_version": manifest.get("version"),
        "sha256": total.hexdigest(),
        "parts": parts,
    }


def compare(got: dict[str, Any], ref: dict[str, Any]) -> list[str]:
    """Human-readable differences between two digests (empty when they agree)."""
    out = []
    if got.get("params") != ref.get("params"):
        out.append(f"parameters differ: {got.get('params')} vs reference {ref.get('params')}")
    gp, rp = got.get("parts", {}), ref.get("parts", {})
    for k in sorted(set(gp) | set(rp)):
        if k not in gp:
            out.append(f"{k}: missing (reference has it)")
        elif k not in rp:
            out.append(f"{k}: not in the reference")
        elif gp[k] != rp[k]:
            extra = {x: (gp[k].get(x), rp[k].get(x)) for x in ("rows", "files") if gp[k].get(x) != rp[k].get(x)}
            out.append(f"{k}: differs" + (f" {extra}" if extra else ""))
    if not out and got.get("sha256") != ref.get("sha256"):
        out.append("total digest differs")
    return out


def load_reference(path: Path = REFERENCE_PATH) -> dict[str, Any]:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def write_reference(dig: dict[str, Any], path: Path = REFERENCE_PATH) -> None:
    doc = {
        "_comment": (
            "Canonical digest of `python -m tools.samplegen --size 2000 --seed 20241028` (county 622921): "
            "checked by tests/test_samplegen.py, updated with `python -m tools.samplegen.digest DIR --write` "
            "(see tools/samplegen/digest.py). Independent of the numpy version (1.2x/2.x); depends on GEOS and PROJ."
        ),
        **dig,
    }
    Path(path).write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tools.samplegen.digest", description=__doc__.split("\n")[0])
    ap.add_argument("dir", type=Path, help="a generated sample folder")
    act = ap.add_mutually_exclusive_group()
    act.add_argument("--check", action="store_true", help="compare with the reference digest (exit 1 if different)")
    act.add_argument("--write", action="store_true", help="make this sample's digest the reference")
    ap.add_argument("--reference", type=Path, default=REFERENCE_PATH)
    a = ap.parse_args(argv)
    dig = digest(a.dir)
    if a.write:
        if dig["params"] != REFERENCE_PARAMS:
            print(f"refusing: the reference is for {REFERENCE_PARAMS}, this sample is {dig['params']}", file=sys.stderr)
            return 2
        write_reference(dig, a.reference)
        print(f"reference digest written to {a.reference}: {dig['sha256']}")
        return 0
    if a.check:
        diffs = compare(dig, load_reference(a.reference))
        for line in diffs:
            print(line)
        print("same as the reference" if not diffs else f"{len(diffs)} difference(s) from {a.reference}")
        return 1 if diffs else 0
    json.dump(dig, sys.stdout, ensure_ascii=False, indent=1)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
