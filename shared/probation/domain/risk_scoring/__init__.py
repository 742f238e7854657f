"""Scoring a case with the risk calculator: inputs derived from the case record, with their provenance."""
