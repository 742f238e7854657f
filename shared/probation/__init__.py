"""Probation casework platform: the project library shared by every function (deployed as a Lambda layer)."""
