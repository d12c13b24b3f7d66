"""The audit action codes of the register and their labels, registered with Wagtail's log
registry (``enterprises.wagtail_hooks``); every state-changing function in ``enterprises``
writes one through ``foundation.audit.record`` inside its transaction.
"""

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "enterprises.company.imported": _("Imported"),
    "enterprises.licence.applied": _("Licence applied for"),
    "enterprises.licence.approved": _("Licence approved"),
    "enterprises.licence.rejected": _("Licence rejected"),
    "enterprises.licence.suspended": _("Licence suspended"),
    "enterprises.licence.revoked": _("Licence revoked"),
    "enterprises.licence.reinstated": _("Licence reinstated"),
    "enterprises.licence.expired": _("Licence expired"),
    "enterprises.licence.expiry_warned": _("Licence expiry warned"),
    "enterprises.contract.submitted": _("Contract submitted for filing"),
    "enterprises.contract.filed": _("Contract filed"),
    "enterprises.contract.returned": _("Contract returned"),
    "enterprises.contract.terminated": _("Contract terminated"),
    "enterprises.contract.expired": _("Contract expired"),
    "enterprises.contract.corrected": _("Contract corrected and resubmitted"),
    "enterprises.contract.amendment_submitted": _("Contract amendment submitted"),
    "enterprises.contract.amendment_accepted": _("Contract amendment accepted"),
    "enterprises.contract.amendment_returned": _("Contract amendment returned"),
    "enterprises.disclosure.published": _("Disclosure published"),
    "enterprises.evaluation.submitted": _("Evaluation submitted"),
    "enterprises.credit.recomputed": _("Credit recomputed"),
    "enterprises.credit.appealed": _("Credit record appealed"),
    "enterprises.credit.appeal_upheld": _("Credit appeal upheld"),
    "enterprises.credit.record_withdrawn": _("Credit record withdrawn with its source"),
    "enterprises.credit.appeal_dismissed": _("Credit appeal dismissed"),
    "enterprises.good_conduct.declared": _("Good conduct declared"),
    "enterprises.good_conduct.verified": _("Good conduct verified"),
    "enterprises.good_conduct.rejected": _("Good conduct not verified"),
    "enterprises.training.recorded": _("Training session recorded"),
    "enterprises.association.peer_review_recorded": _("Peer review recorded"),
    "enterprises.association.honour_recorded": _("Honour recorded"),
    "enterprises.survey.opened": _("Survey opened"),
    "enterprises.survey.closed": _("Survey closed"),
}
