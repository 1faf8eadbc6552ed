"""The admin console in a real browser: Debian's Chromium driven by Playwright for Python.

Run by tests/blackbox/console.rs against `roster serve` on SQLite, which seeds the account and
passes what it made as JSON (argv[1]). Each flow of issue 20 runs in turn; every failure is
collected and printed, and the script exits 1 if any flow failed. The last line of standard
output is a JSON summary (the Users page's first load, axe's findings per page) that the Rust
test checks again.
"""

import base64
import email
import email.policy
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlparse

import jwt
from cryptography.hazmat.primitives.asymmetric import ec
from jwt.algorithms import ECAlgorithm
from playwright.sync_api import expect, sync_playwright

FIXTURE = json.loads(sys.argv[1])
BASE = FIXTURE["base"]
SHOTS = Path(FIXTURE["screenshots"])
AXE = Path(FIXTURE["axe"]).read_text()
# Chromium cannot download or phone home here; these flags keep it from trying.
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]

failures = []
summary = {"flows": [], "axe": {}}


def flow(function):
    """Runs one flow, recording it as passed or failed with its traceback."""
    try:
        function()
        summary["flows"].append(function.__name__)
    except Exception:  # noqa: BLE001 - every failure is reported, none stops the others
        failures.append(f"{function.__name__}:\n{traceback.format_exc()}")
    return function


def is_api(url):
    path = re.sub(r"^https?://[^/]+", "", url)
    return not path.startswith("/console/") and path != "/console"


class Tab:
    """One signed-in browser tab, with what it requested and every console error it logged."""

    def __init__(self, browser, link, *, bypass_csp=False):
        self.context = browser.new_context(bypass_csp=bypass_csp, viewport={"width": 1280, "height": 800})
        self.page = self.context.new_page()
        self.requests = []
        self.errors = []
        self.page.on("request", lambda r: self.requests.append(r))
        self.page.on("console", lambda m: m.type == "error" and not refusal(m.text) and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.goto(link)

    def api_calls(self, method=None):
        return [r for r in self.requests if is_api(r.url) and (method is None or r.method == method)]

    def go(self, path):
        self.page.goto(BASE + path)


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


# The stand-in identity provider's own signing key: its tokens are not Roster's, and roster serve
# checks them against the keys it publishes before trading them for a session.
IDP_KEY = ec.generate_private_key(ec.SECP256R1())


def provider_jwt(issuer, sub):
    """An access token of the stand-in provider: ES256 with its own key, for the console's
    client, carrying the claims Roster maps (`sub`, `account_id`)."""
    now = int(time.time())
    claims = {"iss": issuer, "aud": "roster-console", "sub": sub, "account_id": "acme",
              "iat": now, "exp": now + 3600}
    return jwt.encode(claims, IDP_KEY, algorithm="ES256", headers={"kid": "idp-key-1"})


def provider_jwks():
    key = json.loads(ECAlgorithm.to_jwk(IDP_KEY.public_key()))
    return {"keys": [dict(key, kid="idp-key-1", alg="ES256", use="sig")]}


class IdentityProvider(BaseHTTPRequestHandler):
    """A stand-in OIDC provider that checks what a public client must send: the authorization
    code flow with PKCE (S256), the same redirect URI twice, and the verifier of the challenge."""

    codes = {}
    seen = []

    def log_message(self, *args):
        pass

    def issuer(self):
        return f"http://127.0.0.1:{self.server.server_port}"

    def send_json(self, body, status=200):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Access-Control-Allow-Origin", self.headers.get("Origin", "*"))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        url = urlparse(self.path)
        # What roster serve reads to check the provider's tokens.
        if url.path == "/.well-known/openid-configuration":
            self.send_json({"issuer": self.issuer(), "jwks_uri": f"{self.issuer()}/jwks"})
            return
        if url.path == "/jwks":
            self.send_json(provider_jwks())
            return
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        IdentityProvider.seen.append(("authorize", query))
        if url.path != "/authorize" or query.get("code_challenge_method") != "S256" \
                or query.get("response_type") != "code" or query.get("client_id") != "roster-console":
            self.send_error(400)
            return
        code = b64url(os.urandom(16))
        IdentityProvider.codes[code] = query
        self.send_response(302)
        self.send_header("Location", f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query['state']})}")
        self.end_headers()

    def do_POST(self):
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode()).items()}
        IdentityProvider.seen.append(("token", form))
        asked = IdentityProvider.codes.pop(form.get("code"), None)
        challenge = b64url(hashlib.sha256(form.get("code_verifier", "").encode()).digest())
        ok = asked and asked["code_challenge"] == challenge and asked["redirect_uri"] == form.get("redirect_uri") \
            and form.get("grant_type") == "authorization_code"
        self.send_json({"access_token": provider_jwt(self.issuer(), FIXTURE["owner"]["id"]), "token_type": "Bearer"}
                       if ok else {"error": "invalid_grant"}, 200 if ok else 400)


