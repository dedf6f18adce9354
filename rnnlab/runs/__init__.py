"""Run folders on disk: save, open, restore (store); the run library (library); comparing runs (compare)."""
