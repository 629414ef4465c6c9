# ruff: noqa: E501  (table rows are prose)
"""Write docs/security/asvs-l2.md: Bastion's status against OWASP ASVS 5.0 Levels 1 and 2.

Run `python scripts/asvs_matrix.py` after changing a row; tests/authn/test_asvs_matrix.py fails
when the committed document differs from what this script writes, or names a test that does not
exist. LEVELS lists every L1/L2 requirement number of the `v5.0.0_release` tag with its level
(the requirement texts are the standard's; read them there).
"""

from collections import Counter
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "docs" / "security" / "asvs-l2.md"

LEVELS_TEXT = """
    1.1.1=2 1.1.2=2 1.2.1=1 1.2.2=1 1.2.3=1 1.2.4=1 1.2.5=1 1.2.6=2 1.2.7=2 1.2.8=2 1.2.9=2 1.3.1=1
    1.3.2=1 1.3.3=2 1.3.4=2 1.3.5=2 1.3.6=2 1.3.7=2 1.3.8=2 1.3.9=2 1.3.10=2 1.3.11=2 1.4.1=2
    1.4.2=2 1.4.3=2 1.5.1=1 1.5.2=2 2.1.1=1 2.1.2=2 2.1.3=2 2.2.1=1 2.2.2=1 2.2.3=2 2.3.1=1 2.3.2=2
    2.3.3=2 2.3.4=2 2.4.1=2 3.2.1=1 3.2.2=1 3.3.1=1 3.3.2=2 3.3.3=2 3.3.4=2 3.4.1=1 3.4.2=1 3.4.3=2
    3.4.4=2 3.4.5=2 3.4.6=2 3.5.1=1 3.5.2=1 3.5.3=1 3.5.4=2 3.5.5=2 3.7.1=2 3.7.2=2 4.1.1=1 4.1.2=2
    4.1.3=2 4.2.1=2 4.3.1=2 4.3.2=2 4.4.1=1 4.4.2=2 4.4.3=2 4.4.4=2 5.1.1=2 5.2.1=1 5.2.2=1 5.2.3=2
    5.3.1=1 5.3.2=1 5.4.1=2 5.4.2=2 5.4.3=2 6.1.1=1 6.1.2=2 6.1.3=2 6.2.1=1 6.2.2=1 6.2.3=1 6.2.4=1
    6.2.5=1 6.2.6=1 6.2.7=1 6.2.8=1 6.2.9=2 6.2.10=2 6.2.11=2 6.2.12=2 6.3.1=1 6.3.2=1 6.3.3=2
    6.3.4=2 6.4.1=1 6.4.2=1 6.4.3=2 6.4.4=2 6.5.1=2 6.5.2=2 6.5.3=2 6.5.4=2 6.5.5=2 6.6.1=2 6.6.2=2
    6.6.3=2 6.8.1=2 6.8.2=2 6.8.3=2 6.8.4=2 7.1.1=2 7.1.2=2 7.1.3=2 7.2.1=1 7.2.2=1 7.2.3=1 7.2.4=1
    7.3.1=2 7.3.2=2 7.4.1=1 7.4.2=1 7.4.3=2 7.4.4=2 7.4.5=2 7.5.1=2 7.5.2=2 7.6.1=2 7.6.2=2 8.1.1=1
    8.1.2=2 8.2.1=1 8.2.2=1 8.2.3=2 8.3.1=1 8.4.1=2 9.1.1=1 9.1.2=1 9.1.3=1 9.2.1=1 9.2.2=2 9.2.3=2
    9.2.4=2 10.1.1=2 10.1.2=2 10.2.1=2 10.2.2=2 10.3.1=2 10.3.2=2 10.3.3=2 10.3.4=2 10.4.1=1
    10.4.2=1 10.4.3=1 10.4.4=1 10.4.5=1 10.4.6=2 10.4.7=2 10.4.8=2 10.4.9=2 10.4.10=2 10.4.11=2
    10.5.1=2 10.5.2=2 10.5.3=2 10.5.4=2 10.5.5=2 10.6.1=2 10.6.2=2 10.7.1=2 10.7.2=2 10.7.3=2
    11.1.1=2 11.1.2=2 11.2.1=2 11.2.2=2 11.2.3=2 11.3.1=1 11.3.2=1 11.3.3=2 11.4.1=1 11.4.2=2
    11.4.3=2 11.4.4=2 11.5.1=2 11.6.1=2 12.1.1=1 12.1.2=2 12.1.3=2 12.2.1=1 12.2.2=1 12.3.1=2
    12.3.2=2 12.3.3=2 12.3.4=2 13.1.1=2 13.2.1=2 13.2.2=2 13.2.3=2 13.2.4=2 13.2.5=2 13.3.1=2
    13.3.2=2 13.4.1=1 13.4.2=2 13.4.3=2 13.4.4=2 13.4.5=2 14.1.1=2 14.1.2=2 14.2.1=1 14.2.2=2
    14.2.3=2 14.2.4=2 14.3.1=1 14.3.2=2 14.3.3=2 15.1.1=1 15.1.2=2 15.1.3=2 15.2.1=1 15.2.2=2
    15.2.3=2 15.3.1=1 15.3.2=2 15.3.3=2 15.3.4=2 15.3.5=2 15.3.6=2 15.3.7=2 16.1.1=2 16.2.1=2
    16.2.2=2 16.2.3=2 16.2.4=2 16.2.5=2 16.3.1=2 16.3.2=2 16.3.3=2 16.3.4=2 16.4.1=2 16.4.2=2
    16.4.3=2 16.5.1=2 16.5.2=2 16.5.3=2 17.1.1=2 17.2.1=2 17.2.2=2 17.2.3=2 17.2.4=2 17.3.1=2
    17.3.2=2
    """
LEVELS = {req: int(level) for req, level in (item.split("=") for item in LEVELS_TEXT.split())}
reqs = {i: (None, level) for i, level in LEVELS.items()}


