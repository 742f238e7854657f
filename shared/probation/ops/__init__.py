"""Operator tools: redrive a dead-letter queue, replay outbox events onto the bus, show a case's events."""
