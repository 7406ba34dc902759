"""Algorithms of the toolbox group "4 变化分析与案件": change detection, evidence checks and the PostGIS export."""
