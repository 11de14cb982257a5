"""Criteria schemes: the models, loading YAML with line numbers, `extends`, validation."""
