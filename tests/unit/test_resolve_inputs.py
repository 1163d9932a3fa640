"""What users type on the command line or in a requirements file, turned into requirements."""

from __future__ import annotations

import pytest

from pipkey.resolve.inputs import RequirementError, index_project, parse_input


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


@pytest.mark.parametrize(
    ("text", "project"),
    [
        pytest.param("Flask[async]>=3; python_version < '4'", "Flask", id="specifier-marker"),
        pytest.param("demo @ https://h/demo-1.0-py3-none-any.whl", None, id="direct-url"),
        pytest.param("./dist/demo-1.0-py3-none-any.whl", None, id="path"),
        pytest.param("demo-1.0-py3-none-any.whl", None, id="bare-wheel-name"),
        pytest.param("not a requirement ===", None, id="invalid"),
    ],
)
def test_only_index_requirements_name_a_page_to_prefetch(text: str, project: str | None) -> None:
    """Pages are fetched before the target is known; a path or URL has no page to fetch."""
    assert index_project(text) == project