F = {
    "perm": "tests/test_permissions.py",
    "base": "tests/authn/test_baseline.py",
    "tf": "tests/authn/test_two_factor.py",
    "ses": "tests/authn/test_sessions.py",
    "lock": "tests/authn/test_lockout.py",
    "log": "tests/authn/test_security_log.py",
    "login": "tests/accounts/test_login.py",
    "mem": "tests/accounts/test_members.py",
    "inv": "tests/accounts/test_invitations.py",
    "org": "tests/accounts/test_organisation_edit.py",
    "ev": "tests/assessments/test_evidence.py",
    "cd": "tests/governance/library/test_control_detail.py",
    "sc": "tests/governance/test_system_create.py",
    "se": "tests/governance/test_system_edit.py",
    "plan": "tests/assessments/test_assessment_plan.py",
    "rev": "tests/assessments/test_assessment_review.py",
    "act": "tests/assessments/test_assignment_act.py",
    "ad": "tests/assessments/test_assignment_detail.py",
    "wl": "tests/assessments/test_work_list.py",
    "rt": "tests/assessments/test_routing.py",
    "start": "tests/assessments/test_assessment_start.py",
    "chain": "tests/audit/test_chain.py",
    "schema": "tests/governance/library/test_schema.py",
    "exp": "tests/governance/library/test_export_library_command.py",
    "imp": "tests/governance/library/test_library_import.py",
    "sl": "tests/governance/test_system_list.py",
}


def T(*refs):
    out = []
    for r in refs:
        f, n = r.split("::")
        out.append(f"`{F[f]}::{n}`")
    return "<br>".join(out)


# status: A automated test | M met, checked by review or configuration only | P partial | G gap | N not applicable | D documentation/process (met)
# testable: whether an automated test in this repository could prove it
R: dict[str, tuple[str, str, str, bool]] = {}


def r(i, status, mech, tests="", testable=True):
    R[i] = (status, mech, tests, testable)


# V1 Encoding and sanitisation
r(
    "1.1.1",
    "M",
    "Django decodes form data, query strings and JSON once, before forms validate them; nothing decodes again later.",
    testable=False,
)
r(
    "1.1.2",
    "A",
    "Django templates escape at render time (autoescape on everywhere); no `mark_safe` in application code "
    "but the FastSelect widget, which escapes every name, value and label itself (tested against Django's Select).",
    T("cd::test_prose_is_escaped", "base::test_no_application_code_uses_dangerous_constructs"),
)
r(
    "1.2.1",
    "A",
    "Template autoescaping for HTML and attributes; htmx fragments are templates too.",
    T("cd::test_prose_is_escaped"),
)
r("1.2.2", "M", "URLs are built with `{% url %}`/`reverse()` and the `urlencode` filter.", testable=False)
r(
    "1.2.3",
    "M",
    "No JavaScript is generated from data; the only JSON in pages (`hx-headers`) carries the CSRF token.",
    testable=False,
)
r(
    "1.2.4",
    "A",
    "Django ORM for every query; the one hand-written insert (library links) takes values as parameters.",
    T("base::test_no_application_code_uses_dangerous_constructs"),
)
r("1.2.5", "A", "No OS commands are run.", T("base::test_no_application_code_uses_dangerous_constructs"))
for i in ("1.2.6", "1.2.7", "1.2.8"):
    r(i, "N", "No LDAP, XPath or LaTeX.", testable=False)
r("1.2.9", "M", "Search uses ORM `icontains`; no user input is compiled into a regular expression.", testable=False)
r("1.3.1", "N", "No rich-text (HTML) input: all text is stored as text and escaped.", testable=False)
r(
    "1.3.2",
    "A",
    "No `eval`/`exec`; library applicability rules are a parsed data structure, not code.",
    T("base::test_no_application_code_uses_dangerous_constructs"),
)
r(
    "1.3.3",
    "M",
    "Uploaded file names are reduced to safe characters before use.",
    T("ev::test_path_parts_and_control_characters_are_stripped_from_names"),
    testable=True,
)
R["1.3.3"] = ("A", R["1.3.3"][1], R["1.3.3"][2], True)
r(
    "1.3.4",
    "N",
    "SVG is not an accepted evidence type; the only SVG Bastion serves (the enrolment QR code) is generated by segno, shown through `<img>`.",
    testable=False,
)
r("1.3.5", "N", "Markdown evidence is downloaded, never rendered; no user-supplied CSS or XSL.", testable=False)
r(
    "1.3.6",
    "A",
    "The server makes no outbound HTTP requests (evidence links are stored, never fetched).",
    T("base::test_no_application_code_uses_dangerous_constructs"),
)
r(
    "1.3.7",
    "A",
    "Templates come from files only; none is built from data.",
    T("base::test_no_application_code_uses_dangerous_constructs"),
)
for i in ("1.3.8", "1.3.9"):
    r(i, "N", "No JNDI; no memcache.", testable=False)
