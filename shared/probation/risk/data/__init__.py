"""Versioned model coefficients and offence lists, read as package resources."""
