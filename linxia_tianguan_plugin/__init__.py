"""Linxia farmland-patrol plugin (临夏州耕地保护网格化巡田): space codes, patrol grid, tracks and cases."""


def classFactory(iface):
    """The plugin, or, when QGIS's Python lacks a required package (shapely ≥ 2, numpy, pyproj), a stand-in
    that says what to install and registers nothing (see :mod:`.dependencies`): never a traceback."""
    from . import dependencies

    problems = dependencies.missing_required()
    if problems:
        return dependencies.MissingDependenciesPlugin(iface, problems)
    try:
        from .plugin import TianguanPlugin
    except ImportError as error:  # a part of a required package that the probe could not see
        problem = dependencies.problem_of_plugin_import(error)
        if problem is None:
            raise
        return dependencies.MissingDependenciesPlugin(iface, [problem])
    plugin = TianguanPlugin(iface)  # (installs the translator)
    dependencies.log_optional()  # psycopg2: only PostGIS needs it
    return plugin
