"""The search page: `/o/<slug>/search/?q=`, reached from the top bar (`/` focuses it)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.access import get_membership
from core.extensions import collect

from ..search import clean_query, governance_results


@login_required
def search(request: HttpRequest, org_slug: str) -> HttpResponse:
    membership = get_membership(request, org_slug)
    query = clean_query(request.GET.get("q", ""))
    groups = []
    if query:
        groups = governance_results(membership=membership, query=query)
        for contributed in collect("search", membership=membership, query=query):
            groups.extend(contributed)
    context = {"query": query, "groups": groups, "found": sum(len(g.hits) for g in groups)}
    return render(request, "governance/search.html", context)
