"""scripts/check_library_data.py checks the release with the import's own format check."""

import importlib.util
import shutil
from pathlib import Path

import pytest

from governance.library.documents import BUILTIN_DIR

SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "check_library_data.py"


@pytest.fixture(scope="module")
def script():
    spec = importlib.util.spec_from_file_location("check_library_data", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_built_in_library_passes(script, capsys):
    assert script.main([]) == 0
    assert "OK: library data passes all checks" in capsys.readouterr().out


def test_a_format_error_is_reported_by_the_import_check(script, tmp_path, capsys):
    root = tmp_path / "builtin"
    shutil.copytree(BUILTIN_DIR, root)
    scenarios = root / "scenarios.yaml"
    scenarios.write_text(scenarios.read_text().replace("expected_domain: security", "expected_domain: securty", 1))
    assert script.main([str(root)]) == 1
    out = capsys.readouterr().out
    assert "expected_domain: 'securty' is not one of security, safety, both" in out