r(
    "1.3.10",
    "M",
    "Python string formatting only on our own format strings; user input is a value, never the format.",
    testable=False,
)
r("1.3.11", "M", "Django's mail API refuses header values with line breaks (`BadHeaderError`).", testable=False)
r("1.4.1", "N", "Python: memory-safe.", testable=False)
r(
    "1.4.2",
    "A",
    "Numeric fields have validators and bounds (forms and model validators).",
    T("org::test_out_of_range_values_are_refused"),
)
r("1.4.3", "N", "Python: memory is managed.", testable=False)
r("1.5.1", "N", "Bastion parses no XML (Office evidence is only checked as a zip listing, not parsed).", testable=False)
r(
    "1.5.2",
    "A",
    "YAML with a safe loader, JSON, Celery messages JSON only; no pickle.",
    T(
        "base::test_no_application_code_uses_dangerous_constructs",
        "schema::test_it_rejects_a_document_that_is_not_a_mapping",
    ),
)
# V2
r(
    "2.1.1",
    "D",
    "Library format (`docs/library-format.md`), evidence types (`assessments/README.md`), forms per page.",
    testable=False,
)
r("2.1.2", "D", "Questionnaire contradictions and profile rules documented in `assessments/README.md`.", testable=False)
r(
    "2.1.3",
    "P",
    "Per-user limits are documented for sign-in (lockout) and uploads (size); global limits for library documents are issue 9 finding 4 (another branch).",
    testable=False,
)
r(
    "2.2.1",
    "A",
    "Django forms validate every field (types, choices, ranges); library documents are checked by one schema.",
    T(
        "sc::test_invalid_form_rerenders_with_errors_and_saves_nothing",
        "schema::test_it_names_a_value_of_the_wrong_type",
    ),
)
r(
    "2.2.2",
    "A",
    "All validation runs on the server; forms are `novalidate`.",
    T("sc::test_invalid_form_rerenders_with_errors_and_saves_nothing"),
)
r(
    "2.2.3",
    "A",
    "Cross-field rules: prohibited systems cannot be in production, contradicting answers block the plan.",
    T("sc::test_prohibited_tier_cannot_be_in_production", "plan::test_contradicting_answers_block_completion_too"),
)
r(
    "2.3.1",
    "A",
    "Workflow order enforced on the server (transitions table, second factor before any page).",
    T(
        "act::test_transitions_per_role_and_team",
        "rev::test_the_submitter_cannot_review_their_own_assessment",
        "tf::test_sign_in_asks_for_the_second_factor_before_anything_else",
    ),
)
r(
    "2.3.2",
    "A",
    "One open assessment per system, one re-routing job per organisation.",
    T("start::test_a_second_open_assessment_is_refused", "rt::test_only_one_reroute_job_runs_at_a_time"),
)
r(
    "2.3.3",
    "A",
    "Every write and its audit event in one transaction; `record()` refuses to run outside one.",
    T(
        "chain::test_record_refuses_to_run_outside_a_transaction",
        "ev::test_a_refused_upload_is_shown_again_and_nothing_is_stored",
    ),
)
r(
    "2.3.4",
    "P",
    "Versioned rows and row locks stop double decisions; the sign-off race named in issue 9 belongs to the workflow issue (guards on the locked row).",
    T("rev::test_two_reviewers_deciding_at_once_conflict", "se::test_a_stale_save_is_refused_with_what_changed"),
)
r(
    "2.4.1",
    "G",
    "Only sign-in is rate-limited (axes) and second-factor codes throttled (django-otp); no general per-user request limits.",
)
# V3
r(
    "3.2.1",
    "A",
    "Evidence files are served as attachments with `nosniff` and a sandboxing CSP.",
    T("ev::test_members_download_files_as_attachments_never_inline"),
)
r(
    "3.2.2",
    "A",
    "Text is rendered escaped by templates; no `innerHTML` from data in `bastion.js`.",
    T("cd::test_prose_is_escaped"),
)
r(
    "3.3.1",
    "A",
    "`SESSION_COOKIE_SECURE`/`CSRF_COOKIE_SECURE` on in production, with `__Host-` names.",
    T("ses::test_production_cookies_carry_the_host_prefix"),
)
r(
    "3.3.2",
    "A",
    "`SameSite=Lax` on the session cookie (top-level navigation keeps the user signed in; cross-site POSTs carry no session).",
    T("base::test_session_cookie_is_http_only_and_same_site"),
)
r(
    "3.3.3",
    "A",
    "`__Host-sessionid`, `__Host-csrftoken` when `DEBUG=0` and cookies are secure.",
    T("ses::test_production_cookies_carry_the_host_prefix"),
)
r(
    "3.3.4",
    "A",
    "Session and CSRF cookies are `HttpOnly` (pages carry the CSRF token; no script reads cookies).",
    T("base::test_session_cookie_is_http_only_and_same_site", "ses::test_production_cookies_carry_the_host_prefix"),
)
r(
    "3.4.1",
    "P",
    "HSTS is available (`SECURE_HSTS_SECONDS`, `…INCLUDE_SUBDOMAINS`) but off until the operator turns it on; CI's `check --deploy` runs with one year and subdomains.",
    ".ci/run (`check --deploy --fail-level WARNING`)",
)
r(
    "3.4.2",
    "A",
    "No CORS headers are sent: cross-origin reads are refused by the browser.",
    T("base::test_every_page_carries_the_security_headers"),
)
r(
    "3.4.3",
    "A",
    "django-csp on every response: `default-src 'self'`, `script-src 'self'`, `object-src 'none'`, `base-uri 'none'`, no inline scripts or styles.",
    T("base::test_every_page_carries_the_security_headers"),
)
r("3.4.4", "A", "`SECURE_CONTENT_TYPE_NOSNIFF`.", T("base::test_every_page_carries_the_security_headers"))
r("3.4.5", "A", "`Referrer-Policy: same-origin`.", T("base::test_every_page_carries_the_security_headers"))
r(
    "3.4.6",
    "A",
    "CSP `frame-ancestors 'none'` and `X-Frame-Options: DENY`.",
    T("base::test_every_page_carries_the_security_headers"),
)
r(
    "3.5.1",
    "A",
    "Django's CSRF middleware on every unsafe method; no `csrf_exempt`.",
    T(
        "base::test_a_post_without_the_csrf_token_is_refused",
        "base::test_no_application_code_uses_dangerous_constructs",
    ),
)
r("3.5.2", "N", "Bastion does not rely on CORS preflight.", testable=False)
r(
    "3.5.3",
    "A",
    "Every change is a POST (`require_POST`); the permission matrix posts to each of them; sign-out is POST only.",
    T("base::test_signing_out_needs_a_post", "perm::test_forbidden_post_changes_nothing"),
)
r("3.5.4", "D", "One application per host name (deployment instructions in README).", testable=False)
r("3.5.5", "N", "No `postMessage`.", testable=False)
r("3.7.1", "M", "Vendored Bootstrap 5.3 and htmx 2 (current, supported); no plug-ins.", testable=False)
r(
    "3.7.2",
    "A",
    "`next` targets are checked with `url_has_allowed_host_and_scheme` (sign-in, second step).",
    T("tf::test_the_next_address_cannot_send_the_user_elsewhere"),
)
# V4
r(
    "4.1.1",
    "A",
    "Django sets `Content-Type` with charset on every response; downloads set the stored type.",
    T(
        "base::test_every_page_carries_the_security_headers",
        "ev::test_members_download_files_as_attachments_never_inline",
    ),
)
r("4.1.2", "M", "`SECURE_SSL_REDIRECT` for pages, `/healthz` exempt (`SECURE_REDIRECT_EXEMPT`).", testable=False)
r(
    "4.1.3",
    "A",
    "`X-Forwarded-For` is read only for `TRUSTED_PROXY_COUNT` proxies, from the right; `X-Forwarded-Proto` is trusted only as documented for the proxy.",
    T("lock::test_a_forged_header_does_not_escape_the_lock", "lock::test_client_ip"),
)
r("4.2.1", "D", "Message framing is the proxy's and gunicorn's; no custom HTTP parsing.", testable=False)
for i in ("4.3.1", "4.3.2"):
    r(i, "N", "No GraphQL.", testable=False)
