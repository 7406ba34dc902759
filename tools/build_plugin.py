"""Stage, zip and install the plugin.

    python tools/build_plugin.py stage      # build/linxia_tianguan_plugin (what QGIS loads)
    python tools/build_plugin.py package [--out FILE] [--homepage URL] [--tracker URL] [--repository URL]
                                         [--email ADDRESS]
        # dist/linxia_tianguan_plugin-<version>.zip (or FILE)
    python tools/build_plugin.py install [--profile default] [--zip FILE]
        # builds the zip (or takes FILE, a zip built before) and unpacks it into <profile>/python/plugins,
        # then enables the plugin; the profile is under $QGIS_CUSTOM_CONFIG_PATH, else ~/.local/share/QGIS/QGIS3
    python tools/build_plugin.py changelog  # rewrite metadata.txt's changelog= from CHANGELOG.md

The staged folder holds the package, metadata.txt (QGIS reads it inside the plugin folder; its
``changelog=`` is generated from CHANGELOG.md), the resources, the translations compiled from the .ts
files, the docs (the user guide under docs/guide included), README and CHANGELOG; never tests, caches,
translation sources or development files. metadata.txt's homepage, tracker, repository and email are
example.org placeholders in the repository (each county or distributor publishes the plugin under its own
addresses): ``package`` (and ``stage``, ``install``) put in the values given as options, as
TIANGUAN_HOMEPAGE / TIANGUAN_TRACKER / TIANGUAN_REPOSITORY / TIANGUAN_EMAIL or as
``make package HOMEPAGE=… TRACKER=… REPOSITORY=… EMAIL=…``, and print a WARNING naming every placeholder left,
since QGIS's Plugin Manager shows these links to the users. ``install`` installs the zip itself — what is tested is the
artifact users get. Every build works in its own temporary folder, so builds running at the same time
(parallel test sessions) do not trip over each other.
"""
from __future__ import annotations

import argparse
import configparser
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NAME = "linxia_tianguan_plugin"
BUILD = ROOT / "build"
STAGE = BUILD / NAME
CHANGELOG = ROOT / "CHANGELOG.md"
IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", "*.pyo", "*.ts", "*.qm", ".pytest_cache", "*.orig",
                                "*.rej", "*.bak", "*.swp", "*~", ".DS_Store", ".pending_tr_*")
# resources/sample is the sample generator's recipe (development data, not used by the plugin)
IGNORE_RESOURCES = shutil.ignore_patterns("__pycache__", "*.pyc", "*.orig", "*.rej", "*.bak", "*.swp", "*~",
                                          ".DS_Store", "sample")
EXTRAS = ("README.md", "CHANGELOG.md", "LICENSE")
# "## 0.2.0 — 2026-11-29" (an em dash, a hyphen or parentheses around the date); other headings are not versions
VERSION_HEADING = re.compile(r"^##\s+v?(\d+(?:\.\d+)+)\s*(?:[—–-]\s*|\()?\s*(\d{4}-\d{2}-\d{2})?\)?\s*$")


def version() -> str:
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(ROOT / "metadata.txt", encoding="utf-8")
    return parser["general"]["version"]


def _version_key(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split("."))


def changelog_entries(markdown: str) -> list[tuple[str, str, list[str]]]:
    """(version, date, bullet lines) of every version section of CHANGELOG.md, newest first as written.

    A version section starts at a level-2 heading "## <version> — <date>"; any other level-1/2 heading (the
    title, "## Unreleased") ends it, deeper headings do not. A bullet is a line starting with ``- ``; an
    indented line right after it continues it (joined with a space). Text outside bullets is ignored."""
    entries: list[tuple[str, str, list[str]]] = []
    current: list[str] | None = None
    for raw in markdown.splitlines():
        line = raw.rstrip()
        if line.startswith("#") and not line.startswith("###"):
            match = VERSION_HEADING.match(line)
            if match:
                current = []
                entries.append((match.group(1), match.group(2) or "", current))
            else:
                current = None
            continue
        if current is None or not line.strip() or line.startswith("###"):
            continue
        if line.startswith("- "):
            current.append(line[2:].strip())
        elif line[0].isspace() and current:
            current[-1] += " " + line.strip()
    return entries


def changelog_text(markdown: str, up_to: str) -> str:
    """The metadata ``changelog`` value: every version up to ``up_to`` (newest first), each a heading line
    "<version> (<date>)" followed by its "- bullet" lines."""
    entries = changelog_entries(markdown)
    if not any(v == up_to for v, _, _ in entries):
        raise SystemExit(f"CHANGELOG.md has no section for version {up_to} (metadata.txt): add '## {up_to} — <date>'")
    lines = []
    for number, date, bullets in entries:
        if _version_key(number) > _version_key(up_to):
            continue
        if not bullets:
            raise SystemExit(f"CHANGELOG.md: version {number} lists nothing")
        lines.append(f"{number} ({date})" if date else number)
        lines += [f"- {bullet}" for bullet in bullets]
    text = "\n".join(lines)
    # QGIS reads metadata.txt with configparser's default (%-interpolating) parser
    if "%" in text:
        raise SystemExit("CHANGELOG.md: '%' breaks QGIS's metadata parser; write 'per cent' / 百分之")
    return text


