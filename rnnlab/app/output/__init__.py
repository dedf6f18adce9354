"""What leaves the window: figure and data export, the HTML report, the standalone script, and the run library."""
