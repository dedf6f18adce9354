"""The live plots (pyqtgraph): loss and metric, gradient norms, gradient through time, gates. Items created once."""
