from .assessment import Assessment, AssessmentAnswer, AssessmentStatus, Review, ReviewDecision
from .assignment import (
    DECIDED,
    AssignmentStatus,
    Comment,
    ControlAssignment,
    Evidence,
    EvidenceKind,
)
from .routing import OwnershipRule, RerouteJob

__all__ = [
    "DECIDED",
    "Assessment",
    "AssessmentAnswer",
    "AssessmentStatus",
    "AssignmentStatus",
    "Comment",
    "ControlAssignment",
    "Evidence",
    "EvidenceKind",
    "OwnershipRule",
    "RerouteJob",
    "Review",
    "ReviewDecision",
]
