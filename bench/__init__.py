"""The benchmark of issue 7: `make bench` or `.venv/bin/python -m bench --help`."""
