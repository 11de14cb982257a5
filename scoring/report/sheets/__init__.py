"""One module per workbook sheet; each adds its sheet to an open XlsxWriter workbook."""
