"""The lifecycles, by kind."""

from states.machines.assessment import ChildAndFamilyAssessment
from states.machines.asye import AsyeJourney
from states.machines.child_supervision import ChildSupervision
from states.machines.lifecycle import Lifecycle
from states.machines.oversight import ManagementOversight
from states.machines.relationship import SupervisoryRelationship
from states.machines.session import SupervisionSession
from states.machines.supervision_file import SupervisionFile
from states.machines.team_activity import TeamCadence

KINDS: dict[str, type[Lifecycle]] = {
    cls.kind: cls for cls in (ChildAndFamilyAssessment, AsyeJourney, SupervisoryRelationship)
}
KINDS[ChildSupervision.kind] = ChildSupervision
KINDS[SupervisionSession.kind] = SupervisionSession
KINDS[ManagementOversight.kind] = ManagementOversight
KINDS[TeamCadence.kind] = TeamCadence
KINDS[SupervisionFile.kind] = SupervisionFile

__all__ = ["KINDS", "Lifecycle", "ChildAndFamilyAssessment", "AsyeJourney", "SupervisoryRelationship",
           "SupervisionSession", "ManagementOversight", "TeamCadence", "SupervisionFile",
           "ChildSupervision"]
