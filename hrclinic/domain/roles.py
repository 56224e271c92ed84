"""Roles, what each may do, and which vaults each holds."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """A user's role in the clinic."""

    OWNER = "owner"
    CLINICIAN = "clinician"
    FRONT_DESK = "front_desk"

    @property
    def label(self) -> str:
        """The role as people say it."""
        return _ROLE_LABELS[self]

    @classmethod
    def parse(cls, text: str) -> Role:
        """Read a role from user input ("front desk", "front-desk", "Clinician"...)."""
        key = text.strip().lower().replace("-", "_").replace(" ", "_")
        try:
            return cls(key)
        except ValueError:
            names = ", ".join(r.label.lower() for r in cls)
            raise ValueError(f"Unknown role {text!r}: choose one of {names}.") from None


_ROLE_LABELS = {
    Role.OWNER: "Owner",
    Role.CLINICIAN: "Clinician",
    Role.FRONT_DESK: "Front desk",
}


class Permission(StrEnum):
    """Things a person does that not every role may do."""

    MANAGE_USERS = "manage_users"
    MANAGE_CLINIC = "manage_clinic"
    VIEW_REGISTRY = "view_registry"
    EDIT_REGISTRY = "edit_registry"
    READ_CLINICAL = "read_clinical"
    WRITE_CLINICAL = "write_clinical"
    WRITE_PRIVATE_NOTES = "write_private_notes"
    VERIFY = "verify"
    MERGE_RECORDS = "merge_records"  # owners only: two records of one person become one


_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.OWNER: frozenset(Permission),
    Role.CLINICIAN: frozenset(
        {
            Permission.VIEW_REGISTRY,
            Permission.EDIT_REGISTRY,
            Permission.READ_CLINICAL,
            Permission.WRITE_CLINICAL,
            Permission.WRITE_PRIVATE_NOTES,
            Permission.VERIFY,
        }
    ),
    Role.FRONT_DESK: frozenset({Permission.VIEW_REGISTRY, Permission.EDIT_REGISTRY, Permission.VERIFY}),
}


def permissions_of(role: Role) -> frozenset[Permission]:
    """Every permission a role carries."""
    return _PERMISSIONS[role]


def may(role: Role, permission: Permission) -> bool:
    """True when the role carries the permission."""
    return permission in _PERMISSIONS[role]


def holds_clinical_vault(role: Role) -> bool:
    """Owners and clinicians hold the clinical vault key; front desk does not."""
    return may(role, Permission.READ_CLINICAL)


def has_private_vault(role: Role) -> bool:
    """Roles that write psychotherapy (process) notes get a private vault of their own."""
    return may(role, Permission.WRITE_PRIVATE_NOTES)
