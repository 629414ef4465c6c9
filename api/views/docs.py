"""The OpenAPI schema and the interactive docs.

The docs page runs Swagger UI from the pinned drf-spectacular-sidecar package (served as static
files; no CDN), with its start-up script from our own origin (the split view), so no inline
script is needed. Its policy differs from the site's only where Swagger UI needs it: see
`DOCS_CSP` below.
"""

from csp.decorators import csp_update
from django.utils.decorators import method_decorator
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny

# Swagger UI renders with React and sets style attributes on its elements; style-src-attr lets
# those through while <style> elements and scripts stay 'self' only.
DOCS_CSP = {"style-src-attr": ["'unsafe-inline'"]}


class SchemaView(SpectacularAPIView):
    """`/api/schema/`: the OpenAPI 3.1 document, public like any published API description."""

    permission_classes = [AllowAny]


@method_decorator(csp_update(DOCS_CSP), name="dispatch")
class DocsView(SpectacularSwaggerSplitView):
    permission_classes = [AllowAny]
    template_name = "api/swagger_ui.html"
    url_name = "api:schema"
