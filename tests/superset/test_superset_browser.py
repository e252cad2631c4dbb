"""A real browser (Debian's chromium driven by Playwright, never a downloaded one) logs in, opens every
dashboard, waits for its charts to render, finds no error, and saves a screenshot to <lake>/screenshots/."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from facetlake import paths
from facetlake.superset import SupersetClient, SupersetServer
from facetlake.superset.assets import bundle, dashboard_charts

pytestmark = [pytest.mark.superset, pytest.mark.browser]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1600, "height": 1300}
# What a rendered chart holds: an ECharts canvas, a table row, or a big number.
RENDERED = "canvas, svg, table tbody tr, .header-line"
ERRORS = ".ant-alert-error, [data-test='error-tooltip'], .chart-container .alert-danger"


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        subprocess.run(["make", "browser-setup"], cwd=paths.project_dir(), check=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def log_in(browser: Browser, server: SupersetServer, username: str, password: str) -> Page:
    page = browser.new_context(viewport=VIEWPORT).new_page()
    page.set_default_timeout(60_000)
    page.goto(f"{server.url}/login/")
    page.fill("[data-test='username-input']", username)
    page.fill("[data-test='password-input']", password)
    page.click("[data-test='login-button']")
    page.wait_for_url(lambda url: "/login" not in url)
    return page


def open_dashboard(page: Page, server: SupersetServer, slug: str, charts: int) -> None:
    """Open a dashboard and wait until each of its charts has rendered or failed."""
    page.goto(f"{server.url}/superset/dashboard/{slug}/?standalone=1")
    holders = page.locator("[data-test='dashboard-component-chart-holder']")
    holders.first.wait_for()
    assert holders.count() == charts
    for index in range(charts):
        holder = holders.nth(index)
        holder.scroll_into_view_if_needed()
        holder.locator(f"{RENDERED}, {ERRORS}").first.wait_for()
    page.locator("[data-test='loading-indicator']").first.wait_for(state="detached")
    page.evaluate("window.scrollTo(0, 0)")
    page.wait_for_timeout(1_000)  # ECharts animates its series in; let it finish before the screenshot


def wait_for_charts(page: Page) -> None:
    holders = page.locator("[data-test='dashboard-component-chart-holder']")
    for index in range(holders.count()):
        holders.nth(index).locator(f"{RENDERED}, {ERRORS}").first.wait_for(state="visible")


def save_screenshot(page: Page, path: Path) -> None:
    """A screenshot of the whole rendered dashboard. The viewport is grown to the page's height, the charts are
    awaited again, and the viewport is captured: Playwright's full_page capture resizes the page behind
    Superset's back and can come out as an empty grey grid."""
    width = page.viewport_size["width"] if page.viewport_size else VIEWPORT["width"]
    page.set_viewport_size({"width": width, "height": page.evaluate("document.documentElement.scrollHeight")})
    page.wait_for_timeout(500)
    wait_for_charts(page)
    page.wait_for_timeout(1_000)  # ECharts animates its series in again after the resize
    page.screenshot(path=str(path))


def chart_problems(page: Page) -> list[str]:
    problems = []
    holders = page.locator("[data-test='dashboard-component-chart-holder']")
    for index in range(holders.count()):
        holder = holders.nth(index)
        name = holder.locator("[data-test='chart-container']").get_attribute("data-test-chart-name") or index
        if holder.locator(ERRORS).count():
            problems.append(f"{name}: {holder.inner_text()[:300]}")
        elif not holder.locator(RENDERED).count():
            problems.append(f"{name}: nothing rendered")
    return problems


def test_every_dashboard_renders_without_errors(
    browser: Browser, superset_server: SupersetServer, credentials: dict[str, tuple[str, str]]
) -> None:
    page = log_in(browser, superset_server, *credentials["admin"])
    shots = superset_server.lake / "screenshots"
    shots.mkdir(exist_ok=True)
    for dashboard in bundle("dashboards"):
        open_dashboard(page, superset_server, dashboard["slug"], len(dashboard_charts(dashboard)))
        assert not chart_problems(page), f"{dashboard['dashboard_title']}: {chart_problems(page)}"
        assert dashboard["dashboard_title"] in page.title() or page.get_by_text(dashboard["dashboard_title"]).count()
        save_screenshot(page, shots / f"{dashboard['slug']}.png")
        assert not chart_problems(page), f"{dashboard['dashboard_title']}: {chart_problems(page)}"
        page.set_viewport_size(VIEWPORT)
        # A blank grey grid compresses to about 35 kB; the smallest real dashboard (Brand sales) is about 70 kB.
        assert (shots / f"{dashboard['slug']}.png").stat().st_size > 50_000
    page.context.close()


def test_brand_analyst_sees_one_brand_in_the_browser(
    browser: Browser,
    superset_server: SupersetServer,
    admin: SupersetClient,
    credentials: dict[str, tuple[str, str]],
) -> None:
    brands = {row["brand_name"] for row in admin.chart_data(_chart_id(admin, "Sales by brand"))}
    page = log_in(browser, superset_server, *credentials["analyst"])
    open_dashboard(page, superset_server, "brand-sales", 2)
    assert not chart_problems(page)
    table = page.locator("[data-test-chart-name='Sales by brand'] table tbody tr")
    assert table.count() == 1
    shown = {brand for brand in brands if brand in table.first.inner_text()}
    assert len(shown) == 1
    shot = superset_server.lake / "screenshots" / "brand-sales-as-brand-analyst.png"
    shot.parent.mkdir(exist_ok=True)
    save_screenshot(page, shot)
    page.context.close()


def _chart_id(client: SupersetClient, name: str) -> int:
    (chart,) = [c for c in client.list("chart") if c["slice_name"] == name]
    return chart["id"]
