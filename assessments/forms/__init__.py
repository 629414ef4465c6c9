from .assessments import (
    AssessmentFilterForm,
    AssessmentStartForm,
    PlanForm,
    ReviewForm,
    SectionForm,
    SubmitForm,
    version_field,
)
from .assignments import (
    ActionForm,
    AssignmentEditForm,
    AssignmentFilter,
    BulkForm,
    CommentForm,
    EvidenceForm,
    WorkFilter,
)
from .routing import OwnershipRuleForm

__all__ = [
    "ActionForm",
    "AssessmentFilterForm",
    "AssessmentStartForm",
    "AssignmentEditForm",
    "AssignmentFilter",
    "BulkForm",
    "CommentForm",
    "EvidenceForm",
    "OwnershipRuleForm",
    "PlanForm",
    "ReviewForm",
    "SectionForm",
    "SubmitForm",
    "WorkFilter",
    "version_field",
]
