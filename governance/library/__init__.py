"""The library: built-in release files (`builtin/`), their format check, loading, import and export.

Public API::

    from governance.library import load_builtin_library   # idempotent; returns an ImportReport

See docs/library-format.md for the format and the upgrade rules.
"""

from .importer import ImportReport, import_document, load_builtin_library
from .schema import LibraryError, LibraryInvalid

__all__ = ["ImportReport", "LibraryError", "LibraryInvalid", "import_document", "load_builtin_library"]