def metadata_with_changelog(metadata: str, changelog: str) -> str:
    """metadata.txt's text with its ``changelog=`` entry (and its indented continuation lines) replaced by
    ``changelog``, written as QGIS reads multi-line values: continuation lines indented by four spaces."""
    first, *rest = changelog.splitlines()
    block = [f"changelog={first}"] + [f"    {line}" for line in rest]
    out, skipping, replaced = [], False, False
    for line in metadata.splitlines():
        if skipping and line[:1].isspace() and line.strip():
            continue
        skipping = False
        if line.lower().startswith("changelog") and line.split("=", 1)[0].strip().lower() == "changelog":
            out += block
            skipping, replaced = True, True
            continue
        out.append(line)
    if not replaced:
        out += block
    return "\n".join(out) + "\n"


#: metadata keys a distributor sets at package time (metadata.txt holds placeholders for them)
LINK_KEYS = ("homepage", "tracker", "repository", "email")
PLACEHOLDER = re.compile(r"example\.(org|com|net)", re.I)


def links_from_environment(given: dict[str, str | None] | None = None) -> dict[str, str]:
    """The package-time metadata values: ``given`` (command-line options) first, else the TIANGUAN_<KEY>
    environment variables (which also cross tools/in_env); empty values count as not given."""
    given = given or {}
    links = {}
    for key in LINK_KEYS:
        value = given.get(key) or os.environ.get(f"TIANGUAN_{key.upper()}", "")
        if value.strip():
            links[key] = value.strip()
    return links


def _check_link(key: str, value: str) -> None:
    """Refuse a value QGIS would misread or show as a dead link (one line, no '%', a URL or an address)."""
    if "\n" in value or "\r" in value or "%" in value:
        raise SystemExit(f"{key}: one line without '%' (QGIS's metadata parser), got {value!r}")
    if key == "email":
        if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value):
            raise SystemExit(f"email: not an e-mail address: {value!r}")
    elif not re.match(r"https?://[^\s/]+\.[^\s]+$", value):
        raise SystemExit(f"{key}: not an http(s) URL: {value!r}")


def metadata_with_links(metadata: str, links: dict[str, str]) -> str:
    """metadata.txt's text with the ``key=value`` lines of ``links`` replaced (or added to [general])."""
    for key, value in links.items():
        _check_link(key, value)
        pattern = re.compile(rf"^{key}[ \t]*=.*$", re.M | re.I)
        if pattern.search(metadata):
            line = f"{key}={value}"
            metadata = pattern.sub(lambda _, line=line: line, metadata, count=1)  # value taken literally
        else:
            metadata = metadata.replace("[general]\n", f"[general]\n{key}={value}\n", 1)
    return metadata


def placeholders(metadata: str) -> list[str]:
    """The link keys of ``metadata`` still holding an example.org placeholder (or missing)."""
    parser = configparser.ConfigParser(interpolation=None)
    parser.read_string(metadata)
    general = parser["general"]
    return [key for key in LINK_KEYS if not general.get(key, "").strip() or PLACEHOLDER.search(general.get(key))]


def warn_placeholders(metadata: str) -> None:
    """Say loudly (stderr) which links of the built metadata are placeholders: the build still succeeds (the
    tests and a desk's own installs need no addresses), but a release must not ship them."""
    left = placeholders(metadata)
    if left:
        options = " ".join(f"{key.upper()}=…" for key in left)
        print(f"WARNING: metadata.txt still has placeholder (example.org) values for {', '.join(left)}; QGIS's "
              f"Plugin Manager shows them to the users. Set them at package time: make package {options} (or "
              f"the TIANGUAN_{left[0].upper()}… environment variables, or --{left[0]} … on "
              "tools/build_plugin.py).", file=sys.stderr)


def generated_metadata() -> str:
    """metadata.txt as it goes into the zip: the repository's, with the changelog from CHANGELOG.md."""
    text = (ROOT / "metadata.txt").read_text(encoding="utf-8")
    return metadata_with_changelog(text, changelog_text(CHANGELOG.read_text(encoding="utf-8"), version()))


def compile_translations(target: Path) -> None:
    """Every .ts of the package compiled to a .qm in ``target`` (the staged i18n folder) with lrelease; the
    checkout's own .qm files are neither used nor touched."""
    lrelease = shutil.which("lrelease") or "/usr/lib/qt5/bin/lrelease"
    sources = sorted((ROOT / NAME / "i18n").glob("*.ts"))
    if not sources:
        raise SystemExit(f"no translation sources in {ROOT / NAME / 'i18n'}")
    target.mkdir(parents=True, exist_ok=True)
    for ts in sources:
        qm = target / (ts.stem + ".qm")
        done = subprocess.run([lrelease, "-silent", str(ts), "-qm", str(qm)], capture_output=True, text=True)
        if done.returncode != 0 or not qm.exists():
            raise SystemExit(f"lrelease failed on {ts.name}:\n{done.stdout}{done.stderr}")


