"""Storage of the plugin: the 田管库 GeoPackage (and, later, PostGIS through the same interface)."""
from .store import CodingSession, GpkgStore, StoreError, existing_store

__all__ = ["GpkgStore", "CodingSession", "StoreError", "existing_store"]