for i in ("4.4.1", "4.4.2", "4.4.3", "4.4.4"):
    r(i, "N", "No WebSockets (htmx uses plain HTTP requests).", testable=False)
# V5
r(
    "5.1.1",
    "D",
    "Evidence types, size limit (`EVIDENCE_MAX_BYTES`) and zip limits are documented (`assessments/README.md`, README configuration).",
    testable=False,
)
r("5.2.1", "A", "Size limit per file, checked before reading.", T("ev::test_a_file_over_the_limit_is_refused"))
r(
    "5.2.2",
    "A",
    "Extension allow-list and content check by magic bytes.",
    T("ev::test_a_disguised_type_is_refused", "ev::test_allowed_types_are_accepted_by_their_content"),
)
r(
    "5.2.3",
    "A",
    "Office files: at most 5,000 members and 200 MB expanded.",
    T("base::test_an_archive_with_too_many_members_is_refused"),
)
r(
    "5.3.1",
    "A",
    "Uploads are stored outside static files and served only through an authorised download view, as attachments.",
    T(
        "ev::test_members_download_files_as_attachments_never_inline",
        "base::test_no_repository_files_or_directory_listings_are_served",
    ),
)
r(
    "5.3.2",
    "A",
    "Stored under a random name; the user's name is kept only as metadata.",
    T("ev::test_an_upload_is_stored_under_a_random_name_with_its_hash"),
)
r(
    "5.4.1",
    "A",
    "User file names are sanitised; downloads set the file name in `Content-Disposition`.",
    T("ev::test_path_parts_and_control_characters_are_stripped_from_names"),
)
r(
    "5.4.2",
    "A",
    "`FileResponse(as_attachment=True, filename=…)` encodes names per RFC 6266.",
    T("ev::test_members_download_files_as_attachments_never_inline"),
)
r("5.4.3", "G", "No antivirus scan of uploads.")
# V6
r(
    "6.1.1",
    "D",
    "`authn/README.md` (client address and lockout): axes locks a (username, address) pair after `AXES_FAILURE_LIMIT` failures for 15 minutes, second-factor codes are throttled; a stranger cannot lock another address out.",
    testable=False,
)
r(
    "6.1.2",
    "D",
    "Context words: `authn/passwords.py` (product words, `BASTION_PASSWORD_CONTEXT_WORDS`, the user's organisation names).",
    testable=False,
)
r(
    "6.1.3",
    "D",
    "Sign-in pathways: the sign-in form and Django admin's sign-in (both: password, then the second factor through the same middleware), and password reset by e-mailed link (which signs nobody in). No API tokens.",
    testable=False,
)
r("6.2.1", "A", "Minimum 10 characters (`MinimumLengthValidator`).", T("base::test_weak_passwords_are_refused"))
r("6.2.2", "A", "Django's password change page.", T("login::test_change_password"))
r(
    "6.2.3",
    "A",
    "The change form asks for the current password.",
    T("base::test_changing_the_password_needs_the_current_one"),
)
r("6.2.4", "A", "`CommonPasswordValidator` (20,000 common passwords).", T("base::test_weak_passwords_are_refused"))
r(
    "6.2.5",
    "A",
    "No composition rules; any Unicode accepted.",
    T("base::test_long_passphrases_of_any_characters_are_accepted_without_composition_rules"),
)
r(
    "6.2.6",
    "A",
    "Password inputs are `type=password`.",
    T("base::test_password_fields_are_masked_and_managers_may_fill_them"),
)
r(
    "6.2.7",
    "A",
    "No paste blocking; `autocomplete` hints for password managers.",
    T("base::test_password_fields_are_masked_and_managers_may_fill_them"),
)
r("6.2.8", "A", "Password fields do not strip or truncate.", T("base::test_the_password_is_checked_exactly_as_typed"))
r(
    "6.2.9",
    "A",
    "No maximum below 64 (Django accepts up to 4,096).",
    T("base::test_long_passphrases_of_any_characters_are_accepted_without_composition_rules"),
)
r("6.2.10", "D", "No password expiry or forced rotation exists.", testable=False)
r("6.2.11", "A", "`ContextWordsValidator`.", T("base::test_context_words_are_refused"))
r(
    "6.2.12",
    "P",
    "Checked against Django's list of 20,000 passwords common in breaches; no full breached-password corpus (no outbound service, by design).",
    T("base::test_weak_passwords_are_refused"),
)
r(
    "6.3.1",
    "A",
    "django-axes, (username, address) pairs, client address from trusted proxies only.",
    T(
        "login::test_repeated_failures_lock_the_account_for_that_address",
        "lock::test_a_stranger_cannot_lock_the_victim_out",
    ),
)
r(
    "6.3.2",
    "P",
    "No built-in accounts in production; `seed_demo` creates demo users with a known password and must never run there (README says so; nothing stops it).",
)
r(
    "6.3.3",
    "P",
    "TOTP second factor, enforceable per organisation for everyone with write access; not mandatory by default, nor for auditors and viewers (read-only).",
    T(
        "tf::test_an_organisation_can_require_two_factor_of_everyone_with_write_access",
        "tf::test_sign_in_asks_for_the_second_factor_before_anything_else",
    ),
)
r(
    "6.3.4",
    "A",
    "Both sign-in pathways go through the same second-factor middleware.",
    T("base::test_the_admin_sign_in_is_held_at_the_second_factor_too"),
)
r(
    "6.4.1",
    "A",
    "New people are invited: they choose their own password on a one-time link (an HMAC token never stored).",
    T("inv::test_a_new_person_sets_a_password_and_lands_in_the_organisation"),
)
r("6.4.2", "D", "No password hints or secret questions exist.", testable=False)
r(
    "6.4.3",
    "A",
    "Reset changes the password only; the next sign-in still asks for the second factor.",
    T("tf::test_a_password_reset_does_not_skip_the_second_factor", "login::test_password_reset_pages_render"),
)
r(
    "6.4.4",
    "P",
    "A lost factor is reset by an admin who administers every organisation of the member (and knows them), or a site administrator; audited; there is no formal identity-proofing step.",
    T("tf::test_an_admin_resets_a_members_second_factor"),
    testable=False,
)
r(
    "6.5.1",
    "A",
    "TOTP codes are accepted once (django-otp `last_t`); recovery codes are spent on use.",
    T(
        "tf::test_a_code_is_accepted_once_and_wrong_codes_are_throttled",
        "tf::test_a_recovery_code_signs_in_once_and_is_audited",
    ),
)
r(
    "6.5.2",
    "A",
    "Recovery codes carry ≈124 bits and are stored as SHA-256 digests only.",
    T("tf::test_enrol_shows_ten_codes_once_stores_only_hashes_and_audits"),
)
r(
    "6.5.3",
    "M",
    "Recovery codes from `secrets`; TOTP seeds from django-otp (`os.urandom`).",
    T("base::test_no_application_code_uses_dangerous_constructs"),
)
R["6.5.3"] = ("A", R["6.5.3"][1], R["6.5.3"][2], True)
r(
    "6.5.4",
    "A",
    "Recovery codes: 25 symbols from 31 (≈124 bits); TOTP: 6 digits.",
    T("tf::test_enrol_shows_ten_codes_once_stores_only_hashes_and_audits"),
)
r(
    "6.5.5",
    "A",
    "TOTP: 30-second steps, one step of clock slack.",
    T("tf::test_a_code_from_a_few_minutes_ago_has_expired"),
)
for i in ("6.6.1", "6.6.2", "6.6.3"):
    r(i, "N", "No out-of-band (SMS, e-mail, push) codes.", testable=False)
