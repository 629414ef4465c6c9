"""The API docs page works under the site's strict content-security policy."""

import pytest

pytestmark = pytest.mark.browser

VIOLATIONS = (
    "window.__violations = [];"
    "document.addEventListener('securitypolicyviolation', e => window.__violations.push(e.violatedDirective));"
)


def test_swagger_ui_renders_and_runs_an_operation_without_policy_violations(page, db):
    page.add_init_script(VIOLATIONS)
    page.goto("/api/docs/")
    page.wait_for_selector(".opblock")
    page.click(".opblock-summary-get >> nth=0")
    page.click("text=Try it out")
    page.fill("input[placeholder='org_slug']", "acme")
    page.click("text=Execute")
    page.wait_for_selector(".live-responses-table .highlight-code")
    assert "not_authenticated" in page.inner_text(".live-responses-table")
    assert page.evaluate("window.__violations") == []
    assert page.console_errors == [] or all("401" in e for e in page.console_errors)
