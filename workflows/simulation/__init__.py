"""Scenarios run through the real engine on a virtual clock, and synthetic populations."""
