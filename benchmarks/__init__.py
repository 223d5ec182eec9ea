"""Benchmarks (issue 9): ``python -m benchmarks``; per-loader scripts ``bench_<kind>.py``."""
