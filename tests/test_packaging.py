"""The release zip and the command line: what QGIS's Plugin Manager and qgis_process get.

``tools/build_plugin.py package`` builds ``dist/linxia_tianguan_plugin-<version>.zip`` (metadata with the
version and the changelog from CHANGELOG.md, compiled translations, resources, docs and the user guide; no
tests or development files); ``install`` unpacks that zip into a QGIS profile and enables the plugin. The
checks read the zip and the installed folder with zipfile, configparser and Qt's own translator.
"""
import configparser
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PLUGIN = "linxia_tianguan_plugin"
CJK_RUN = re.compile(r"[\u4e00-\u9fff]{2,}")


LINK_KEYS = ("homepage", "tracker", "repository", "email")


def _run_build(command, env=None, *args) -> subprocess.CompletedProcess:
    proc = subprocess.run([sys.executable, str(ROOT / "tools" / "build_plugin.py"), command, *args], cwd=ROOT,
                          capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr
    return proc


def _build(command, env=None, *args):
    return Path(_run_build(command, env, *args).stdout.strip().splitlines()[-1])


def _env_without_links(**extra) -> dict:
    """The environment of a build with no package-time links but ``extra`` (a developer's shell might set some)."""
    env = {k: v for k, v in os.environ.items() if k not in {f"TIANGUAN_{key.upper()}" for key in LINK_KEYS}}
    env.update(extra)
    return env


def _metadata(text: str) -> configparser.SectionProxy:
    """metadata.txt read the way QGIS reads it (qgis.utils and the Plugin Manager: a default ConfigParser,
    %-interpolation included, so a stray '%' would break the plugin's listing)."""
    parser = configparser.ConfigParser()
    parser.read_string(text)
    return parser["general"]


def _changelog_from_markdown(markdown: str, up_to: str) -> str:
    """What metadata's changelog must say, read from CHANGELOG.md here independently of the build tool: each
    '## <version> — <date>' section up to the current version becomes '<version> (<date>)' followed by its
    bullet lines, newest first."""
    sections = re.split(r"^## ", markdown, flags=re.M)[1:]
    lines = []
    for section in sections:
        heading, *body = section.splitlines()
        found = re.match(r"(\d+\.\d+\.\d+) — (\d{4}-\d{2}-\d{2})$", heading.strip())
        if not found:
            continue
        number, date = found.groups()
        if tuple(map(int, number.split("."))) > tuple(map(int, up_to.split("."))):
            continue
        lines.append(f"{number} ({date})")
        lines += [line.rstrip() for line in body if line.startswith("- ")]
    return "\n".join(lines)


@pytest.fixture(scope="module")
def archive():
    return _build("package", _env_without_links())


def test_package_is_an_installable_zip_without_development_files(archive):
    names = zipfile.ZipFile(archive).namelist()
    assert archive.name == f"{PLUGIN}-{_metadata((ROOT / 'metadata.txt').read_text('utf-8'))['version']}.zip"
    assert all(n.startswith(f"{PLUGIN}/") for n in names)
    required = ["metadata.txt", "__init__.py", "plugin.py", "i18n/linxia_tianguan_zh_CN.qm", "CHANGELOG.md",
                "resources/linxia_admin_divisions.csv", "resources/styles/tg_space_code.qml",
                "resources/templates/statistics_map.qpt", "resources/rules/change_rules.json",
                "icons/linxia_tianguan.svg", "docs/space-code.md"]
    guide = ROOT / "docs" / "guide"
    if guide.is_dir():  # the user guide, screenshots included
        required += [f"docs/guide/{p.relative_to(guide).as_posix()}" for p in guide.rglob("*") if p.is_file()
                     and "__pycache__" not in p.parts]
    for name in required:
        assert f"{PLUGIN}/{name}" in names, name
    sources = {p.relative_to(ROOT / PLUGIN).as_posix() for p in (ROOT / PLUGIN).rglob("*.py")
               if "__pycache__" not in p.parts}
    assert sources <= {n[len(PLUGIN) + 1:] for n in names}  # every module of the package
    assert not [n for n in names if "__pycache__" in n or n.endswith((".pyc", ".ts", ".orig", ".part"))
                or re.search(r"/(tests|tools|bench|data|out|build|dist|\.venv|\.git)/", n)
                or "/.pending_tr" in n or n.endswith("/recipe.json")]


def test_metadata_has_the_version_and_the_changelog_of_changelog_md(archive):
    repo = (ROOT / "metadata.txt").read_text(encoding="utf-8")
    packed = zipfile.ZipFile(archive).read(f"{PLUGIN}/metadata.txt").decode("utf-8")
    assert packed == repo  # the repository's metadata.txt is up to date (tools/build_plugin.py changelog)
    general = _metadata(packed)
    assert general["version"] == "0.3.0"
    assert general["qgisMinimumVersion"] == "3.34" and general["qgisMaximumVersion"] == "4.99"
    assert general["supportsQt6"] == "True" and general["hasProcessingProvider"] == "yes"
    assert general["icon"] == "icons/linxia_tianguan.svg"
    assert f"{PLUGIN}/{general['icon']}" in zipfile.ZipFile(archive).namelist()
    expected = _changelog_from_markdown((ROOT / "CHANGELOG.md").read_text(encoding="utf-8"), general["version"])
    assert general["changelog"] == expected
    assert general["changelog"].startswith(f"{general['version']} (")  # the current version first
    assert "0.1.0 (" in general["changelog"]
    for feature in ("QR", "QField", "PostGIS", "dashboard", "assessment", "grid", "track"):
        assert feature.lower() in general["about"].lower(), feature
    for feature in ("二维码", "外业巡田包", "驾驶舱", "考核", "网格", "轨迹", "变化图斑", "案件"):
        assert feature in general["about[zh_CN]"], feature
    # English first (the defaults every other locale gets), the Chinese under [zh_CN]
    for key in ("name", "description", "about", "tags"):
        assert general[f"{key}[zh_CN]"] and general[f"{key}[zh_CN]"] != general[key], key
    assert not CJK_RUN.search(general["description"]) and CJK_RUN.search(general["description[zh_CN]"])


def test_the_plugin_manager_shows_chinese_metadata_under_zh_cn_and_english_otherwise(archive, tmp_path, qgis_app):
    """QGIS's own Plugin Manager code (pyplugin_installer) reads the unpacked zip under either UI locale."""
    from qgis.core import QgsSettings

    sys.path.insert(0, "/usr/share/qgis/python")
    try:
        from pyplugin_installer.installer_data import Plugins
    finally:
        sys.path.remove("/usr/share/qgis/python")
    with zipfile.ZipFile(archive) as zf:
        zf.extractall(tmp_path)
    settings = QgsSettings()
    saved = {key: settings.value(key) for key in ("locale/overrideFlag", "locale/userLocale")}
    shown = {}
    try:
        settings.setValue("locale/overrideFlag", True)
        for locale in ("zh_CN", "en_US"):
            settings.setValue("locale/userLocale", locale)
            shown[locale] = Plugins().getInstalledPlugin(PLUGIN, str(tmp_path / PLUGIN), readOnly=False)
    finally:
        for key, value in saved.items():
            settings.remove(key) if value is None else settings.setValue(key, value)
    general = _metadata(zipfile.ZipFile(archive).read(f"{PLUGIN}/metadata.txt").decode("utf-8"))
    for key in ("name", "description", "about"):
        assert shown["zh_CN"][key] == general[f"{key}[zh_CN]"] and shown["en_US"][key] == general[key], key
    assert shown["zh_CN"]["name"].startswith("临夏田管") and shown["en_US"]["name"].startswith("Linxia")
    assert shown["zh_CN"]["error"] == "" and shown["zh_CN"]["homepage"] == general["homepage"]


def test_links_given_at_package_time_land_in_the_zip_without_a_warning(tmp_path):
    links = {"homepage": "https://gitee.com/linxia-zrzy/tianguan", "tracker": "https://gitee.com/linxia-zrzy/"
             "tianguan/issues", "repository": "https://gitee.com/linxia-zrzy/tianguan.git",
             "email": "tianguan@lxzrzy.gov.cn"}
    # two as options (what make package HOMEPAGE=… TRACKER=… passes), two from the environment
    env = _env_without_links(TIANGUAN_REPOSITORY=links["repository"], TIANGUAN_EMAIL=links["email"])
    proc = _run_build("package", env, "--out", str(tmp_path / "release.zip"), "--homepage", links["homepage"],
                      "--tracker", links["tracker"])
    assert Path(proc.stdout.strip().splitlines()[-1]) == tmp_path / "release.zip"
    packed = zipfile.ZipFile(tmp_path / "release.zip").read(f"{PLUGIN}/metadata.txt").decode("utf-8")
    general = _metadata(packed)
    assert {key: general[key] for key in LINK_KEYS} == links
    assert "example.org" not in packed and "WARNING" not in proc.stderr
    repo = _metadata((ROOT / "metadata.txt").read_text(encoding="utf-8"))
    assert all(general[k] == v for k, v in repo.items() if k not in LINK_KEYS)  # nothing else changed
    assert "example.org" in repo["homepage"]  # the repository's metadata.txt is left as it is


def test_a_build_without_links_warns_naming_each_placeholder(tmp_path):
    proc = _run_build("package", _env_without_links(TIANGUAN_EMAIL="tianguan@lxzrzy.gov.cn"), "--out",
                      str(tmp_path / "release.zip"))
    warning = [line for line in proc.stderr.splitlines() if line.startswith("WARNING")]
    assert len(warning) == 1 and "example.org" in warning[0]
    for key in ("homepage", "tracker", "repository"):
        assert key in warning[0] and f"{key.upper()}=" in warning[0]  # how to set it: make package KEY=…
    assert "email" not in warning[0].split(";")[0]  # given, so not named
    assert (tmp_path / "release.zip").exists()  # a warning, not a failure: desks build for themselves


def test_a_malformed_link_stops_the_build(tmp_path):
    for option, value in (("--homepage", "gitee.com/x"), ("--email", "not-an-address"),
                          ("--tracker", "https://gitee.com/x/issues?q=100%")):
        proc = subprocess.run([sys.executable, str(ROOT / "tools" / "build_plugin.py"), "package", "--out",
                               str(tmp_path / "bad.zip"), option, value], cwd=ROOT, capture_output=True, text=True,
                              env=_env_without_links())
        assert proc.returncode != 0 and option[2:] in proc.stderr, (option, proc.stderr)
        assert not (tmp_path / "bad.zip").exists()


def test_the_zip_carries_working_chinese_translations(archive, tmp_path):
    """The .qm in the zip is compiled from the current .ts: Qt's own translator, given the zip's file, gives
    the translation the .ts holds for a few strings."""
    import xml.etree.ElementTree as ET

    from qgis.PyQt.QtCore import QTranslator

    qm = tmp_path / "linxia_tianguan_zh_CN.qm"
    qm.write_bytes(zipfile.ZipFile(archive).read(f"{PLUGIN}/i18n/linxia_tianguan_zh_CN.qm"))
    translator = QTranslator()
    assert translator.load(str(qm))
    ts = ET.parse(ROOT / PLUGIN / "i18n" / "linxia_tianguan_zh_CN.ts").getroot()
    pairs = {m.findtext("source"): m.findtext("translation") for m in ts.iter("message")}
    for source in ("Linxia farmland patrol", "One-click space coding", "Patrol tasks", "Export field package"):
        assert pairs[source] and pairs[source] != source
        assert translator.translate("LinxiaTianguan", source) == pairs[source], source


def test_install_unpacks_the_release_zip_and_enables_the_plugin(archive, tmp_path):
    root = tmp_path / "profiles_root"
    env = dict(os.environ, QGIS_CUSTOM_CONFIG_PATH=str(root))
    release = shutil.copy(archive, tmp_path / archive.name)  # this very zip, whatever other builds do to dist/
    installed = _build("install", env, "--zip", str(release))
    profile = root / "profiles" / "default"
    assert installed == profile / "python" / "plugins" / PLUGIN
    with zipfile.ZipFile(release) as zf:
        packed = {n[len(PLUGIN) + 1:]: zf.read(n) for n in zf.namelist() if not n.endswith("/")}
    on_disk = {p.relative_to(installed).as_posix(): p for p in installed.rglob("*") if p.is_file()}
    assert set(on_disk) == set(packed)  # exactly the artifact, nothing from the checkout besides
    assert [name for name, path in on_disk.items() if path.read_bytes() != packed[name]] == []
    ini = configparser.ConfigParser()
    ini.read(profile / "QGIS" / "QGIS3.ini", encoding="utf-8")
    assert ini["PythonPlugins"][PLUGIN] == "true"
    # installing again (building the zip this time) replaces the installed copy, nothing stale is kept
    (installed / "stale.py").write_text("raise SystemExit('stale')\n", encoding="utf-8")
    assert _build("install", env) == installed
    assert not (installed / "stale.py").exists() and (installed / "metadata.txt").exists()
    assert not [p for p in installed.parent.iterdir() if p.name != PLUGIN]  # no scratch folders left


def test_a_package_with_its_own_resources_folder_is_staged(tmp_path):
    """``stage`` merges the repository's resources into a resources folder the package already has."""
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import build_plugin
    finally:
        sys.path.remove(str(ROOT / "tools"))
    fake = tmp_path / "repo"
    (fake / PLUGIN / "resources").mkdir(parents=True)
    (fake / PLUGIN / "resources" / "own.txt").write_text("package's own", encoding="utf-8")
    (fake / PLUGIN / "i18n").mkdir()
    shutil.copy(ROOT / PLUGIN / "i18n" / "linxia_tianguan_zh_CN.ts", fake / PLUGIN / "i18n")
    (fake / PLUGIN / "__init__.py").write_text("", encoding="utf-8")
    (fake / "resources").mkdir()
    (fake / "resources" / "shared.txt").write_text("repository's", encoding="utf-8")
    (fake / "docs" / "guide").mkdir(parents=True)
    (fake / "docs" / "guide" / "README.md").write_text("# 使用手册", encoding="utf-8")
    for name in ("metadata.txt", "CHANGELOG.md"):
        shutil.copy(ROOT / name, fake / name)
    saved = build_plugin.ROOT, build_plugin.BUILD, build_plugin.STAGE, build_plugin.CHANGELOG
    build_plugin.ROOT, build_plugin.BUILD = fake, fake / "build"
    build_plugin.STAGE, build_plugin.CHANGELOG = fake / "build" / PLUGIN, fake / "CHANGELOG.md"
    try:
        staged = build_plugin.stage()
        staged_again = build_plugin.stage()  # over an existing stage
    finally:
        build_plugin.ROOT, build_plugin.BUILD, build_plugin.STAGE, build_plugin.CHANGELOG = saved
    assert staged == staged_again == fake / "build" / PLUGIN
    assert (staged / "resources" / "own.txt").read_text(encoding="utf-8") == "package's own"
    assert (staged / "resources" / "shared.txt").read_text(encoding="utf-8") == "repository's"
    assert (staged / "docs" / "guide" / "README.md").exists()
    assert (staged / "i18n" / "linxia_tianguan_zh_CN.qm").stat().st_size > 1000
    assert sorted(p.name for p in (fake / "build").iterdir()) == [PLUGIN]  # no scratch folders left


@pytest.fixture(scope="module")
def profile(tmp_path_factory):
    root = tmp_path_factory.mktemp("qgis_profile")
    env = dict(os.environ, QGIS_CUSTOM_CONFIG_PATH=str(root))
    _build("install", env)
    site = next(Path(sys.prefix).glob("lib/python3*/site-packages"))
    env["PYTHONPATH"] = os.pathsep.join([str(site), env.get("PYTHONPATH", "")])
    return env


def _qgis_process(env, *args):
    binary = shutil.which("qgis_process.bin") or "/usr/bin/qgis_process.bin"
    return subprocess.run([binary, *args], env=env, capture_output=True, text=True, timeout=300)


def test_qgis_process_lists_the_installed_plugin(profile):
    proc = _qgis_process(profile, "list")
    assert proc.returncode == 0, proc.stderr
    for algorithm in ("linxia_tianguan:space_code", "linxia_tianguan:validate_space_code",
                      "linxia_tianguan:decode_space_code"):
        assert algorithm in proc.stdout


def test_qgis_process_runs_coding_and_decoding(profile, sample_gpkg, tmp_path):
    out = tmp_path / "coded.gpkg"
    proc = _qgis_process(profile, "run", "linxia_tianguan:space_code", "--json", "--",
                         f"DLTB={sample_gpkg}|layername=DLTB", f"DK={sample_gpkg}|layername=DK",
                         f"STORE={tmp_path / 'tg.gpkg'}", "NEW_STORE=true", f"OUTPUT={out}")
    assert proc.returncode == 0, proc.stderr[-3000:]
    results = json.loads(proc.stdout)["results"]
    assert results["CODED"] > 1000 and out.exists()
    from qgis.core import QgsVectorLayer

    code = next(QgsVectorLayer(str(out), "c", "ogr").getFeatures())["KJM"]
    proc = _qgis_process(profile, "run", "linxia_tianguan:decode_space_code", "--json", "--", f"CODE={code}",
                         f"STORE={tmp_path / 'tg.gpkg'}")
    assert proc.returncode == 0, proc.stderr[-3000:]
    decoded = json.loads(proc.stdout)["results"]
    assert decoded["VALID"] == 1 and decoded["COUNTY"] == "622921 临夏县"
