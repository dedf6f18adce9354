"""rnnlab: a desktop lab for recurrent neural networks. The engine (this package minus `app/`) never imports Qt."""

__version__ = "0.1.0"


def __getattr__(name):
    # `from rnnlab import probe` without importing torch for `rnnlab --help`.
    if name == "probe":
        from .models import probe

        return probe
    raise AttributeError(f"module 'rnnlab' has no attribute {name!r}")
