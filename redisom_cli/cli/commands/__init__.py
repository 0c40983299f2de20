"""The command groups of `om`, one module each."""
