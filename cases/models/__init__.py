"""The cases app's records, one module per kind (see each module's docstring)."""

from cases.models.complaints import (
    CaseStatus,
    Category,
    Complaint,
    ComplaintPhoto,
    Satisfaction,
    Tier,
    complaint_photo_path,
)
from cases.models.enforcement import EnforcementResult, PenaltyKind
from cases.models.handling import (
    AnswerStatus,
    AttachmentKind,
    CaseAttachment,
    CompanyAnswer,
    Dispatch,
    DispatchStatus,
    Extension,
    ExtensionStatus,
    InfoRequest,
    attachment_path,
)
from cases.models.inspections import (
    Campaign,
    ChecklistItem,
    ChecklistTemplate,
    Dimension,
    DrawTarget,
    Inspection,
    InspectionKind,
    InspectionPhoto,
    InspectionScore,
    InspectionStatus,
    RandomDraw,
    ScoringRule,
)
from cases.models.object_permissions import (
    ComplaintGroupObjectPermission,
    ComplaintUserObjectPermission,
)
from cases.models.partners import PartnerApiKey
from cases.models.penalties import (
    OrderStatus,
    Penalty,
    PenaltyStatus,
    RectificationEvidence,
    RectificationOrder,
)
from cases.models.time_limits import CalendarOverride, SlaRule
from cases.models.timeline import CaseEvent, CaseEventManager

__all__ = [
    "Campaign",
    "ChecklistItem",
    "ChecklistTemplate",
    "Dimension",
    "DrawTarget",
    "Inspection",
    "InspectionKind",
    "InspectionPhoto",
    "InspectionScore",
    "InspectionStatus",
    "RandomDraw",
    "ScoringRule",
    "OrderStatus",
    "PartnerApiKey",
    "Penalty",
    "PenaltyStatus",
    "RectificationEvidence",
    "RectificationOrder",
    "AnswerStatus",
    "AttachmentKind",
    "CalendarOverride",
    "CaseAttachment",
    "CaseEvent",
    "CaseEventManager",
    "CaseStatus",
    "Category",
    "CompanyAnswer",
    "Complaint",
    "ComplaintGroupObjectPermission",
    "ComplaintPhoto",
    "ComplaintUserObjectPermission",
    "Dispatch",
    "EnforcementResult",
    "DispatchStatus",
    "Extension",
    "ExtensionStatus",
    "InfoRequest",
    "PenaltyKind",
    "SlaRule",
    "Tier",
    "Satisfaction",
    "attachment_path",
    "complaint_photo_path",
]
