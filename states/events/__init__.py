"""Domain events: facts in the past tense, each with the date it happened.

One module per lifecycle (its events and their declarations, ``DECLARED``);
:mod:`~oversight.states.events.registry` lists them all,
so every type is known once this package is imported. Every event class is importable from here.
"""

from oversight.states.events.assessment import (
    AssessmentCompleted,
    AssessmentExtended,
    AssessmentStarted,
    OversightRecorded,
)
from oversight.states.events.asye import (
    AsyeEnrolled,
    AsyeEvidenceRecorded,
    AsyePaused,
    AsyeResumed,
    FinalAssessmentRecorded,
    ReviewHeld,
)
from oversight.states.events.base import (
    DomainEvent,
    Identifier,
)
from oversight.states.events.child_supervision import (
    AllocationDiscussed,
    CaseClosed,
    CaseDetailsChanged,
    ChildAllocated,
    ChildReallocated,
    ChildSupervisionHeld,
    ChildSupervisionRecorded,
    ManagerCaseNoteRecorded,
)
from oversight.states.events.oversight import (
    OversightTriggered,
)
from oversight.states.events.registry import (
    EVENT_TYPES,
    LIFECYCLE_MODULES,
    event_types,
    parse_event,
)
from oversight.states.events.relationship import (
    AgreementReviewed,
    AgreementSigned,
    AlternativeSupervisionArranged,
    RelationshipEnded,
    RelationshipStarted,
    SupervisionHeld,
    SupervisorAbsenceStarted,
    SupervisorReturned,
)
from oversight.states.events.session import (
    SessionCancelled,
    SessionPlanned,
    SessionPrepared,
    SessionRecorded,
    SessionRescheduled,
    SessionSigned,
)
from oversight.states.events.staff import (
    ReturnedToWork,
    RoleChanged,
    StaffLeft,
)
from oversight.states.events.supervision_file import (
    SupervisionFileArchived,
    SupervisionFileDestroyed,
    SupervisionFileOpened,
    SupervisionFileTransferred,
)
from oversight.states.events.team_activity import (
    TeamActivityHeld,
    TeamActivityStarted,
)

__all__ = [
    "AgreementReviewed",
    "AgreementSigned",
    "AllocationDiscussed",
    "AlternativeSupervisionArranged",
    "AssessmentCompleted",
    "AssessmentExtended",
    "AssessmentStarted",
    "AsyeEnrolled",
    "AsyeEvidenceRecorded",
    "AsyePaused",
    "AsyeResumed",
    "CaseClosed",
    "CaseDetailsChanged",
    "ChildAllocated",
    "ChildReallocated",
    "ChildSupervisionHeld",
    "ChildSupervisionRecorded",
    "DomainEvent",
    "EVENT_TYPES",
    "FinalAssessmentRecorded",
    "Identifier",
    "LIFECYCLE_MODULES",
    "ManagerCaseNoteRecorded",
    "OversightRecorded",
    "OversightTriggered",
    "RelationshipEnded",
    "RelationshipStarted",
    "ReturnedToWork",
    "RoleChanged",
    "ReviewHeld",
    "SessionCancelled",
    "SessionPlanned",
    "SessionPrepared",
    "SessionRecorded",
    "SessionRescheduled",
    "SessionSigned",
    "StaffLeft",
    "SupervisionFileArchived",
    "SupervisionFileDestroyed",
    "SupervisionFileOpened",
    "SupervisionFileTransferred",
    "SupervisionHeld",
    "SupervisorAbsenceStarted",
    "SupervisorReturned",
    "TeamActivityHeld",
    "TeamActivityStarted",
    "event_types",
    "parse_event",
]
