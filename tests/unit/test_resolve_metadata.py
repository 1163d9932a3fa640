"""Reading core metadata out of wheels."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipkey.resolve.errors import MetadataError
from pipkey.resolve.metadata import read_wheel_metadata
from tests.support.wheels import build_wheel, corrupt_member


def test_a_wheel_with_corrupt_compressed_metadata_is_a_metadata_error(tmp_path: Path) -> None:
    wheel = build_wheel(tmp_path, "demo", "1.0")
    corrupt_member(wheel, "demo-1.0.dist-info/METADATA")
    with pytest.raises(MetadataError, match=r"demo-1\.0-py3-none-any\.whl is not a valid wheel"):
        read_wheel_metadata(wheel)
