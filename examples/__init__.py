"""Example models for `om`, used by the repository's own `[tool.om]` settings."""
