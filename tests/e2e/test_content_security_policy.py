"""Pages, the desk (htmx, Bootstrap) and the admin work in Chromium under the Content-Security-Policy."""

from __future__ import annotations

import pytest

from motcua.demo import DEMO_PASSWORD, load_demo
from motcua.models import Agency, User

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Playwright's init script runs before the page's own scripts and is not itself under the policy:
# it records every violation the browser reports.
RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + e.sourceFile + ":" + e.lineNumber);
});
"""


class Watch:
    """A browser context whose pages report CSP violations (events and console messages) and errors."""

    def __init__(self, browser):
        self.context = browser.new_context(locale="vi-VN", viewport={"width": 1366, "height": 900})
        self.context.add_init_script(RECORD_VIOLATIONS)
        self.page = self.context.new_page()
        self.console: list[str] = []
        self.errors: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))

    def _console(self, message) -> None:
        text = message.text
        if "Content Security Policy" in text or "Content-Security-Policy" in text:
            self.console.append(text)

    def visit(self, url: str) -> None:
        response = self.page.goto(url)
        assert response is not None and response.ok, (url, response and response.status)
        assert "default-src 'self'" in response.headers.get("content-security-policy", ""), url
        self.check(url)

    def check(self, where: str) -> None:
        violations = self.page.evaluate("window.__csp || []")
        assert violations == [] and self.console == [] and self.errors == [], (where, violations, self.console)

    def login(self, base: str, username: str) -> None:
        self.visit(f"{base}/dang-nhap/")
        self.page.get_by_label("Tên đăng nhập").fill(username)
        self.page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
        with self.page.expect_navigation():
            self.page.get_by_role("button", name="Đăng nhập").click()
        self.check("after login")


def test_public_pages_the_desk_and_the_admin_raise_no_csp_violation(live_server, browser):
    load_demo()
    base = live_server.url

    public = Watch(browser)
    for path in ("/thu-tuc/", "/thu-tuc/?q=khai+sinh", "/thu-tuc/1.001193/", "/tra-cuu/", "/dang-nhap/"):
        public.visit(base + path)
    # The collapsed menu of a phone-sized window opens (Bootstrap's script, no inline code).
    public.page.set_viewport_size({"width": 390, "height": 844})
    public.page.get_by_role("button", name="Mở menu").click()
    public.page.get_by_role("link", name="Cán bộ đăng nhập").wait_for(state="visible")
    public.check("menu")
    public.context.close()

    clerk = Watch(browser)
    clerk.login(base, "canbo")
    clerk.visit(f"{base}/ho-so/tiep-nhan/")
    # htmx answers the typing with the procedure list, without injecting its inline styles.
    clerk.page.get_by_label("Mã hoặc tên thủ tục").fill("khai sinh")
    clerk.page.locator("#ds-thu-tuc a", has_text="Đăng ký khai sinh").first.wait_for()
    clerk.check("htmx search")
    clerk.page.locator("#ds-thu-tuc a", has_text="Đăng ký khai sinh").first.click()
    clerk.page.wait_for_url("**/tiep-nhan/*/")
    clerk.check("intake form")
    for path in ("/ho-so/quay/", "/ho-so/tim-kiem/", "/ho-so/so-theo-doi/"):
        clerk.visit(base + path)
    # The user menu (a Bootstrap dropdown positioned by Popper) opens.
    clerk.page.get_by_role("button", name="Đăng xuất").wait_for(state="hidden")
    clerk.page.locator(".dropdown-toggle").click()
    clerk.page.get_by_role("button", name="Đăng xuất").wait_for(state="visible")
    clerk.check("dropdown")
    clerk.context.close()

    admin = Watch(browser)
    admin.login(base, "quantri")
    agency = Agency.objects.get(code="000.00.01.H26")
    user = User.objects.get(username="canbo")
    for path in (
        "/quan-tri/",
        f"/quan-tri/motcua/agency/{agency.pk}/change/",
        "/quan-tri/motcua/user/",
        f"/quan-tri/motcua/user/{user.pk}/change/",
        "/quan-tri/motcua/user/add/",
    ):
        admin.visit(base + path)
    # The admin's own scripts run: the navigation sidebar's filter hides the models that do not match.
    admin.page.goto(f"{base}/quan-tri/motcua/user/{user.pk}/change/")
    admin.page.locator("#nav-sidebar tr.model-user").wait_for(state="visible")
    admin.page.locator("#nav-filter").fill("cơ quan")
    admin.page.locator("#nav-sidebar tr.model-user").wait_for(state="hidden")
    admin.check("admin sidebar filter")
    admin.context.close()


def test_the_report_pages_and_their_preview_raise_no_csp_violation(live_server, browser):
    load_demo()
    base = live_server.url
    leader = Watch(browser)
    leader.login(base, "lanhdao")
    leader.visit(f"{base}/bao-cao/lap-moi/")
    leader.page.get_by_label("Loại kỳ báo cáo").select_option("decree_half_year")
    leader.page.get_by_label("Năm").fill("2025")
    leader.page.get_by_label("Kỳ số").fill("1")
    leader.page.get_by_role("button", name="Lập báo cáo").click()
    leader.page.wait_for_url("**/bao-cao/*/")
    leader.page.get_by_text("Đã tổng hợp").first.wait_for(timeout=60_000)  # htmx polling, progress bar
    leader.check("report detail")
    # The confirmation asked before finalising comes from static/js/motcua.js; dismissing it sends nothing.
    leader.page.once("dialog", lambda dialog: dialog.dismiss())
    leader.page.get_by_role("button", name="Chốt báo cáo chính thức").click()
    leader.check("confirm dismissed")
    assert "Báo cáo đã hoàn tất" not in leader.page.content()
    # The preview's <style> blocks carry the page's nonce.
    leader.visit(leader.page.get_by_role("link", name="Xem trước").get_attribute("href").join([base, ""]))
    assert leader.page.locator("body").evaluate("b => getComputedStyle(b).maxWidth") != "none"
    leader.context.close()
