"""Shared machinery with no models that imports no app."""