for i in ("6.8.1", "6.8.2", "6.8.3", "6.8.4"):
    r(i, "N", "No external identity providers.", testable=False)
# V7
r(
    "7.1.1",
    "D",
    "Idle 30 minutes, absolute 12 hours (`SESSION_IDLE_TIMEOUT`, `SESSION_ABSOLUTE_TIMEOUT`), `authn/README.md`.",
    testable=False,
)
r(
    "7.1.2",
    "D",
    "Parallel sessions are not limited; each user lists and ends them at `/account/sessions/` (`authn/README.md`).",
    testable=False,
)
r("7.1.3", "N", "No federation or SSO.", testable=False)
r(
    "7.2.1",
    "A",
    "Server-side database sessions; deleting a session row ends it.",
    T("ses::test_deactivation_ends_every_session"),
)
r(
    "7.2.2",
    "A",
    "Random reference tokens (Django sessions), new at sign-in.",
    T("ses::test_signing_in_gives_a_new_session_key"),
)
r("7.2.3", "M", "Django's session keys: 32 characters from `secrets`.", testable=False)
r(
    "7.2.4",
    "A",
    "New key at sign-in and again after the second factor.",
    T(
        "ses::test_signing_in_gives_a_new_session_key",
        "tf::test_sign_in_asks_for_the_second_factor_before_anything_else",
    ),
)
r("7.3.1", "A", "Idle timeout middleware (30 min).", T("ses::test_a_session_ends_after_thirty_idle_minutes"))
r(
    "7.3.2",
    "A",
    "Absolute lifetime (12 h) in the middleware and the cookie's age.",
    T("ses::test_a_session_ends_twelve_hours_after_sign_in_whatever_the_activity"),
)
r(
    "7.4.1",
    "A",
    "Sign-out and expiry delete the session on the server.",
    T("base::test_signing_out_needs_a_post", "ses::test_a_session_ends_after_thirty_idle_minutes"),
)
r(
    "7.4.2",
    "A",
    "Deactivation deletes every session of the account in the same transaction; removal from the last organisation too.",
    T("ses::test_deactivation_ends_every_session", "ses::test_removal_from_the_last_organisation_ends_every_session"),
)
r(
    "7.4.3",
    "A",
    "A password change ends the other sessions at once; turning the second factor off too; the sessions page ends all others on request.",
    T(
        "ses::test_a_password_change_ends_the_other_sessions_and_keeps_this_one",
        "tf::test_turning_off_needs_the_password_and_ends_other_sessions",
    ),
)
r(
    "7.4.4",
    "A",
    "Sign-out in the user menu of every organisation page and on the second-step pages.",
    T("base::test_every_org_page_offers_sign_out"),
)
r(
    "7.4.5",
    "A",
    "`manage.py end_sessions USER…` or `--all`; organisation admins end a member's sessions by resetting their second factor; deactivating an account ends its sessions.",
    T("ses::test_an_operator_ends_one_users_or_everyones_sessions", "tf::test_an_admin_resets_a_members_second_factor"),
)
r(
    "7.5.1",
    "A",
    "Changing the second factor (new codes, turning off) asks for the password. There is no e-mail change page yet.",
    T(
        "tf::test_regenerating_codes_needs_the_password_and_replaces_them",
        "tf::test_turning_off_needs_the_password_and_ends_other_sessions",
    ),
)
r(
    "7.5.2",
    "A",
    "`/account/sessions/` lists sessions (when, address, browser) and ends the others after the password.",
    T("ses::test_a_user_sees_their_sessions_and_ends_the_others_with_their_password"),
)
for i in ("7.6.1", "7.6.2"):
    r(i, "N", "No identity provider; sessions are only created by signing in.", testable=False)
