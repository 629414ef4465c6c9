"""Rate limiting per token: over `API_RATE_LIMIT`, 429 with `Retry-After` and the one error body;
each token has its own count."""

from django.urls import reverse

from accounts.models import Role


def test_a_token_over_its_rate_gets_429_with_retry_after(settings, api_for, make_member, org):
    settings.API_RATE_LIMIT = "3/min"
    url = reverse("api:team_list", kwargs={"org_slug": org.slug})
    first = api_for(make_member(Role.VIEWER, "busy"))
    assert [first.get(url).status_code for _ in range(3)] == [200, 200, 200]
    refused = first.get(url)
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert refused.json()["error"]["code"] == "throttled"
    second = api_for(make_member(Role.VIEWER, "calm"))  # another token: its own count
    assert second.get(url).status_code == 200


def test_an_empty_rate_means_no_limit(settings, api_for, make_member, org):
    settings.API_RATE_LIMIT = ""
    api = api_for(make_member(Role.VIEWER, "unlimited"))
    url = reverse("api:team_list", kwargs={"org_slug": org.slug})
    assert all(api.get(url).status_code == 200 for _ in range(5))
