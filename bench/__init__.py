"""Benchmarks of redisom-cli against raw redis-py and Redis OM Python: `python -m bench`."""
