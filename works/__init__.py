"""Works and chapters: models, the one writer (services), reading and posting pages,
uploads and seeds, rendering, downloads and hits."""
