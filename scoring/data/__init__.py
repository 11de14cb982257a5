"""Agency data in: units, metric values and publication records, read, normalised, checked."""
