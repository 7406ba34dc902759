"""巡田 — officers (roster), patrol tasks, tracks and their authenticity, coverage of farmland by tracks, replay
and the QField field package."""
