"""Desktop UI: toolbar actions, docks and dialogs. Holds no analysis: it runs the algorithms."""
