"""opsync: product/ops alignment as code, checked on every pull request."""

__version__ = "0.1.0"
