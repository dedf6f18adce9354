"""Run folders on disk: save, open, restore."""
