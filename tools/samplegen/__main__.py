"""CLI: python -m tools.samplegen --out data/sample --size 20000 --seed 20241028 [...]"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

from .admin import SampleError
from .generate import generate
from .recipe import parse_override


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m tools.samplegen", description="Generate the deterministic sample county (示例县)."
    )
    ap.add_argument("--out", type=Path, default=Path("data/sample"), help="output folder (replaced atomically)")
    ap.add_argument("--size", type=int, default=20000, help="approximate number of contract parcels (DK)")
    ap.add_argument("--seed", type=int, default=20241028)
    ap.add_argument("--counties", default="622921", help="county code(s), comma separated, or 'all'")
    ap.add_argument("--no-shp", action="store_true", help="skip the GBK shapefile copies")
    ap.add_argument("--no-tracks", action="store_true", help="skip the GPX patrol tracks")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a recipe value, e.g. --set defects.duplicate_dkbm=2",
    )
    a = ap.parse_args(argv)
    overrides = dict(parse_override(s) for s in a.set)
    t0 = time.perf_counter()
    try:
        m = generate(
            a.out,
            size=a.size,
            seed=a.seed,
            counties=a.counties.split(","),
            shapefiles=not a.no_shp,
            tracks=not a.no_tracks,
            workers=a.workers,
            overrides=overrides,
        )
    except SampleError as err:  # bad arguments or recipe overrides: say so, without a traceback
        print(f"samplegen: {err}", file=sys.stderr)
        return 2
    dt = time.perf_counter() - t0
    peak = (
        max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
        / 1024
    )
    tot = m["totals"]
    print(f"sample written to {a.out} (seed {m['seed']}, counties {','.join(m['counties'])})")
    print("  " + ", ".join(f"{k} {v}" for k, v in m["layers"].items()))
    print(
        f"  {tot['townships']} townships, {tot['villages']} villages, {tot['groups']} groups; "
        f"farmland {tot['farmland_area_mu']:.0f} 亩, 永久基本农田 {tot['yjjbnt_share_of_farmland']:.1%} of it"
    )
    print(
        f"  changes {len(m['changes'])}, defects {len(m['defects'])}, crossing parcels {len(m['crossing_parcels'])}, "
        f"unassigned farmland {len(m['unassigned_farmland'])}"
        + (f", tracks {len(m['tracks']['files'])} files" if m.get("tracks") else "")
    )
    print(f"  time {dt:.1f} s ({', '.join(f'{k} {v}' for k, v in m['timings'].items())}); peak RSS {peak:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
