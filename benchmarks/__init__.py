"""Benchmark scripts whose figures are quoted in the README: `python -m benchmarks.<name>`."""
