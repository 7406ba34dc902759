"""Domain logic of the plugin: plain Python on numpy/shapely/pyproj.

Nothing in this package imports ``qgis`` or Qt, so the rules (codes, check characters, grid
codes, the coding kernel) can be tested and reused without a QGIS runtime.
"""
