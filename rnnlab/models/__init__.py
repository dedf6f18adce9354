"""The networks rnnlab trains (fused cells + task heads) and the probe that looks inside them."""
