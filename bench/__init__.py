"""Benchmarks of the archive's pages: `make bench` runs bench/run.sh."""
