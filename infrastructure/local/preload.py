"""Imported by the fork server before it forks the first execution environment, after the functions'
modules: what each environment would otherwise load for itself on its first invocation, loaded once and
shared by every environment forked after it."""

from probation.adapters import aws

aws.load_models()
