"""What users type on the command line or in a requirements file, turned into requirements."""

from __future__ import annotations

import pytest

from pipkey.resolve.inputs import RequirementError, parse_input


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("https://bob:pw@h:99999/demo-1.0-py3-none-any.whl", id="port"),
        pytest.param("demo @ https://bob:pw@[::1/demo-1.0-py3-none-any.whl", id="ipv6"),
    ],
)
def test_a_malformed_url_is_a_requirement_error_without_its_password(text: str) -> None:
    with pytest.raises(RequirementError, match="command line: invalid URL") as caught:
        parse_input(text, "command line", {})
    assert ":pw@" not in str(caught.value)
