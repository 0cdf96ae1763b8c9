"""Logging in and out in a real browser: the user menu shows the role and office; repeated
wrong passwords lock the account (django-axes)."""

import pytest
from playwright.sync_api import expect

from conftest import rule
from e2e.conftest import login, submit_login


@rule("PLT-1")
def test_it_logs_in_and_shows_role_and_office_in_the_user_menu(page, server, users):
    login(page, server, "owner")

    expect(page.locator("#user-menu")).to_have_text("张伟")
    page.locator("#user-menu").click()
    expect(page.locator("#user-role")).to_be_visible()
    expect(page.locator("#user-role")).to_contain_text("上海一组")

    page.locator("#logout").click()
    expect(page).to_have_url(f"{server.url}/accounts/login/")
    page.goto(f"{server.url}/")
    expect(page).to_have_url(f"{server.url}/accounts/login/?next=/")


@rule("PLT-1")
def test_it_locks_the_account_after_five_wrong_passwords(page, server, users, settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    for _ in range(4):
        submit_login(page, server, "owner", "wrong-password")
        expect(page.locator("#id_username")).to_be_visible()
        expect(page.locator("#locked-out")).to_have_count(0)

    submit_login(page, server, "owner", "wrong-password")
    expect(page.locator("#locked-out")).to_be_visible()

    # Locked: even the right password is refused now.
    submit_login(page, server, "owner")
    expect(page.locator("#locked-out")).to_be_visible()
    page.goto(f"{server.url}/")
    expect(page).to_have_url(f"{server.url}/accounts/login/?next=/")


@pytest.mark.parametrize("path", ["/static/vendor/bootstrap.min.css", "/static/vendor/htmx.min.js", "/static/core/kehu.css"])
def test_it_serves_the_static_files(page, server, path):
    response = page.request.get(f"{server.url}{path}")

    assert response.status == 200
