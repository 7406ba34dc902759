"""巡田网格 — the five-level patrol grid (州/县/乡/村/社) and the check that it covers the county once."""