# V8
r("8.1.1", "D", "`accounts/access.py` (every rule) and each app's README (who may open each URL).", testable=False)
r(
    "8.1.2",
    "P",
    "Field-level rules live in role-specific forms and services (e.g. only leads move work between teams); not documented as a separate table.",
    testable=False,
)
r(
    "8.2.1",
    "A",
    "Every view resolves the membership first (outsider 404, low role 403); the permission matrix covers every URL and role.",
    T("perm::test_url_answers_each_kind_of_user_as_the_matrix_says", "perm::test_every_url_is_in_the_matrix"),
)
r(
    "8.2.2",
    "A",
    "Objects are fetched through the organisation; team rules in `can_*` functions.",
    T(
        "wl::test_bulk_with_a_foreign_id_is_403",
        "se::test_a_foreign_id_is_404",
        "ad::test_a_member_of_another_team_cannot_edit",
    ),
)
r(
    "8.2.3",
    "A",
    "Forms expose only the fields a role may change; services check again.",
    T("ad::test_members_cannot_move_work_to_another_team", "perm::test_forbidden_post_changes_nothing"),
)
r(
    "8.3.1",
    "A",
    "All decisions on the server; the matrix posts directly.",
    T("perm::test_url_answers_each_kind_of_user_as_the_matrix_says"),
)
r(
    "8.4.1",
    "A",
    "Tenant rows carry the organisation; foreign ids are 404; forms offer only the organisation's objects.",
    T("sc::test_it_refuses_a_team_of_another_organisation", "sl::test_it_shows_only_this_organisations_systems"),
)
# V11
r(
    "11.1.1",
    "G",
    "No documented key lifecycle beyond `SECRET_KEY`/`SECRET_KEY_FILE` (no `SECRET_KEY_FALLBACKS` rotation procedure yet); the audit-chain key is issue 9 finding 3 (another branch).",
    testable=False,
)
r("11.1.2", "D", 'Inventory below ("Cryptography in Bastion").', testable=False)
r(
    "11.2.1",
    "M",
    "Python's `hashlib`/`hmac`/`secrets` (OpenSSL) and Django's hashers; nothing hand-rolled.",
    testable=False,
)
r(
    "11.2.2",
    "P",
    "Password hashes upgrade on sign-in (Django); the audit chain and recovery codes name no algorithm version.",
    testable=False,
)
r(
    "11.2.3",
    "P",
    "SHA-256, PBKDF2-SHA256; TOTP uses HMAC-SHA1 as RFC 6238 authenticator apps expect (160-bit keys).",
    testable=False,
)
for i in ("11.3.1", "11.3.2", "11.3.3"):
    r(i, "N", "Bastion encrypts nothing itself (TLS at the proxy; disk encryption is the operator's).", testable=False)
