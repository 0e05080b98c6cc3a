"""Item 9: with DEBUG off, short secrets refuse to start, naming the variable (settings imported in a subprocess)."""

import subprocess
import sys

import pytest

STRONG = "s" * 32  # exactly the minimum


def _import_settings(tmp_path, **env):
    code = "import foljsam.settings as s; print(len(s.SECRET_KEY), len(s.PSEUDONYM_KEY))"
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={"PATH": "/usr/bin", "FOLJSAM_DATA_DIR": str(tmp_path), **env})


@pytest.mark.parametrize("short, strong", [("DJANGO_SECRET_KEY", "FOLJSAM_PSEUDONYM_KEY"),
                                           ("FOLJSAM_PSEUDONYM_KEY", "DJANGO_SECRET_KEY")])
@pytest.mark.parametrize("value", ["k", "x" * 31, "å" * 15])  # 'å' is 2 bytes: 30 bytes, 15 characters
def test_short_secret_refuses_to_start_naming_it(tmp_path, short, strong, value):
    result = _import_settings(tmp_path, DEBUG="False", **{short: value, strong: STRONG})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and f"{short} är för kort" in result.stderr
    assert strong not in result.stderr.splitlines()[-1]


def test_32_bytes_start(tmp_path):
    result = _import_settings(tmp_path, DEBUG="False", DJANGO_SECRET_KEY=STRONG, FOLJSAM_PSEUDONYM_KEY="ö" * 16)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["32", "16"]


def test_debug_keeps_development_defaults(tmp_path):
    result = _import_settings(tmp_path, DEBUG="True", FOLJSAM_PSEUDONYM_KEY="k")
    assert result.returncode == 0, result.stderr