def _stage_into(folder: Path, links: dict[str, str] | None = None) -> Path:
    """Assemble the plugin folder ``folder/linxia_tianguan_plugin`` and return it; ``links``: the package-time
    homepage, tracker, repository and email (default: from the environment)."""
    plugin = folder / NAME
    metadata = metadata_with_links(generated_metadata(), links_from_environment() if links is None else links)
    shutil.copytree(ROOT / NAME, plugin, ignore=IGNORE)
    compile_translations(plugin / "i18n")
    (plugin / "metadata.txt").write_text(metadata, encoding="utf-8")
    warn_placeholders(metadata)
    # the package may hold a resources folder of its own already: merge the repository's into it
    shutil.copytree(ROOT / "resources", plugin / "resources", ignore=IGNORE_RESOURCES, dirs_exist_ok=True)
    # the docs, with the user guide (docs/guide: text and screenshots) when it is there
    shutil.copytree(ROOT / "docs", plugin / "docs", ignore=IGNORE, dirs_exist_ok=True)
    for extra in EXTRAS:
        if (ROOT / extra).exists():
            shutil.copy2(ROOT / extra, plugin / extra)
    return plugin


def _scratch() -> Path:
    BUILD.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=".build-", dir=BUILD))


def _replace_dir(source: Path, target: Path) -> None:
    """Move ``source`` to ``target``, replacing what is there (retried if a parallel build just put one)."""
    for _ in range(5):
        shutil.rmtree(target, ignore_errors=True)
        try:
            source.rename(target)
            return
        except OSError:
            continue
    raise SystemExit(f"cannot replace {target}")


def stage(links: dict[str, str] | None = None) -> Path:
    scratch = _scratch()
    try:
        _replace_dir(_stage_into(scratch, links), STAGE)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return STAGE


def zip_folder(plugin: Path, target: Path) -> Path:
    """Zip the plugin folder with ``linxia_tianguan_plugin/`` as the only top-level entry (what QGIS's
    Install from ZIP expects); written beside the target and renamed into place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, partial = tempfile.mkstemp(prefix=target.name + ".", suffix=".part", dir=target.parent)
    os.close(handle)
    try:
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as zf:
            for path in sorted(plugin.rglob("*")):
                if path.is_file():
                    zf.write(path, (Path(NAME) / path.relative_to(plugin)).as_posix())
        os.replace(partial, target)
    finally:
        if os.path.exists(partial):
            os.unlink(partial)
    return target


def package(links: dict[str, str] | None = None, out: Path | None = None) -> Path:
    """The release zip (``out``, default dist/<name>-<version>.zip) with the package-time ``links``."""
    scratch = _scratch()
    try:
        return zip_folder(_stage_into(scratch, links), Path(out) if out else ROOT / "dist" / f"{NAME}-{version()}.zip")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


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


def unpack(archive: Path, plugins: Path) -> Path:
    """Unpack the release zip into a QGIS plugins folder, replacing an installed copy (as Install from ZIP
    does); refuses entries outside the plugin folder."""
    plugins.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{NAME}-", dir=plugins))
    try:
        with zipfile.ZipFile(archive) as zf:
            for name in zf.namelist():
                if not name.startswith(NAME + "/") or ".." in Path(name).parts:
                    raise SystemExit(f"{archive.name}: unexpected entry {name}")
            zf.extractall(scratch)
        target = plugins / NAME
        _replace_dir(scratch / NAME, target)
        return target
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def install(profile: str, archive: Path | None = None, links: dict[str, str] | None = None) -> Path:
    archive = Path(archive) if archive else package(links)
    target_profile = profile_dir(profile)
    target = unpack(archive, target_profile / "python" / "plugins")
    enable(target_profile)
    return target


def update_changelog() -> Path:
    """Rewrite metadata.txt's changelog= from CHANGELOG.md (run after editing CHANGELOG.md)."""
    path = ROOT / "metadata.txt"
    text = generated_metadata()
    if path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["stage", "package", "install", "changelog"])
    parser.add_argument("--profile", default="default")
    parser.add_argument("--zip", type=Path, help="install: this release zip instead of building one")
    parser.add_argument("--out", type=Path, help="package: write the zip here instead of dist/")
    for key in LINK_KEYS:
        parser.add_argument(f"--{key}", help=f"metadata {key} of the build (else $TIANGUAN_{key.upper()}; "
                                             "metadata.txt's placeholder when neither is given)")
    args = parser.parse_args()
    links = links_from_environment({key: getattr(args, key) for key in LINK_KEYS})
    if args.command == "stage":
        print(stage(links))
    elif args.command == "package":
        print(package(links, args.out))
    elif args.command == "changelog":
        print(update_changelog())
    else:
        print(install(args.profile, args.zip, links))


if __name__ == "__main__":
    main()
