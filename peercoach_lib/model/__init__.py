"""The workbook's domain records: typed, validated, and unaware of widgets or storage."""

from peercoach_lib.model.agreement import (
    Agreement,
    Frequency,
    Medium,
    PartnerSection,
    PartnershipGoal,
    SessionFormat,
    Weekday,
)
from peercoach_lib.model.base import Record
from peercoach_lib.model.change_plan import (
    ChangePlan,
    GasRating,
    GasScale,
    Milestone,
    Obstacle,
    PlanStatus,
    PlanStep,
)
from peercoach_lib.model.conversations import (
    Conversation,
    ConversationOutcome,
    EndingNote,
    FlagEpisode,
    FlagOutcome,
)
from peercoach_lib.model.drafts import Draft
from peercoach_lib.model.flags import FlagFollowUp, FlagRule
from peercoach_lib.model.history import FieldChange, HistoryAction, HistoryEntry
from peercoach_lib.model.lsi import DEFAULT_AREAS, LsiAreaRating, LsiAssessment
from peercoach_lib.model.people import Cohort, CohortSettings, EndReason, Partnership, Person, Role
from peercoach_lib.model.sessions import (
    Commitment,
    CommitmentStatus,
    Feedback,
    FeedbackRole,
    Session,
    SessionCheck,
    SessionHalf,
    SessionNote,
    SessionPrep,
    SessionStatus,
)

__all__ = [
    "DEFAULT_AREAS",
    "Agreement",
    "ChangePlan",
    "Cohort",
    "CohortSettings",
    "Commitment",
    "CommitmentStatus",
    "Conversation",
    "ConversationOutcome",
    "Draft",
    "EndReason",
    "EndingNote",
    "Feedback",
    "FeedbackRole",
    "FieldChange",
    "FlagEpisode",
    "FlagFollowUp",
    "FlagOutcome",
    "FlagRule",
    "Frequency",
    "GasRating",
    "GasScale",
    "HistoryAction",
    "HistoryEntry",
    "LsiAreaRating",
    "LsiAssessment",
    "Medium",
    "Milestone",
    "Obstacle",
    "PartnerSection",
    "Partnership",
    "PartnershipGoal",
    "Person",
    "PlanStatus",
    "PlanStep",
    "Record",
    "Role",
    "Session",
    "SessionCheck",
    "SessionFormat",
    "SessionHalf",
    "SessionNote",
    "SessionPrep",
    "SessionStatus",
    "Weekday",
]
