# This module is the source of redisom_cli/store/sync/__init__.py (scripts/unasync.py).
"""The async I/O layer: the source from which redisom_cli.store.sync is generated."""
