"""Versioned OASys catalogue data, read as package resources (see ATTRIBUTION.md)."""
