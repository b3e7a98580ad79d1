"""Why a resource changes: one typed cause, printed the way the report's "why" column reads."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class CauseKind(Enum):
    TYPE = "type"  # the resource's Type changed: always a new resource
    PROPERTY = "property"  # a property's value changed in the template
    ATTRIBUTE = "attribute"  # DeletionPolicy, DependsOn, Metadata, ...: never a new resource
    PARAMETER = "parameter"  # a changed stack parameter feeds one of its properties
    REPLACED_REFERENCE = "new"  # a resource it refers to gets a new physical id
    CONDITION = "condition"  # a changed parameter feeds its Condition: it may be created or deleted


@dataclass(frozen=True)
class Cause:
    kind: CauseKind
    name: str  # the property, attribute, parameter, resource or condition; "A → B" for a type

    @classmethod
    def type_changed(cls, old: str | None, new: str | None) -> Cause:
        return cls(CauseKind.TYPE, f"{old} → {new}")

    @property
    def feeds_properties(self) -> bool:
        """A changed input (parameter or replaced resource) that reaches properties through references."""
        return self.kind in (CauseKind.PARAMETER, CauseKind.REPLACED_REFERENCE)

    def __str__(self) -> str:
        if self.kind is CauseKind.ATTRIBUTE:
            return self.name
        if self.kind is CauseKind.CONDITION:
            return f"condition {self.name} (may create or delete it)"
        return f"{self.kind.value} {self.name}"
