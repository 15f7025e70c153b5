"""A person gets a page, in words, when a form comes without a field or an address leads nowhere; the API answers
the same errors as it answers every refusal ({"error", "kind", "problems"}); files and other clients asking for JSON
keep FastAPI's JSON bodies exactly."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from carepool.db.engine import Database
from carepool.partners.model import OrgKind
from carepool.web.app import create_app
from tests.integration.helpers import add_organisations, add_user, csrf_token, sign_in, token_for

MAIN_NAVIGATION = '<nav aria-label="Main">'
MISSING_FILE = {"error": "file: missing; the request must give it", "kind": "invalid",
                "problems": ["file: missing; the request must give it"]}
NOWHERE = {"error": "there is nothing at /api/pooled-budgets: the API's addresses are listed at /api/docs",
           "kind": "not_found", "problems": []}


@pytest.fixture
def client(database: Database) -> Iterator[TestClient]:
    add_organisations(database, ("E09000005", "Brent", OrgKind.LOCAL_AUTHORITY))
    add_user(database, "admin@brent.test", "E09000005", "admin")
    with TestClient(create_app(database=database)) as test_client:
        yield test_client


def _is_page(response: Response) -> bool:
    return response.headers["content-type"].startswith("text/html") and '"detail"' not in response.text


def test_an_unknown_page_is_a_page_for_someone_signed_in(client: TestClient) -> None:
    sign_in(client, "admin@brent.test")
    response = client.get("/pooled-budgets")
    assert response.status_code == 404 and _is_page(response)
    assert "<h1>Not found</h1>" in response.text and "There is no page at this address" in response.text
    assert MAIN_NAVIGATION in response.text and "Sign out" in response.text
    assert '<a href="/">Back to the dashboard</a>' in response.text


def test_an_unknown_page_is_a_page_without_navigation_for_anyone_else(client: TestClient) -> None:
    response = client.get("/pooled-budgets", follow_redirects=False)
    assert response.status_code == 404 and _is_page(response)
    assert "There is no page at this address" in response.text
    assert MAIN_NAVIGATION not in response.text and "Sign out" not in response.text


def test_the_error_page_links_back_only_within_the_site(client: TestClient) -> None:
    sign_in(client, "admin@brent.test")
    ours = client.get("/pooled-budgets", headers={"Referer": "http://testserver/partners?kind=provider"})
    assert '<a href="/partners?kind=provider">Go back</a>' in ours.text
    for elsewhere in ["https://evil.example/partners", "http://testserver//evil.example/x", "not a url"]:
        page = client.get("/pooled-budgets", headers={"Referer": elsewhere})
        assert '<a href="/">Back to the dashboard</a>' in page.text and "Go back" not in page.text, elsewhere


def test_a_page_used_the_wrong_way_is_a_page_that_keeps_the_allow_header(client: TestClient) -> None:
    sign_in(client, "admin@brent.test")
    response = client.put("/partners")
    assert response.status_code == 405 and _is_page(response)
    assert response.headers["allow"] == "GET"
    assert "This page cannot be used that way" in response.text


def test_the_api_answers_in_its_own_shape_and_json_clients_keep_the_json_bodies(client: TestClient,
                                                                                database: Database) -> None:
    anonymous = client.get("/api/pooled-budgets")
    assert anonymous.status_code == 404 and anonymous.json() == NOWHERE
    bearer = {"Authorization": f"Bearer {token_for(database, 'admin@brent.test')}"}
    signed_in = client.get("/api/pooled-budgets", headers=bearer)
    assert signed_in.status_code == 404 and signed_in.json() == NOWHERE
    asks_json = client.get("/pooled-budgets", headers={"Accept": "application/json"})
    assert asks_json.status_code == 404 and asks_json.json() == {"detail": "Not Found"}
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    assert _is_page(client.get("/pooled-budgets", headers={"Accept": browser}))
    assert client.get("/open-data/no-such-file.csv").json() == {"detail": "Not Found"}  # a file, not a page


def test_a_page_form_without_its_file_names_the_field_in_words(client: TestClient) -> None:
    sign_in(client, "admin@brent.test")
    response = client.post("/partners/import", data={"note": "nothing chosen"},
                           headers={"Referer": "http://testserver/partners/import"})
    assert response.status_code == 422 and _is_page(response)
    assert "The form was sent without file: fill it in and send it again." in response.text
    assert '<a href="/partners/import">Go back</a>' in response.text
    assert MAIN_NAVIGATION in response.text


def test_the_sign_in_form_without_a_password_says_so_without_navigation(client: TestClient) -> None:
    response = client.post("/login", data={"email": "admin@brent.test", "csrf_token": csrf_token(client)})
    assert response.status_code == 422 and _is_page(response)
    assert "The form was sent without password: fill it in and send it again." in response.text
    assert MAIN_NAVIGATION not in response.text


def test_the_same_missing_field_on_the_api_is_the_apis_json(client: TestClient, database: Database) -> None:
    bearer = {"Authorization": f"Bearer {token_for(database, 'admin@brent.test')}"}
    response = client.post("/api/partners/import", data={"note": "nothing chosen"}, headers=bearer)
    assert response.status_code == 422 and response.json() == MISSING_FILE
    sign_in(client, "admin@brent.test")
    with_cookie = client.post("/api/partners/import", data={"note": "nothing chosen"})
    assert with_cookie.status_code == 422 and with_cookie.json() == MISSING_FILE


def test_signing_in_still_comes_first_for_a_page_form(client: TestClient) -> None:
    response = client.post("/partners/import", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login?next=/partners/import"