r("11.4.1", "P", "SHA-256 for integrity and code digests; HMAC-SHA1 only inside TOTP (standard).", testable=False)
r(
    "11.4.2",
    "A",
    "Django's PBKDF2-SHA256 (1,000,000 iterations in Django 5.2); production settings keep the default.",
    T("ses::test_production_cookies_carry_the_host_prefix"),
)
r("11.4.3", "M", "SHA-256 for the audit chain.", testable=False)
r("11.4.4", "N", "No keys are derived from passwords.", testable=False)
r(
    "11.5.1",
    "A",
    "`secrets` and Django's `get_random_string`; the `random` module is banned from application code.",
    T("base::test_no_application_code_uses_dangerous_constructs"),
)
r("11.6.1", "N", "No key generation or signatures beyond TOTP seeds (random bytes).", testable=False)
# V12
r("12.1.1", "D", "TLS terminates at the operator's proxy (README, production deployment).", testable=False)
r("12.1.2", "D", "Cipher suites are the proxy's configuration.", testable=False)
r("12.1.3", "N", "No mTLS.", testable=False)
r(
    "12.2.1",
    "A",
    "Production redirects to HTTPS and marks cookies Secure; HSTS when configured.",
    T("ses::test_production_cookies_carry_the_host_prefix"),
)
r("12.2.2", "D", "Publicly trusted certificates at the proxy (operator).", testable=False)
r(
    "12.3.1",
    "G",
    "Database and broker connections are TLS only if the operator's URLs ask for it (`sslmode=require`, `rediss://`); not enforced or documented as required.",
    testable=False,
)
r(
    "12.3.2",
    "P",
    "SMTP with TLS verifies certificates (Python defaults); PostgreSQL verification depends on `sslmode` in `DATABASE_URL`.",
    testable=False,
)
r("12.3.3", "G", "Same as 12.3.1 for internal services.", testable=False)
r("12.3.4", "G", "Same as 12.3.1.", testable=False)
# V13
r(
    "13.1.1",
    "D",
    "README production deployment: PostgreSQL, broker, SMTP, proxy; no other outbound traffic.",
    testable=False,
)
r(
    "13.2.1",
    "P",
    "Database and broker authenticate with credentials from the environment; Redis without a password is possible.",
    testable=False,
)
r("13.2.2", "G", "Least-privilege database and broker accounts are not documented.", testable=False)
r(
    "13.2.3",
    "P",
    "`SECRET_KEY` and hosts are required in production (start refused without them); database credentials are the operator's.",
    ".ci/run (settings refuse to start)",
    testable=False,
)
r(
    "13.2.4",
    "G",
    "No egress allow-list (the app needs only DB, broker and SMTP; enforce at the firewall).",
    testable=False,
)
r("13.2.5", "G", "As 13.2.4.", testable=False)
r(
    "13.3.1",
    "P",
    "`SECRET_KEY_FILE` reads the key from a mounted secret (Docker/Kubernetes); no vault integration.",
    testable=False,
)
r("13.3.2", "D", "Only the web and worker processes read the secret file.", testable=False)
r(
    "13.4.1",
    "A",
    "Only `STATIC_ROOT` is served (WhiteNoise); no repository files.",
    T("base::test_no_repository_files_or_directory_listings_are_served"),
)
r(
    "13.4.2",
    "A",
    "`DEBUG` off unless set; CI's `check --deploy` fails on W018.",
    T("ses::test_production_cookies_carry_the_host_prefix", "base::test_errors_show_no_internals"),
)
r("13.4.3", "A", "No directory listings.", T("base::test_no_repository_files_or_directory_listings_are_served"))
r("13.4.4", "A", "TRACE is refused or answered as GET, never echoed.", T("base::test_trace_is_not_echoed"))
r(
    "13.4.5",
    "P",
    "`/healthz` answers anonymously and names failing parts with details; reducing it to a status is issue 9 finding 8 (another branch). The Django admin needs staff and the second factor.",
    "tests/core/test_healthz.py",
)
# V14
r(
    "14.1.1",
    "G",
    "Sensitive data (AI systems' weaknesses, evidence, audit trail) is not yet classified in a document.",
    testable=False,
)
r("14.1.2", "G", "As 14.1.1.", testable=False)
r(
    "14.2.1",
    "M",
    "Credentials and data travel in POST bodies and cookies; the only secret in a URL is Django's one-time password-reset token.",
    testable=False,
)
r(
    "14.2.2",
    "A",
    "Pages for signed-in users carry `Cache-Control: no-store, private`; downloads `private, no-store`.",
    T("base::test_pages_for_signed_in_users_are_not_cached"),
)
r(
    "14.2.3",
    "A",
    "No third-party scripts, fonts or trackers: CSP allows only `'self'`.",
    T("base::test_every_page_carries_the_security_headers"),
)
r("14.2.4", "G", "Follows 14.1.1.", testable=False)
r(
    "14.3.1",
    "A",
    'Sign-out sends `Clear-Site-Data: "cache", "cookies", "storage"`.',
    T("base::test_signing_out_clears_site_data"),
)
r("14.3.2", "A", "`Cache-Control: no-store` as in 14.2.2.", T("base::test_pages_for_signed_in_users_are_not_cached"))
r(
    "14.3.3",
    "M",
    "`bastion.js` stores nothing in browser storage; the session cookie holds only a random key.",
    testable=False,
)
# V15
r(
    "15.1.1",
    "D",
    "Policy (decided here): a dependency with a known vulnerability is updated within 30 days, a critical one within 7; pins in `requirements*.txt` change one at a time with the suite green.",
    testable=False,
)
r(
    "15.1.2",
    "P",
    "`requirements.txt` pins every direct dependency; no generated SBOM with transitive versions yet.",
    testable=False,
)
r(
    "15.1.3",
    "P",
    "Heavy work (audit-chain check, re-routing) runs as Celery jobs (README); library import/rule limits are issue 9 finding 4 (another branch).",
    testable=False,
)
r("15.2.1", "P", "pip-audit in CI is part of issue 9 on another branch; not in this branch's CI.", "(pending)")
r(
    "15.2.2",
    "P",
    "Upload size limit, paginated lists with constant query counts, jobs in the background; library rule depth and document size limits are issue 9 finding 4 (another branch).",
    T("ev::test_a_file_over_the_limit_is_refused", "sl::test_query_count_is_constant"),
)
r(
    "15.2.3",
    "M",
    "Production serves the app, static files and the staff-only admin; no debug toolbar or test views.",
    testable=False,
)
r(
    "15.3.1",
    "A",
    "Pages and exports show only the organisation's own fields; the library export follows a documented contract.",
    T("exp::test_the_export_follows_the_documented_contract"),
)
r("15.3.2", "N", "No outbound HTTP.", testable=False)
r(
    "15.3.3",
    "A",
    'ModelForms list their fields; no `fields = "__all__"`; services take explicit arguments.',
    T("base::test_no_application_code_uses_dangerous_constructs", "perm::test_forbidden_post_changes_nothing"),
)
r(
    "15.3.4",
    "A",
    "Client address from the trusted proxies' `X-Forwarded-For` entries only; used for lockout and logs.",
    T("lock::test_client_ip", "lock::test_a_forged_header_does_not_escape_the_lock"),
)
r("15.3.5", "M", "Form fields convert to typed values before use; comparisons on typed values.", testable=False)
r("15.3.6", "M", "`bastion.js` builds no objects from data.", testable=False)
r(
    "15.3.7",
    "M",
    "Views read single values through forms (Django keeps the last of repeated parameters).",
    testable=False,
)
# V16
r("16.1.1", "D", 'Log inventory below ("Security events") and in `authn/README.md`.', testable=False)
r(
    "16.2.1",
    "A",
    "Each security event: time (UTC), event, actor, address, organisation, object, path.",
    T(
        "log::test_permission_denials_are_logged_with_the_organisation",
        "log::test_role_changes_and_additions_are_logged_with_the_actor",
    ),
)
r("16.2.2", "A", "`time` is ISO 8601 in UTC.", T("log::test_the_formatter_writes_one_json_object_a_line_in_utc"))
r("16.2.3", "D", "Logs go to standard error only (the process manager collects them).", testable=False)
r("16.2.4", "A", "JSON lines (python-json-logger).", T("log::test_the_formatter_writes_one_json_object_a_line_in_utc"))
r(
    "16.2.5",
    "A",
    "Passwords and codes are never logged; failed sign-ins log the username only.",
    T("log::test_sign_in_success_and_failure"),
)
r(
    "16.3.1",
    "A",
    "`login.succeeded`, `login.failed`, `login.locked_out`, `two_factor.*`, `session.expired`, `logout`.",
    T(
        "log::test_sign_in_success_and_failure",
        "log::test_lockout_is_logged",
        "log::test_two_factor_changes_are_logged",
    ),
)
r(
    "16.3.2",
    "A",
    "Every 403 is logged as `access.denied`.",
    T("log::test_permission_denials_are_logged_with_the_organisation"),
)
r(
    "16.3.3",
    "A",
    "Documented events are logged, including lockouts, CSRF failures (403) and forged-header attempts (logged under the real address).",
    T("log::test_lockout_is_logged", "log::test_exports_are_logged", "log::test_evidence_downloads_are_logged"),
)
r(
    "16.3.4",
    "A",
    "Unexpected errors are logged by Django's `django.request` logger (ERROR, with the traceback, in the server log only).",
    T("base::test_an_unexpected_error_is_logged_and_shows_a_generic_page"),
)
r(
    "16.4.1",
    "A",
    "JSON encoding: a value with a line break stays inside its string.",
    T("log::test_the_formatter_writes_one_json_object_a_line_in_utc"),
)
r(
    "16.4.2",
    "P",
    "Logs leave the process on standard error; protecting them is the operator's log pipeline. (The audit trail, not a log, is hash-chained.)",
    testable=False,
)
r("16.4.3", "D", "Ship standard error to a separate log system (operator).", testable=False)
r(
    "16.5.1",
    "A",
    "`DEBUG` off: generic error pages without internals.",
    T("base::test_errors_show_no_internals", "base::test_an_unexpected_error_is_logged_and_shows_a_generic_page"),
)
r(
    "16.5.2",
    "A",
    "Database or broker failure: `/healthz` answers 503, pages fail closed with a generic 500, jobs are redelivered.",
    "`tests/core/test_healthz.py::test_it_names_the_broken_database`<br>"
    + T("base::test_an_unexpected_error_is_logged_and_shows_a_generic_page"),
)
r(
    "16.5.3",
    "M",
    "Permission checks raise (deny by default); writes are transactional, so a failure changes nothing.",
    T("perm::test_forbidden_post_changes_nothing"),
)
R["16.5.3"] = ("A", R["16.5.3"][1], R["16.5.3"][2], True)

# Chapters not applicable as a whole
for i in reqs:
    ch = i.split(".")[0]
    if ch == "9":
        r(i, "N", "No self-contained tokens (JWT etc.): sessions are server-side.", testable=False)
    if ch == "10":
        r(i, "N", "No OAuth or OpenID Connect.", testable=False)
    if ch == "17":
        r(i, "N", "No WebRTC.", testable=False)

