"""空间赋码 — the space code, its check character and QR, and the one-click coding kernel (pieces, numbering,
lineage, the guard of the county's codes)."""
