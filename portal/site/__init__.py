"""The public website that citizens and companies read: the views behind the Wagtail pages of
``portal.models`` (complaint form, tracking, company directory, enforcement results, random
draws, statistics, site search, home page), the open data page and its downloads, the
anonymous page cache and the moderation workflow through which officials publish pages.
Staff-only screens and sign-in live in ``portal.security``; the Open311 API in
``portal.open311``.
"""
