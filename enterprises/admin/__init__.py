"""The register's staff screens in the Wagtail admin (企业监管): permission policy, scoped
generic views, forms and viewsets. Registered by ``enterprises.wagtail_hooks``."""
