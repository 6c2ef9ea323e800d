"""The lifecycles, by kind."""

from states.machines.assessment import ChildAndFamilyAssessment
from states.machines.asye import AsyeJourney
from states.machines.lifecycle import Lifecycle
from states.machines.relationship import SupervisoryRelationship

KINDS: dict[str, type[Lifecycle]] = {
    cls.kind: cls for cls in (ChildAndFamilyAssessment, AsyeJourney, SupervisoryRelationship)
}

__all__ = ["KINDS", "Lifecycle", "ChildAndFamilyAssessment", "AsyeJourney", "SupervisoryRelationship"]
