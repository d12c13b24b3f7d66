"""The register of property-management companies, one module per kind of record."""

from enterprises.models.association import Honour, PeerReview
from enterprises.models.committees import (
    CommitteeMember,
    CommitteePosition,
    OwnersCommittee,
)
from enterprises.models.contract_versions import ContractVersion, VersionKind, VersionStatus
from enterprises.models.contracts import ContractStatus, ServiceContract, ServiceLevel
from enterprises.models.credit import (
    AppealStatus,
    CreditAppeal,
    CreditPolicy,
    CreditRecord,
    CreditRecordKind,
)
from enterprises.models.disclosures import Disclosure, DisclosureFee, DisclosureKind
from enterprises.models.evaluations import Evaluation, EvaluatorKind
from enterprises.models.evaluators import EvaluationOrganisation, EvaluatorEngagement
from enterprises.models.good_conduct import (
    ClaimStatus,
    GoodConductClaim,
    GoodConductKind,
    TrainingSession,
)
from enterprises.models.handovers import (
    Handover,
    HandoverCategory,
    HandoverConfirmation,
    HandoverItem,
    HandoverParty,
    HandoverStatus,
)
from enterprises.models.improvement_requests import ImprovementRequest, RequestStatus
from enterprises.models.invitations import Invitation
from enterprises.models.licences import Licence, LicenceStatus
from enterprises.models.object_permissions import (
    CompanyGroupObjectPermission,
    CompanyUserObjectPermission,
    EstateGroupObjectPermission,
    EstateUserObjectPermission,
)
from enterprises.models.register import Company, CompanyStatus, CreditGrade, Estate
from enterprises.models.staff import StaffProfile
from enterprises.models.surveys import (
    HouseholdCode,
    QuestionKind,
    Survey,
    SurveyAnswer,
    SurveyKind,
    SurveyQuestion,
    SurveyResponse,
    SurveyRunner,
    SurveyStatus,
)
from enterprises.models.units import Owner, Unit
from enterprises.models.votes import (
    QUALIFIED_MATTERS,
    Ballot,
    BallotChannel,
    BallotChoice,
    Matter,
    Vote,
    VoteStatus,
)
from enterprises.models.work_reports import (
    BudgetLine,
    OverdueReportFlag,
    WorkReport,
    WorkReportStatus,
)

__all__ = [
    "AppealStatus",
    "CommitteeMember",
    "CommitteePosition",
    "Company",
    "CompanyGroupObjectPermission",
    "CompanyUserObjectPermission",
    "CompanyStatus",
    "ContractStatus",
    "CreditAppeal",
    "CreditGrade",
    "CreditPolicy",
    "CreditRecord",
    "CreditRecordKind",
    "Disclosure",
    "DisclosureKind",
    "Estate",
    "EstateGroupObjectPermission",
    "EstateUserObjectPermission",
    "Evaluation",
    "EvaluatorKind",
    "Invitation",
    "Owner",
    "Unit",
    "Licence",
    "LicenceStatus",
    "OwnersCommittee",
    "ServiceContract",
    "ServiceLevel",
    "StaffProfile",
    "EvaluationOrganisation",
    "EvaluatorEngagement",
    "ClaimStatus",
    "GoodConductClaim",
    "GoodConductKind",
    "TrainingSession",
    "Honour",
    "PeerReview",
    "ContractVersion",
    "VersionKind",
    "VersionStatus",
    "BudgetLine",
    "ImprovementRequest",
    "OverdueReportFlag",
    "RequestStatus",
    "WorkReport",
    "WorkReportStatus",
    "HouseholdCode",
    "QuestionKind",
    "Survey",
    "SurveyAnswer",
    "SurveyKind",
    "SurveyQuestion",
    "SurveyResponse",
    "SurveyRunner",
    "SurveyStatus",
    "DisclosureFee",
    "QUALIFIED_MATTERS",
    "Ballot",
    "BallotChannel",
    "BallotChoice",
    "Matter",
    "Vote",
    "VoteStatus",
    "Handover",
    "HandoverCategory",
    "HandoverConfirmation",
    "HandoverItem",
    "HandoverParty",
    "HandoverStatus",
]
