"""Algorithms of the toolbox group "5 专题图与报表": statistics maps, the dashboard report, the assessment and QR
labels."""
