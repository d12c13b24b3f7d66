"""Staff screens for cases in the Wagtail admin: the workbench (lists and bulk dispatch) and
the case page with its actions. Views stay thin: a form, one call into a `cases` service, a
message, a redirect."""
