"""Agency data from report texts: read, split, extract numbers, check, detect copied reports.

`scoring.extract.run.extract_reports` does the whole job; `write_extraction` writes an input
folder (units, long metrics, review workbook) that `score --input` reads.
"""
