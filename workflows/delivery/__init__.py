"""Delivering the outbox to receivers: dispatch, sending, and where messages go."""
