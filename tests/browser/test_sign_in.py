import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from apps.accounts.management.commands.seed_demo import DEMO_EMAIL, DEMO_PASSWORD
from tests.browser.conftest import screenshot


@pytest.fixture
def demo(transactional_db):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


def _sign_in(page, password=DEMO_PASSWORD):
    page.goto("/")
    page.get_by_label("Email").fill(DEMO_EMAIL)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_demo_user_signs_in_switches_workspace_and_signs_out(page, demo):
    _sign_in(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Demo Agency")
    expect(page.get_by_text("Nothing needs your attention.")).to_be_visible()
    screenshot(page, "home")

    # Choosing another workspace submits the switcher by itself (app.js).
    page.get_by_label("Workspace").select_option(label="Demo Brand")
    expect(page.get_by_role("heading", level=1)).to_have_text("Demo Brand")
    expect(page.get_by_text("Switched to Demo Brand.")).to_be_visible()

    page.get_by_text("Demo", exact=True).click()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/$"))


def test_a_wrong_password_shows_an_error_and_keeps_the_email(page, demo):
    _sign_in(page, password="not-the-password")
    expect(page.get_by_role("alert")).to_contain_text("That email and password do not match")
    expect(page.get_by_label("Email")).to_have_value(DEMO_EMAIL)
