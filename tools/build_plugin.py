"""Stage, zip and install the plugin.

    python tools/build_plugin.py stage    # build/linxia_tianguan_plugin (what QGIS loads)
    python tools/build_plugin.py package  # dist/linxia_tianguan_plugin-<version>.zip
    python tools/build_plugin.py install [--profile default]
        # into $QGIS_CUSTOM_CONFIG_PATH, else ~/.local/share/QGIS/QGIS3

The staged folder holds the package, metadata.txt (QGIS reads it inside the plugin folder), the
resources, the compiled translations and the docs; never tests, caches or development files.
"""
from __future__ import annotations

import argparse
import configparser
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NAME = "linxia_tianguan_plugin"
STAGE = ROOT / "build" / NAME
IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", "*.ts", ".pytest_cache", "*.orig")


def version() -> str:
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(ROOT / "metadata.txt", encoding="utf-8")
    return parser["general"]["version"]


def compile_translations() -> None:
    subprocess.run([sys.executable, str(ROOT / "tools" / "i18n.py"), "compile"], check=True)


def stage() -> Path:
    compile_translations()
    tmp = STAGE.with_name(NAME + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.copytree(ROOT / NAME, tmp, ignore=IGNORE)
    shutil.copy2(ROOT / "metadata.txt", tmp / "metadata.txt")
    shutil.copytree(ROOT / "resources", tmp / "resources", ignore=IGNORE)
    shutil.copytree(ROOT / "docs", tmp / "docs", ignore=IGNORE)
    for extra in ("README.md", "LICENSE"):
        if (ROOT / extra).exists():
            shutil.copy2(ROOT / extra, tmp / extra)
    shutil.rmtree(STAGE, ignore_errors=True)
    tmp.rename(STAGE)
    return STAGE


def package() -> Path:
    staged = stage()
    dist = ROOT / "dist"
    dist.mkdir(exist_ok=True)
    target = dist / f"{NAME}-{version()}.zip"
    partial = target.with_suffix(".zip.part")
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(staged.rglob("*")):
            if path.is_file():
                zf.write(path, Path(NAME) / path.relative_to(staged))
    partial.replace(target)
    return target


def profile_dir(profile: str) -> Path:
    base = os.environ.get("QGIS_CUSTOM_CONFIG_PATH")
    root = Path(base) if base else Path.home() / ".local" / "share" / "QGIS" / "QGIS3"
    return root / "profiles" / profile


def enable(profile_path: Path) -> None:
    """Mark the plugin enabled in the profile's QGIS3.ini (what the Plugin Manager does)."""
    from qgis.PyQt.QtCore import QSettings

    ini = profile_path / "QGIS" / "QGIS3.ini"
    ini.parent.mkdir(parents=True, exist_ok=True)
    settings = QSettings(str(ini), QSettings.IniFormat)
    settings.setValue(f"PythonPlugins/{NAME}", True)
    settings.sync()


def install(profile: str) -> Path:
    staged = stage()
    target_profile = profile_dir(profile)
    plugins = target_profile / "python" / "plugins"
    plugins.mkdir(parents=True, exist_ok=True)
    target = plugins / NAME
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(staged, target)
    enable(target_profile)
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["stage", "package", "install"])
    parser.add_argument("--profile", default="default")
    args = parser.parse_args()
    if args.command == "stage":
        print(stage())
    elif args.command == "package":
        print(package())
    else:
        print(install(args.profile))


if __name__ == "__main__":
    main()