missing = sorted(set(reqs) - set(R), key=lambda s: [int(x) for x in s.split(".")])
extra = set(R) - set(reqs)
assert not missing, missing
assert not extra, extra

LABEL = {
    "A": "met, automated",
    "M": "met, by review",
    "P": "partial",
    "G": "gap",
    "N": "not applicable",
    "D": "met, documented",
}
chapters = {
    "1": "Encoding and sanitisation",
    "2": "Validation and business logic",
    "3": "Web front end",
    "4": "API and web service",
    "5": "File handling",
    "6": "Authentication",
    "7": "Session management",
    "8": "Authorisation",
    "9": "Self-contained tokens",
    "10": "OAuth and OIDC",
    "11": "Cryptography",
    "12": "Secure communication",
    "13": "Configuration",
    "14": "Data protection",
    "15": "Secure coding and architecture",
    "16": "Security logging and error handling",
    "17": "WebRTC",
}


def keyf(s):
    return [int(x) for x in s.split(".")]


ids = sorted(reqs, key=keyf)
applicable = [i for i in ids if R[i][0] != "N"]
testable = [i for i in applicable if R[i][3]]
automated = [i for i in testable if R[i][0] == "A"]
cnt = Counter(R[i][0] for i in ids)

out: list[str] = []
w = out.append
w("# OWASP ASVS 5.0 Level 2: where Bastion stands")
w("")
w("Every Level 1 and Level 2 requirement of ASVS 5.0.0 (253 of them), with its status in Bastion,")
w("the mechanism, and the automated test that proves it. Requirement numbers are those of the")
w("`v5.0.0_release` tag of the OWASP ASVS repository; read the standard for each requirement's")
w("wording. Written for issue 9 on the `auth2fa` branch; parts of issue 9 that other")
w("branches deliver (audit-chain key, library limits, `/healthz`, bandit and pip-audit) are marked")
w("partial or gap here until they land.")
w("")
w("## Summary")
w("")
w("| status | meaning | count |")
w("|---|---|---|")
for k in "AMDPGN":
    w(
        f"| {LABEL[k]} | "
        + {
            "A": "a test in this repository fails if it breaks",
            "M": "true by design or configuration; no test yet",
            "D": "a documentation or process requirement, and the document exists",
            "P": "part of it is done; the rest is named",
            "G": "not done",
            "N": "Bastion does not have the feature the requirement is about",
        }[k]
        + f" | {cnt[k]} |"
    )
w("")
w(f"- Applicable requirements: **{len(applicable)}** (253 less {cnt['N']} not applicable).")
w(
    f"- Testable by an automated test in this repository: **{len(testable)}** (the rest are documents, processes, or the proxy's and operator's configuration)."
)
w(f"- Testable and automated: **{len(automated)} of {len(testable)} = {100 * len(automated) / len(testable):.0f} %**.")
notauto = [i for i in testable if R[i][0] != "A"]
w(f"- Testable but not automated ({len(notauto)}): " + ", ".join(f"{i} ({LABEL[R[i][0]]})" for i in notauto) + ".")
w("")
w("How to check a row: run the named test (`.venv/bin/pytest -p no:xdist 'path::name'`). The")
w("table and the counts are written by `scripts/asvs_matrix.py`; change a row there and run it.")
w("`tests/authn/test_asvs_matrix.py` fails when this file is stale or names a test that does not exist.")
w("")
w("## Cryptography in Bastion (11.1.2)")
w("")
w("| what | algorithm | key or secret | where |")
w("|---|---|---|---|")
w("| passwords | PBKDF2-SHA256, Django's iterations (1,000,000 in 5.2), salted | — | `django.contrib.auth` |")
w("| session and CSRF tokens, password-reset links | random keys; reset tokens HMAC-SHA256 | `SECRET_KEY` | Django |")
w(
    "| audit chain | SHA-256 over canonical JSON, linked | none yet (keyed HMAC: issue 9 finding 3) | `audit/models.py` |"
)
w("| recovery codes | SHA-256 of a ≈124-bit code | — | `authn/twofactor.py` |")
w("| TOTP | HMAC-SHA1, 6 digits, 30 s (RFC 6238) | 160-bit seed per user, in the database | django-otp |")
w("| evidence fingerprints | SHA-256 of the file | — | `assessments/evidence.py` |")
w("| transport | TLS | certificate at the proxy | operator |")
w("")
w("## Security events (16.1.1)")
w("")
w("One logger, `bastion.security`, one JSON object per line on standard error, separate from the")
w("audit trail: `time` (UTC), `level`, `event`, `actor`, `address` (client, through trusted proxies),")
w("`organisation`, `object`, `path`, and details. Events: `login.succeeded`, `login.failed`,")
w("`login.locked_out`, `logout`, `session.expired`, `sessions.ended_by_user|ended_by_operator`, `password.changed`,")
w("`account.deactivated`, `two_factor.enrolled|verified|failed|recovery_code_used|recovery_code_failed|")
w("recovery_codes_regenerated|disabled|reset|policy_changed|password_check_failed`, `access.denied`")
w("(every 403, CSRF failures included), `export.library`, `download.evidence`, `member.added`,")
w("`member.role_changed`, `member.removed`. Axes and Django keep their own loggers (`axes`,")
w("`django.request`).")
w("")
for ch in [str(n) for n in range(1, 18)]:
    rows = [i for i in ids if i.split(".")[0] == ch]
    if all(R[i][0] == "N" for i in rows):
        w(f"## V{ch} {chapters[ch]}")
        w("")
        w(f"Not applicable ({len(rows)} requirements, {rows[0]}–{rows[-1]}): {R[rows[0]][1]}")
        w("")
        continue
    w(f"## V{ch} {chapters[ch]}")
    w("")
    w("| # | L | status | mechanism | test |")
    w("|---|---|---|---|---|")
    for i in rows:
        st, mech, tests, _t = R[i]
        w(f"| {i} | {reqs[i][1]} | {LABEL[st]} | {mech} | {tests or '—'} |")
    w("")
w("## Gaps")
w("")
for i in ids:
    if R[i][0] == "G":
        w(f"- **{i}**: {R[i][1]}")
w("")


def render() -> str:
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    OUT.write_text(render())
    print(f"{OUT}: {len(automated)} of {len(testable)} testable requirements automated")
