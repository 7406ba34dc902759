"""Storage of the plugin: the 田管库 GeoPackage (and, later, PostGIS through the same interface)."""
from .store import (
    CodingSession,
    GpkgStore,
    NotAStoreError,
    StoreError,
    StoreMissingError,
    existing_store,
    store_kind,
)

__all__ = ["GpkgStore", "CodingSession", "StoreError", "NotAStoreError", "StoreMissingError", "existing_store",
           "store_kind"]
