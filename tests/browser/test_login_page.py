"""A person logs in through the real page in a real browser and sees their district."""
from tests import builders


def test_login_in_browser_then_switch_language(page, live_server, db, artifacts_dir):
    builders.user("hp.op", roles="district.operator", tenant="huangpu")
    page.goto(f"{live_server}/")
    assert page.url.endswith("/login?next=/%3F") or "/login" in page.url
    page.fill("input[name=username]", "hp.op")
    page.fill("input[name=password]", "wrong-password")
    page.click("[data-testid=login-submit]")
    page.wait_for_selector(".field-error")
    page.fill("input[name=password]", builders.PASSWORD)
    page.click("[data-testid=login-submit]")
    page.wait_for_selector("[data-testid=tenant]")
    assert page.text_content("[data-testid=tenant]") == "黄浦区"
    page.screenshot(path=str(artifacts_dir / "home.png"))
    # The test app speaks English (tests/conftest.py); the switch turns the UI to Chinese.
    assert page.is_visible("text=Log out")
    page.click("[data-testid=lang-switch]")
    page.wait_for_selector("text=退出")
