"""Unit tests of the OASys Layer 3 catalogue and the rules over its answers (probation.assessments)."""
