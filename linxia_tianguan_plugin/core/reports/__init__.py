"""统计与考核 — the figures of the dashboard, the statistics maps' indicators and the assessment of officers."""
