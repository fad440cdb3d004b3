"""The benchmarks (bench/README.md): `python bench/run.py` runs the suite of issue 8."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent  # the repository
