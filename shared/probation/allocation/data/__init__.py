"""Versioned tiering and workload data, read as package resources (see ATTRIBUTION.md)."""
