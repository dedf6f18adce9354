"""The headless training loop and what it reports."""
