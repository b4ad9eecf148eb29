"""Subcommands of the ``atlaschart`` console script.

Each module in this package is one subcommand (or a group). It defines::

    def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None

which adds its parser and sets ``handler=<callable(args) -> int>`` as a default. ``atlaschart.cli``
discovers the modules, so adding a subcommand means adding a module here and nothing else.
Exit codes: 0 success (or a clean "not scorable"), 2 malformed input (one line on stderr).
"""
