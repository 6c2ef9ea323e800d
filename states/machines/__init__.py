"""The lifecycles, by kind."""

from oversight.states.machines.assessment import ChildAndFamilyAssessment
from oversight.states.machines.asye import AsyeJourney
from oversight.states.machines.child_supervision import ChildSupervision
from oversight.states.machines.lifecycle import Lifecycle
from oversight.states.machines.oversight import ManagementOversight
from oversight.states.machines.relationship import SupervisoryRelationship
from oversight.states.machines.session import SupervisionSession
from oversight.states.machines.supervision_file import SupervisionFile
from oversight.states.machines.team_activity import TeamCadence

KINDS: dict[str, type[Lifecycle]] = {
    cls.kind: cls for cls in (ChildAndFamilyAssessment, AsyeJourney, SupervisoryRelationship)
}
KINDS[ChildSupervision.kind] = ChildSupervision
KINDS[SupervisionSession.kind] = SupervisionSession
KINDS[ManagementOversight.kind] = ManagementOversight
KINDS[TeamCadence.kind] = TeamCadence
KINDS[SupervisionFile.kind] = SupervisionFile

__all__ = ["KINDS", "Lifecycle", "ChildAndFamilyAssessment", "AsyeJourney",
           "SupervisoryRelationship", "SupervisionSession", "ManagementOversight", "TeamCadence",
           "SupervisionFile", "ChildSupervision"]