def serve_with_oidc(idp):
    """A second `roster serve` on the same store, whose console signs in with `idp`."""
    key = Path(tempfile.mkdtemp()) / "signing-key.pem"
    key.write_text(FIXTURE["signing_key"])
    env = dict(os.environ, ROSTER_SIGNING_KEY=str(key),
               ROSTER_OIDC_ISSUER=idp, ROSTER_OIDC_CLIENT_ID="roster-console",
               ROSTER_OIDC_AUTHORIZATION_ENDPOINT=f"{idp}/authorize", ROSTER_OIDC_TOKEN_ENDPOINT=f"{idp}/token")
    server = subprocess.Popen([FIXTURE["roster"], "--store", FIXTURE["store"], "--outbox", tempfile.mkdtemp(),
                               "serve", "--listen", "127.0.0.1:0"],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    first = server.stdout.readline().strip()
    assert first.startswith("listening on "), first
    return server, first.removeprefix("listening on ")


def mail_to(address):
    """The text of every email roster serve wrote to `address` (.eml files in its outbox), oldest
    first: what the person's mail client would show."""
    texts = []
    for path in sorted(Path(FIXTURE["outbox"]).glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        if message["To"] and address.lower() in message["To"].lower():
            texts.append(message.get_body(("plain",)).get_content())
    return texts


def set_password_link(text):
    found = re.search(r"(https?://\S+/console/reset-password#token=\S+)", text)
    assert found, text
    return found.group(1)


def refusal(message):
    """Chromium logs every 4xx answer; the flows provoke some on purpose (and check them)."""
    return re.match(r"Failed to load resource: the server responded with a status of 4\d\d", message)


def users_row(page, email):
    return page.locator("table.users tbody tr", has_text=email)


def run(playwright):
    browser = playwright.chromium.launch(executable_path=FIXTURE["chromium"], args=CHROMIUM_FLAGS)
    owner = Tab(browser, FIXTURE["links"]["owner"])
    page = owner.page

    @flow
    def signing_in_with_a_link_leaves_no_token_in_the_url_or_in_lasting_storage():
        expect(page).to_have_url(BASE + "/console/users")
        expect(page.locator("#who")).to_have_text(FIXTURE["owner"]["name"])
        stored = page.evaluate("() => [Object.keys(sessionStorage), localStorage.length, document.cookie]")
        assert stored == [["roster.session"], 0, ""], stored
        assert "sign-in" not in page.url and "#" not in page.url, page.url

    @flow
    def the_users_page_loads_light():
        # Everything since the link opened: the page, its modules, the config and the API.
        calls = owner.api_calls()
        sizes = [r.sizes() for r in owner.requests]
        transferred = sum(s["responseBodySize"] + s["responseHeadersSize"] for s in sizes)
        summary["users_page"] = {
            "api_calls": len(calls),
            "api": sorted(f"{r.method} {re.sub(r'^https?://[^/]+', '', r.url).split('?')[0]}" for r in calls),
            "requests": len(owner.requests),
            "bytes": transferred,
        }
        assert len(calls) <= 3, calls
        assert transferred < 150 * 1024, transferred

    @flow
    def a_used_link_is_refused():
        again = Tab(browser, FIXTURE["links"]["owner"])
        expect(again.page.locator("main .alert").first).to_contain_text("invalid, used or expired")
        expect(again.page.locator("#nav a")).to_have_count(0)
        again.context.close()

    @flow
    def adding_a_user_with_missing_fields_shows_every_error_and_sends_nothing():
        before = len(owner.api_calls("POST"))
        page.get_by_role("button", name="+ Add User").click()
        dialog = page.get_by_role("dialog", name="Add User")
        dialog.get_by_role("button", name="SUBMIT").click()
        for message in ["Email is required", "First Name is required", "Last Name is required"]:
            expect(dialog.get_by_text(message)).to_be_visible()
        expect(dialog.get_by_label("Username")).to_be_hidden()
        dialog.get_by_label("Use Email as User Name").uncheck()
        dialog.get_by_role("button", name="SUBMIT").click()
        expect(dialog.get_by_text("Username is required")).to_be_visible()
        assert len(owner.api_calls("POST")) == before, "nothing was sent"
        # The API's own refusal lands on its field.
        dialog.get_by_label("Use Email as User Name").check()
        dialog.get_by_label("Email", exact=True).fill("not-an-email")
        dialog.get_by_label("First Name").fill("Nadia")
        dialog.get_by_label("Last Name").fill("Novak")
        dialog.get_by_role("button", name="SUBMIT").click()
        email_error = dialog.locator('.field[data-field="email"] .error')
        expect(email_error).to_be_visible()
        expect(email_error).not_to_have_text("Email is required")
        page.screenshot(path=SHOTS / "add-user.png")
        # Then valid: the row appears.
        dialog.get_by_label("Email", exact=True).fill(FIXTURE["new_emails"][0])
        dialog.get_by_label("User Role").select_option(label="System Viewer")
        dialog.get_by_role("button", name="SUBMIT").click()
        expect(dialog).to_have_count(0)
        row = users_row(page, FIXTURE["new_emails"][0])
        expect(row).to_contain_text("Nadia Novak")
        expect(row).to_contain_text("System Viewer")

    @flow
    def add_another_saves_and_keeps_the_form_open_and_cleared():
        page.get_by_role("button", name="+ Add User").click()
        dialog = page.get_by_role("dialog", name="Add User")
        dialog.get_by_label("Email", exact=True).fill(FIXTURE["new_emails"][1])
        dialog.get_by_label("First Name").fill("Omar")
        dialog.get_by_label("Last Name").fill("Okafor")
        dialog.get_by_role("button", name="ADD ANOTHER").click()
        expect(dialog.get_by_role("status")).to_contain_text("Omar Okafor was added")
        expect(dialog.get_by_label("Email", exact=True)).to_have_value("")
        expect(dialog.get_by_label("First Name")).to_have_value("")
        dialog.get_by_role("button", name="CANCEL").click()
        expect(users_row(page, FIXTURE["new_emails"][1])).to_contain_text("Omar Okafor")

    @flow
    def a_user_on_a_shift_cannot_be_deleted_and_another_can():
        page.screenshot(path=SHOTS / "users.png", full_page=True)
        blocked = users_row(page, FIXTURE["on_shift"]["email"])
        blocked.hover()
        trash = blocked.get_by_role("button", name=f"Delete {FIXTURE['on_shift']['name']}")
        expect(trash).to_have_attribute("aria-disabled", "true")
        expect(trash).to_have_attribute("title", re.compile(r"on shift Nights of Payments"))
        trash.click(force=True)  # Playwright treats aria-disabled as disabled; a person can still click
        expect(page.get_by_role("dialog")).to_have_count(0)
        free = users_row(page, FIXTURE["free"]["email"])
        free.hover()
        free.get_by_role("button", name=f"Delete {FIXTURE['free']['name']}").click()
        dialog = page.get_by_role("dialog", name="Delete User?")
        expect(dialog).to_be_visible()
        dialog.get_by_role("button", name="Cancel").click()
        expect(free).to_have_count(1)
        free.hover()
        free.get_by_role("button", name=f"Delete {FIXTURE['free']['name']}").click()
        page.get_by_role("dialog", name="Delete User?").get_by_role("button", name="Delete").click()
        expect(free).to_have_count(0)

    def methods_in_order():
        return page.locator("ol.sequence li").evaluate_all("rows => rows.map(r => r.dataset.method)")

    @flow
    def contact_methods_reorder_by_drag_and_by_keyboard_and_stay_after_reload():
        owner.go(f"/console/users/edit/{FIXTURE['reorder']['id']}")
        expect(page.locator("ol.sequence li")).to_have_count(FIXTURE["reorder"]["methods"])
        before = methods_in_order()
        last = before[-1]
        page.locator(f'ol.sequence li[data-method="{last}"] .handle').drag_to(
            page.locator(f'ol.sequence li[data-method="{before[0]}"]'))
        expect(page.locator("ol.sequence li").first).to_have_attribute("data-method", last)
        page.reload()
        expect(page.locator("ol.sequence li").first).to_have_attribute("data-method", last)
        assert methods_in_order() == [last, *before[:-1]], methods_in_order()
        page.locator(f'ol.sequence li[data-method="{last}"] .handle').focus()
        page.keyboard.press("ArrowDown")
        expect(page.locator("ol.sequence li").nth(1)).to_have_attribute("data-method", last)
        expect(page.locator(f'ol.sequence li[data-method="{last}"] .handle')).to_be_focused()
        page.reload()
        expect(page.locator("ol.sequence li").nth(1)).to_have_attribute("data-method", last)
        assert methods_in_order() == [before[0], last, *before[1:-1]], methods_in_order()
        summary["order_after_reload"] = methods_in_order()

    @flow
    def the_add_method_dropdown_leaves_out_what_the_user_has_and_never_offers_push():
        page.get_by_role("button", name="+ Add Contact Method").click()
        offered = page.get_by_label("Contact Method").locator("option").evaluate_all(
            "options => options.map(o => o.value).filter(Boolean)")
        have = methods_in_order()
        assert "push" not in offered and "email-official" not in offered, offered
        assert not set(offered) & set(have), (offered, have)
        addable_held = set(have) - {"email-official", "push"}
        assert len(offered) == 7 - len(addable_held), (offered, have)
        page.screenshot(path=SHOTS / "profile.png", full_page=True)

    @flow
    def roles_are_added_and_removed_and_the_last_one_is_refused_in_its_card():
        roles = page.get_by_role("region", name="Roles")
        roles.get_by_label("Role to add").select_option(label="Integrations Admin")
        roles.get_by_role("button", name="Add Role").click()
        expect(roles.locator("tbody")).to_contain_text("Integrations Admin")
        for name in ["Integrations Admin", "Send Message"]:
            page.get_by_role("region", name="Roles").get_by_role("button", name=f"Remove {name}").click()
            expect(page.get_by_role("region", name="Roles").locator("tbody")).not_to_contain_text(name)
        roles = page.get_by_role("region", name="Roles")
        expect(roles.locator("tbody tr")).to_have_count(1)
        roles.get_by_role("button", name="Remove Basic").click()
        expect(roles.locator(".alert")).to_be_visible()
        expect(roles.locator("tbody")).to_contain_text("Basic")

    @flow
    def member_role_checkboxes_change_the_membership_and_a_refusal_shows_in_the_card():
        owner.go(f"/console/groups/{FIXTURE['group']}")
        members = page.get_by_role("region", name="Members")
        secondary = members.get_by_label(f"Secondary: {FIXTURE['manager']['name']}")
        secondary.check()
        page.wait_for_load_state("networkidle")
        page.reload()
        expect(page.get_by_role("region", name="Members").get_by_label(f"Secondary: {FIXTURE['manager']['name']}")).to_be_checked()
        page.screenshot(path=SHOTS / "group-members.png", full_page=True)
        # Taking the only primary's Primary away while nobody else escalates is refused.
        members = page.get_by_role("region", name="Members")
        members.get_by_label(f"Secondary: {FIXTURE['manager']['name']}").uncheck()
        page.wait_for_load_state("networkidle")
        primary = members.get_by_label(f"Primary: {FIXTURE['on_shift']['name']}")
        # A click, not uncheck(): uncheck() asserts the box changed, and the console puts it back
        # as soon as the API refuses — sometimes before Playwright looks.
        primary.click()
        expect(members.locator(".alert")).to_be_visible()
        expect(primary).to_be_checked()

    @flow
    def shifts_are_added_with_their_time_zone_and_on_call_now_is_shown():
        page.get_by_role("tab", name="Schedule").click()
        expect(page.get_by_role("region", name="On Call Now")).to_contain_text(FIXTURE["on_shift"]["name"])
        page.get_by_role("button", name="+ Add Shift").click()
        page.get_by_label("Name").fill("Weekend")
        page.get_by_label("Starts (local time)").fill("2027-01-09T08:00")
        page.get_by_label("Time Zone").select_option("Europe/Lisbon")
        page.get_by_label("Duration (minutes)").fill("720")
        page.get_by_label("Repeat").select_option("weekly")
        page.get_by_label(FIXTURE["manager"]["name"]).check()
        page.get_by_role("button", name="Add Shift").click()
        shifts = page.get_by_role("region", name="Shifts")
        expect(shifts).to_contain_text("Weekend from 2027-01-09 08:00 Europe/Lisbon, 720 min, repeats weekly")
        expect(page.get_by_role("tab", name="Schedule")).to_have_attribute("aria-selected", "true")
        page.screenshot(path=SHOTS / "group-schedule.png", full_page=True)

    @flow
    def the_audit_log_lists_what_was_done():
        owner.go("/console/audit")
        expect(page.locator("table.list tbody tr").first).to_be_visible()
        expect(page.locator("table.list tbody")).to_contain_text("create-user")
        page.screenshot(path=SHOTS / "audit.png")

    @flow
    def a_basic_user_sees_only_my_profile():
        basic = Tab(browser, FIXTURE["links"]["basic"])
        expect(basic.page).to_have_url(BASE + "/console/me")
        expect(basic.page.locator("#nav a")).to_have_text(["My Profile"])
        expect(basic.page.get_by_role("heading", name="My Profile")).to_be_visible()
        basic.page.screenshot(path=SHOTS / "my-profile.png", full_page=True)
        basic.go("/console/users")
        expect(basic.page.get_by_role("heading", name="Not here")).to_be_visible()
        assert not basic.errors, basic.errors
        basic.context.close()

    @flow
    def signing_in_through_the_identity_provider_uses_pkce_and_keeps_the_code_out_of_the_url():
        idp = ThreadingHTTPServer(("127.0.0.1", 0), IdentityProvider)
        threading.Thread(target=idp.serve_forever, daemon=True).start()
        server, base = serve_with_oidc(f"http://127.0.0.1:{idp.server_port}")
        try:
            tab = Tab(browser, f"{base}/console/groups")
            # No session yet: the sign-in page offers the identity provider beside the password.
            expect(tab.page.get_by_label("Email or username")).to_be_visible()
            tab.page.get_by_role("button", name="Sign in with your identity provider").click()
            expect(tab.page.get_by_role("heading", name="Groups & Schedules")).to_be_visible()
            assert tab.page.url == f"{base}/console/groups", tab.page.url
            kinds = [kind for kind, _ in IdentityProvider.seen]
            assert kinds == ["authorize", "token"], kinds
            authorize = IdentityProvider.seen[0][1]
            assert authorize["redirect_uri"] == f"{base}/console/callback", authorize
            assert len(authorize["state"]) >= 16 and len(authorize["code_challenge"]) == 43, authorize
            stored = tab.page.evaluate("() => [Object.keys(sessionStorage), localStorage.length, document.cookie]")
            assert stored == [["roster.session"], 0, ""], stored
            # The session is Roster's, traded for the provider's token: signed with Roster's key.
            kept = tab.page.evaluate("() => sessionStorage.getItem('roster.session')")
            assert jwt.get_unverified_header(kept)["kid"] == FIXTURE["kid"], jwt.get_unverified_header(kept)
            # An answer this tab never asked for is refused, whatever it carries.
            forged = Tab(browser, f"{base}/console/callback?code=stolen&state=forged")
            expect(forged.page.locator("main .alert").first).to_contain_text("not for a sign-in this tab started")
            assert "code=" not in forged.page.url, forged.page.url
            assert not tab.errors and not forged.errors, (tab.errors, forged.errors)
            forged.context.close()
            tab.context.close()
        finally:
            server.terminate()
            idp.shutdown()


    @flow
    def an_invited_person_sets_a_password_from_the_email_and_signs_in():
        address = FIXTURE["new_emails"][0]
        invitations = mail_to(address)
        assert len(invitations) == 1, invitations
        link = set_password_link(invitations[0])
        assert link.startswith(BASE + "/console/reset-password#token="), link
        tab = Tab(browser, link)
        person = tab.page
        expect(person.get_by_role("heading", name="Choose your password")).to_be_visible()
        # The token leaves the address bar (and history) before anything else.
        assert "#" not in person.url and "token" not in person.url, person.url
        new = person.get_by_label("New password")
        rule = person.locator("#password-rule")
        new.fill("short")
        expect(rule).to_contain_text("more to go")
        # A length the rule takes, but a guessable password: the API says why.
        new.fill("password1234")
        person.get_by_label("Repeat it").fill("password1234")
        person.get_by_role("button", name="Set password").click()
        expect(person.locator('.field[data-field="password"] .error')).to_contain_text("too easy to guess")
        new.fill("quiet-harbor-lantern-81")
        person.get_by_label("Repeat it").fill("quiet-harbor-lantern-81")
        person.screenshot(path=SHOTS / "set-password.png")
        person.get_by_role("button", name="Set password").click()
        expect(person.get_by_role("heading", name="My Profile")).to_be_visible()
        expect(person.locator("#who")).to_have_text("Nadia Novak")
        stored = person.evaluate("() => [Object.keys(sessionStorage), localStorage.length, document.cookie]")
        assert stored == [["roster.session"], 0, ""], stored

        # Signed out, the password signs in again from the sign-in page.
        person.get_by_role("button", name="Sign out").click()
        expect(person.get_by_role("heading", name="Sign in to Roster")).to_be_visible()
        person.get_by_label("Email or username").fill(address.upper())
        person.get_by_label("Password", exact=True).fill("not the password")
        person.get_by_role("button", name="Sign in").click()
        expect(person.locator("form .alert")).to_contain_text("not right")
        person.get_by_label("Password", exact=True).fill("quiet-harbor-lantern-81")
        person.screenshot(path=SHOTS / "sign-in.png")
        person.get_by_role("button", name="Sign in").click()
        expect(person.locator("#who")).to_have_text("Nadia Novak")
        tab.go("/console/me")
        expect(person.get_by_role("heading", name="My Profile")).to_be_visible()

        # Change password, on My Profile.
        card = person.get_by_role("region", name="Password")
        card.get_by_label("Current password").fill("quiet-harbor-lantern-81")
        card.get_by_label("New password").fill("brisk-meadow-compass-64")
        card.get_by_role("button", name="Change password").click()
        expect(person.locator("#toast")).to_contain_text("Your password is changed")
        assert not tab.errors, tab.errors
        tab.context.close()

    @flow
    def forgot_password_sends_a_link_that_sets_a_new_password():
        address = FIXTURE["new_emails"][0]
        before = len(mail_to(address))
        tab = Tab(browser, BASE + "/console/")
        person = tab.page
        person.get_by_role("link", name="Forgot password?").click()
        expect(person.get_by_role("heading", name="Forgot your password?")).to_be_visible()
        person.get_by_label("Email").fill(address)
        person.get_by_role("button", name="Send reset link").click()
        expect(person.get_by_role("heading", name="Check your email")).to_be_visible()
        sent = mail_to(address)
        assert len(sent) == before + 1, sent
        tab.go(set_password_link(sent[-1]).removeprefix(BASE))
        person.get_by_label("New password").fill("amber-ridge-falcon-39")
        person.get_by_label("Repeat it").fill("amber-ridge-falcon-39")
        person.get_by_role("button", name="Set password").click()
        expect(person.get_by_role("heading", name="My Profile")).to_be_visible()
        assert not tab.errors, tab.errors
        tab.context.close()

    @flow
    def no_page_logged_an_error_or_broke_its_content_security_policy():
        assert not owner.errors, owner.errors

    # Accessibility: axe-core, injected into a tab that ignores the CSP for its sake only.
    audit = Tab(browser, FIXTURE["links"]["axe"], bypass_csp=True)

    def axe(name, tab=None):
        page = (tab or audit).page
        page.add_script_tag(content=AXE)
        result = page.evaluate("""async () => {
            const r = await axe.run(document);
            return {passes: r.passes.length,
                    violations: r.violations.map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.length}))};
        }""")
        summary["axe"][name] = result
        serious = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
        assert not serious, f"{name}: {serious}"

    @flow
    def no_page_has_a_serious_or_critical_accessibility_violation():
        expect(audit.page.locator("table.users tbody tr").first).to_be_visible()
        problems = []
        steps = [
            ("users", None),
            ("add-user dialog", lambda: audit.page.get_by_role("button", name="+ Add User").click()),
            ("profile", lambda: audit.go(f"/console/users/edit/{FIXTURE['reorder']['id']}")),
            ("groups", lambda: audit.go("/console/groups")),
            ("group members", lambda: audit.go(f"/console/groups/{FIXTURE['group']}")),
            ("group schedule", lambda: audit.page.get_by_role("tab", name="Schedule").click()),
            ("audit log", lambda: audit.go("/console/audit")),
            ("my profile", lambda: audit.go("/console/me")),
        ]
        for name, step in steps:
            if step:
                step()
            audit.page.wait_for_load_state("networkidle")
            audit.page.locator("main h1").first.wait_for()
            try:
                axe(name)
            except AssertionError as e:
                problems.append(str(e))
        audit.go("/console/groups")
        audit.page.locator("main h1").first.wait_for()
        audit.page.screenshot(path=SHOTS / "groups.png", full_page=True)
        # The pages of someone without a session.
        anonymous = Tab(browser, BASE + "/console/", bypass_csp=True)
        for name, path in [("sign in", "/console/"), ("forgot password", "/console/forgot-password"),
                           ("set password", "/console/reset-password#token=" + "A" * 43 + "&login=x%40y.example")]:
            anonymous.go(path)
            anonymous.page.locator("main h1").first.wait_for()
            try:
                axe(name, anonymous)
            except AssertionError as e:
                problems.append(str(e))
        anonymous.context.close()
        assert not problems, problems

    browser.close()


with sync_playwright() as playwright:
    SHOTS.mkdir(parents=True, exist_ok=True)
    run(playwright)

for failure in failures:
    print(f"FAILED {failure}", file=sys.stderr)
print(json.dumps(summary))
sys.exit(1 if failures else 0)
