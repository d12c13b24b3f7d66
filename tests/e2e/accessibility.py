"""axe-core in the browser tests: the WCAG 2.1 A and AA rules run on the page as the browser
renders it (colours, focus order, names of controls), with a failure that lists each broken
rule, how bad it is, where and how to fix it.

The axe.min.js bundled with ``axe_playwright_python`` is evaluated through Playwright's
DevTools channel rather than added as a ``<script>`` tag, so the site's Content-Security-Policy
(``script-src 'self'``) neither blocks it nor has to be bypassed.
"""

from functools import cache
from importlib.resources import files

from playwright.sync_api import Page

WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
TARGETS_SHOWN = 3


@cache
def axe_source() -> str:
    """The axe-core bundle shipped inside the installed ``axe_playwright_python``."""
    return files("axe_playwright_python").joinpath("axe.min.js").read_text(encoding="utf-8")


def axe_violations(page: Page) -> list[dict]:
    """axe-core's WCAG 2.1 AA violations on the page as it is now."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(axe_source())
    return page.evaluate(
        """(tags) => axe.run(document, {
            runOnly: {type: "tag", values: tags},
            resultTypes: ["violations"],
        }).then((results) => results.violations)""",
        WCAG_AA,
    )


def describe(violations: list[dict]) -> str:
    """One readable line per broken rule: id, impact, the first elements, the help page."""
    lines = []
    for violation in violations:
        targets = [
            " ".join(str(part) for part in node["target"])
            for node in violation["nodes"][:TARGETS_SHOWN]
        ]
        more = len(violation["nodes"]) - len(targets)
        lines.append(
            f"- {violation['id']} ({violation.get('impact') or 'n/a'}): {violation['help']}; "
            f"at {', '.join(targets)}{f' and {more} more' if more > 0 else ''}; "
            f"{violation['helpUrl']}"
        )
    return "\n".join(lines)


def accessibility_problems(page: Page) -> list[str]:
    """The page's WCAG 2.1 AA violations, one readable line each (empty when there are none)."""
    found = describe(axe_violations(page))
    return found.splitlines() if found else []


def assert_accessible(page: Page) -> None:
    """Zero axe-core violations of WCAG 2.1 A/AA on the page as rendered."""
    violations = axe_violations(page)
    assert not violations, (
        f"{page.url} breaks {len(violations)} WCAG 2.1 AA rule(s):\n{describe(violations)}"
    )
