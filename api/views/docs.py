"""The OpenAPI schema and the interactive docs.

The docs page runs Swagger UI from the pinned drf-spectacular-sidecar package (served as static
files; no CDN), with its start-up script from our own origin (the split view) and its page styles
in a static file (our template replaces drf-spectacular's, which has an inline `<style>`). So the
page needs no exception to the site's strict policy: the narrowest policy that works is that one.
tests/browser/test_api_docs.py opens the docs, expands and runs an operation, and fails on any
policy violation; should a Swagger UI upgrade need more, add the one directive it needs here
with `csp.decorators.csp_update` on `DocsView`, never on the site's policy.
"""

from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny


class SchemaView(SpectacularAPIView):
    """`/api/schema/`: the OpenAPI 3.1 document, public like any published API description."""

    permission_classes = [AllowAny]


class DocsView(SpectacularSwaggerSplitView):
    permission_classes = [AllowAny]
    template_name = "api/swagger_ui.html"
    url_name = "api:schema"
