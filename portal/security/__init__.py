"""Staff accounts and their accountability: the second factor of officials and
administrators, the idle sign-out, the audit trail of permission changes, the guard that
keeps accounts named by records from being deleted, and the admin screens that show the audit
log (the audit log itself and Wagtail's site history, for administrators only). The audit
writer these use is ``foundation.audit``; what the public sees belongs in ``portal.site``.
"""
