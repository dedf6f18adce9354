"""One run's machinery: the session that starts, pauses and stops a run, the worker thread that trains it, the data the
plots draw from it, and the model access that evaluates it off the GUI thread. Knows nothing of the window."""
