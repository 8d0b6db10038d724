"""Utilities: the common estimator checks."""
