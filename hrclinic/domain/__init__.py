"""Enums, value rules and pure functions. Standard library only."""
