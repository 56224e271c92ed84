"""Use cases: one function per thing a person does. They take the unlocked clinic (which knows
the acting user) and plain arguments, check permission, run in one unit of work, write the
audit event and return read models (frozen dataclasses), never ORM records."""
