"""The published catalog (see the module docstring of the Edition, to come)."""
