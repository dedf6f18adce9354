"""The window's frame around the plots: menus, File open/save, the status and message bars, the saved layout."""
