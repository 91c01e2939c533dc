"""Benchmarks that print figures: `python -m bench.ingest`, `python -m bench.answer`."""
