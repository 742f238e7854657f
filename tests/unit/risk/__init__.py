"""Unit tests of the MoJ actuarial risk calculator (probation.risk)."""
