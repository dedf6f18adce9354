"""Loading the bundled data sets and user files, with clear errors."""
