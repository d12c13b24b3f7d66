"""The demo's Wagtail pages, for ``manage.py seed_demo``: the home page becomes the default
site's root (replacing Wagtail's welcome page, never someone's real page), then the service
pages, the published content and the moderation workflow."""

from collections.abc import Callable

from django.conf import settings

from portal.demo import data

WELCOME_TITLE = "Welcome to your new Wagtail site!"


def seed_site_pages(owner, write: Callable[[str], object]) -> None:
    """The home page as the default site's root, the complaint and tracking pages, the
    notices, standards and questions and answers, and the publishing workflow; nothing twice."""
    from wagtail.models import Page, Site

    from portal.demo.content import seed_content
    from portal.demo.faq import seed_faqs
    from portal.models import ComplaintPage, HomePage, TrackingPage
    from portal.site.moderation import ensure_moderation

    root = Page.get_first_root_node()
    site = Site.objects.filter(is_default_site=True).first()
    home = HomePage.objects.first()
    if home is None:
        welcome = site.root_page if site else None
        if welcome is not None and (
            welcome.specific_class is not Page or welcome.title != WELCOME_TITLE
        ):
            welcome = None  # someone's real page: leave it alone
        if welcome is not None:
            welcome.slug = "wagtail-welcome"  # frees the slug "home" among root's children
            welcome.save()
        home = HomePage(title=data.SITE_TITLE, slug="home", intro=data.HOME_INTRO, owner=owner)
        root.add_child(instance=home)
        home.save_revision(user=owner).publish()
        if site is None:
            site = Site(hostname="localhost", port=80, is_default_site=True)
        site.root_page = home
        site.site_name = data.SITE_TITLE
        site.save()
        if welcome is not None and not Site.objects.filter(root_page=welcome).exists():
            welcome.delete()
        write(f"pages: home page “{home.title}” is the default site's root")
    elif site is not None and site.root_page_id != home.pk:
        site.root_page = home
        site.save()
    if not ComplaintPage.objects.exists():
        page = ComplaintPage(
            title="我要投诉",
            slug="complain",
            intro=data.complaint_intro(settings.COMPLAINT_MAX_FILES),
            owner=owner,
        )
        home.add_child(instance=page)
        page.save_revision(user=owner).publish()
        write(f"pages: complaint page at {page.url}")
    if not TrackingPage.objects.exists():
        page = TrackingPage(title="进度查询", slug="track", intro=data.TRACKING_INTRO, owner=owner)
        home.add_child(instance=page)
        page.save_revision(user=owner).publish()
        write(f"pages: tracking page at {page.url}")
    seed_content(home, owner)
    seed_faqs(home, owner)
    ensure_moderation(home)
