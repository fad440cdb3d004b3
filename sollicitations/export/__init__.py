"""Whole-list exports: `cells` (the CSV rule, formulas defused), `files` (XLSX, CSV or Parquet files, streamed
page by page) and `cli` (`python -m sollicitations export`)."""
