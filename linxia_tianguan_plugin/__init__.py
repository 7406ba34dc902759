"""Linxia farmland-patrol plugin (临夏州耕地保护网格化巡田): space codes, patrol grid, tracks and cases."""


def classFactory(iface):
    from .plugin import TianguanPlugin

    return TianguanPlugin(iface)
