"""Persistence: typed ORM records, the engine factory, the unit of work and migrations."""
