"""The `woo` command line: the root group and its commands (main.py), one module per command
group (decisions.py, requests.py) and what they share (common.py)."""

from wooarchive.cli.main import cli

__all__ = ["cli"]
