# Generated from redisom_cli/store/aio/__init__.py by scripts/unasync.py: edit that file, not this one.
"""The async I/O layer: the source from which redisom_cli.store.sync is generated."""
