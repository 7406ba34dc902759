"""Regenerate the user guide's screenshots (docs/guide/img/*.png) from the real QGIS desktop.

    python tools/screenshots.py [--sample DIR] [--out docs/guide/img] [--keep]

What it does, as the desktop smoke test does (tests/smoke/test_desktop.py):

1. the sample county: ``--sample`` (a folder with ``sample_county.gpkg``), else ``data/sample_20000_20241028``
   when present, else a 5 000-parcel sample generated once into ``build/screenshots/sample_5000``;
2. a throwaway QGIS profile with the plugin installed and enabled (``tools/build_plugin.py install`` under
   ``QGIS_CUSTOM_CONFIG_PATH``), the UI locale forced to zh_CN (the desks read Chinese) and the plugin's
   田管库 setting pointing at a fresh store in a scratch folder;
3. ``qgis --code tools/screenshot_inside_qgis.py`` under ``xvfb-run``: inside the desktop the store is made
   by the plugin's own algorithms (one-click coding from the toolbar, then ``processing.run`` of
   build_grid, import_roster, dispatch_tasks, import_tracks, check_tracks, patrol_coverage,
   change_detection) and the windows are grabbed: the main window, the Processing toolbox, the algorithm
   dialogs, the docks and the layout designer.

The PNGs keep stable names (see ``SHOTS`` in the inside script). Exit code 0 only when QGIS ran the whole
script and every shot that could be taken was taken; algorithms or docks that are not (yet) part of the
plugin are skipped with a warning. Takes about a minute and a half.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
INSIDE = ROOT / "tools" / "screenshot_inside_qgis.py"
IMG = ROOT / "docs" / "guide" / "img"
SAMPLE_SEED = 20241028


def find_sample(given: Path | None) -> Path:
    """The folder of the sample county to photograph (generated once when there is none)."""
    if given is not None:
        if not (given / "sample_county.gpkg").is_file() or not (given / "tracks").is_dir():
            raise SystemExit(f"{given} is not a sample county with tracks (sample_county.gpkg, tracks/)")
        return given
    full = ROOT / "data" / f"sample_20000_{SAMPLE_SEED}"
    if (full / "sample_county.gpkg").is_file() and (full / "tracks").is_dir():
        return full
    small = ROOT / "build" / "screenshots" / "sample_5000"
    if not (small / "sample_county.gpkg").is_file():
        print(f"generating a 5 000-parcel sample county into {small} …", flush=True)
        subprocess.run([sys.executable, "-m", "tools.samplegen", "--out", str(small), "--size", "5000",
                        "--seed", str(SAMPLE_SEED), "--no-shp"], cwd=ROOT, check=True)
    return small


def make_profile(base: Path, store: Path) -> Path:
    """A throwaway profile root: the plugin installed and enabled, the UI in Chinese, the store set."""
    profiles = base / "profiles_root"
    env = dict(os.environ, QGIS_CUSTOM_CONFIG_PATH=str(profiles))
    subprocess.run([sys.executable, str(ROOT / "tools" / "build_plugin.py"), "install"], env=env, check=True,
                   capture_output=True)
    from qgis.PyQt.QtCore import QSettings

    ini = profiles / "profiles" / "default" / "QGIS" / "QGIS3.ini"
    settings = QSettings(str(ini), QSettings.IniFormat)
    # QGIS ships its Chinese as qgis_zh-Hans.qm (there is no zh_CN); the plugin maps any zh* to its zh_CN
    settings.setValue("locale/userLocale", "zh-Hans")
    settings.setValue("locale/overrideFlag", True)
    settings.setValue("linxia_tianguan/store_path", str(store))
    # a county desk is often offline: QGIS 3.40 would try to download the Open Sans of its own default style and
    # show "font install failed" over the map
    settings.setValue("fonts/downloadMissingFonts", False)
    settings.sync()
    return profiles


def end(proc: subprocess.Popen) -> None:
    """Stop xvfb-run, QGIS and Xvfb (the session started for them): politely, then for good."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
            proc.communicate(timeout=15)
            return
        except ProcessLookupError:
            return
        except subprocess.TimeoutExpired:
            continue


def run_qgis(sample: Path, out: Path, work: Path, timeout: int = 300) -> dict:
    """Run the inside script in the real desktop; its JSON result (``{}`` when QGIS did not finish)."""
    if shutil.which("xvfb-run") is None or shutil.which("qgis") is None:
        raise SystemExit("xvfb-run and qgis are required (apt install xvfb qgis)")
    desk = work / "临夏县"
    desk.mkdir(parents=True, exist_ok=True)
    store = desk / "tianguan.gpkg"
    profiles = make_profile(work, store)
    result = work / "result.json"
    site = next(Path(sys.prefix).glob("lib/python3*/site-packages"))
    env = dict(os.environ, QGIS_CUSTOM_CONFIG_PATH=str(profiles),
               TIANGUAN_SHOTS_SAMPLE=str(sample), TIANGUAN_SHOTS_OUT=str(out), TIANGUAN_SHOTS_WORK=str(desk),
               TIANGUAN_SHOTS_RESULT=str(result), TIANGUAN_SHOTS_ROOT=str(ROOT),
               # the venv's shapely 2 must win over Debian's 1.8 inside the desktop's Python
               PYTHONPATH=os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")]),
               LANG="zh_CN.UTF-8", LC_ALL="C.UTF-8")
    env.pop("QT_QPA_PLATFORM", None)
    cmd = ["xvfb-run", "-a", "-s", "-screen 0 1600x1000x24", "qgis", "--profiles-path", str(profiles),
           "--nologo", "--noversioncheck", "--code", str(INSIDE)]
    # the system interpreter first: the plugin's worker processes are spawned from a python3 it looks up, and
    # one from another installation on PATH (pyenv, conda) lacks numpy and shapely
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).resolve().parent), "/usr/bin", env.get("PATH", "")])
    # a session of its own, so that a timeout ends QGIS and Xvfb too, not only xvfb-run
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        end(proc)
        print(f"QGIS did not finish within {timeout} s", file=sys.stderr)
        return {}
    except KeyboardInterrupt:
        end(proc)
        raise
    if not result.exists():
        print(f"QGIS did not finish the script:\n{stdout[-3000:]}\n{stderr[-3000:]}", file=sys.stderr)
        return {}
    return json.loads(result.read_text(encoding="utf-8"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sample", type=Path, help="sample county folder (with sample_county.gpkg and tracks/)")
    parser.add_argument("--out", type=Path, default=IMG, help="where the PNGs go (default: docs/guide/img)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder (profile, store, logs)")
    args = parser.parse_args(argv)
    sample = find_sample(args.sample)
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    # a fixed scratch folder: the store path the dialogs show stays the same from one run to the next
    work = ROOT / "build" / "screenshots" / "run"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    try:
        print(f"sample {sample}; screenshots into {out}", flush=True)
        result = run_qgis(sample.resolve(), out, work)
    finally:
        if args.keep:
            print(f"scratch folder kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    for name in result.get("saved", []):
        print(f"  {name}")
    for warning in result.get("warnings", []):
        print(f"  warning: {warning}")
    for error in result.get("errors", []):
        print(f"  ERROR: {error}", file=sys.stderr)
    if not result.get("finished"):
        print("QGIS failed: the screenshots are incomplete", file=sys.stderr)
        return 1
    if result.get("errors"):
        return 1
    print(f"{len(result.get('saved', []))} screenshots in {out} ({result.get('seconds', 0):.0f} s inside QGIS)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
