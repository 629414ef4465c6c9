"""Benchmark tooling: the bench data set (`seed.py`, run by `manage.py seed_bench`) and the page
measurements of `make bench` / `make bench-smoke` (`run.py`). Not a Django app; see bench/README.md."""
