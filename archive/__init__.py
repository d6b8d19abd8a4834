"""The project: settings, URLs, serving, and the modules every app shares."""
