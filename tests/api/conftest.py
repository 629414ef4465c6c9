import json

import pytest

from api.tokens import token_create


class ApiClient:
    """The Django test client with a bearer token and JSON bodies."""

    def __init__(self, client, raw):
        self.client, self.raw = client, raw

    def call(self, method, url, data=None, **extra):
        headers = {"HTTP_AUTHORIZATION": f"Bearer {self.raw}"} if self.raw else {}
        body = data if isinstance(data, str | bytes) else json.dumps(data) if data is not None else ""
        return self.client.generic(method, url, body, content_type="application/json", **headers, **extra)

    def get(self, url, params=None):
        headers = {"HTTP_AUTHORIZATION": f"Bearer {self.raw}"} if self.raw else {}
        return self.client.get(url, params or {}, **headers)

    def post(self, url, data=None, **extra):
        return self.call("POST", url, data, **extra)

    def patch(self, url, data=None):
        return self.call("PATCH", url, data)

    def upload(self, url, data):
        return self.client.post(url, data, HTTP_AUTHORIZATION=f"Bearer {self.raw}")


@pytest.fixture
def api_for(client):
    def make(user, role=None):
        organisation = user.memberships.first().organisation
        _token, raw = token_create(user=user, name="test", expires_at=None, organisation=organisation, role=role)
        return ApiClient(client, raw)

    return make
