"""A pipkey or uv TOML table (``[tool.pipkey]``, ``pipkey.toml``, ``[tool.uv]``, ``uv.toml``) as
a Fragment.

pipkey's own tables are strict — an unknown key is a typo and an error with its line. uv's are
lenient: pipkey reads the index-related keys it understands and leaves the rest to uv.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from packaging.utils import canonicalize_name

from pipkey.auth.settings import AUTHENTICATE_VALUES
from pipkey.config import values
from pipkey.config.document import Key, TomlDocument
from pipkey.config.fragment import Fragment
from pipkey.config.keys import FILE_KEYS, assign
from pipkey.config.settings import Index
from pipkey.config.values import Sourced

Dialect = Literal["pipkey", "uv"]


@dataclass(frozen=True)
class _Schema:
    globals: tuple[str, ...]  # internal key names read from the table
    index_fields: tuple[str, ...]
    strict: bool


_SCHEMAS: dict[Dialect, _Schema] = {
    "pipkey": _Schema(
        globals=tuple(FILE_KEYS),
        index_fields=(
            "name",
            "url",
            "default",
            "explicit",
            "authenticate",
            "username",
            "keyring-service",
            "ignore-error-codes",
        ),
        strict=True,
    ),
    "uv": _Schema(
        globals=(
            "index_url",
            "index",
            "extra_index_url",
            "find_links",
            "no_index",
            "keyring_provider",
            "index_strategy",
            "cache_dir",
            "native_tls",
            "allow_insecure_host",
        ),
        index_fields=("name", "url", "default", "explicit", "authenticate", "ignore-error-codes"),
        strict=False,
    ),
}
# uv's ``[tool.uv.pip]`` / ``[pip]`` table overrides the top level for the ``uv pip`` interface,
# which is the one pipkey mirrors.
_UV_PIP_KEYS = (
    "index_url",
    "extra_index_url",
    "find_links",
    "no_index",
    "keyring_provider",
    "index_strategy",
    "native_tls",
    "allow_insecure_host",
)


def table_fragment(doc: TomlDocument, path: tuple[str, ...], dialect: Dialect) -> Fragment:
    """The fragment for the table at ``path`` in ``doc`` (``()`` for a whole pipkey.toml)."""
    table = _get(doc.data, path)
    fragment = Fragment(files=[f"{doc.path} ({'.'.join(path) or 'top level'})"])
    schema = _SCHEMAS[dialect]
    if not isinstance(table, dict):
        return fragment
    if schema.strict:
        known = {FILE_KEYS[key] for key in schema.globals} | {"sources"}
        _reject_unknown(doc, path, table, known, "key")
    base = doc.path.parent
    if dialect == "uv" and isinstance(table.get("pip"), dict):
        for key in _UV_PIP_KEYS:
            if FILE_KEYS[key] in table["pip"]:
                where = doc.where((*path, "pip", FILE_KEYS[key]))
                assign(fragment, key, table["pip"][FILE_KEYS[key]], where=where, base=base)
    _read_indexes(doc, path, table, schema, fragment)
    for key in schema.globals:
        if key != "index" and FILE_KEYS[key] in table:
            where = doc.where((*path, FILE_KEYS[key]))
            assign(fragment, key, table[FILE_KEYS[key]], where=where, base=base)
    if "sources" in table:
        _read_pins(doc, (*path, "sources"), table["sources"], dialect, fragment)
    return fragment


def _get(data: dict[str, Any], path: tuple[str, ...]) -> Any:
    node: Any = data
    for part in path:
        node = node.get(part) if isinstance(node, dict) else None
    return node


def _reject_unknown(
    doc: TomlDocument, path: tuple[Key, ...], table: dict[str, Any], known: set[str], what: str
) -> None:
    for key in table:
        if key not in known:
            raise values.fail(
                doc.where((*path, key)),
                key,
                f"unknown {what} in [{'.'.join(str(p) for p in path if isinstance(p, str))}]; "
                f"allowed: {', '.join(sorted(known))}",
            )


def _read_indexes(
    doc: TomlDocument,
    path: tuple[str, ...],
    table: dict[str, Any],
    schema: _Schema,
    fragment: Fragment,
) -> None:
    entries = table.get("index")
    if entries is None:
        return
    if not isinstance(entries, list):
        raise values.fail(doc.where((*path, "index")), "index", "must be an array of tables")
    indexes: list[Index] = []
    default_seen: str | None = None
    for number, entry in enumerate(entries):
        entry_path: tuple[Key, ...] = (*path, "index", number)
        index = _index_entry(doc, entry_path, entry, schema)
        if not index.default:
            indexes.append(index)
        elif default_seen:
            raise values.fail(
                index.origin, "default", f"a second default index (the first is at {default_seen})"
            )
        else:
            default_seen = index.origin
            fragment.scalars["default_index"] = Sourced(index, index.origin)
    fragment.lists["index"] = indexes


def _index_entry(doc: TomlDocument, path: tuple[Key, ...], entry: object, schema: _Schema) -> Index:
    where = doc.where(path)
    if not isinstance(entry, dict):
        raise values.fail(where, "index", "each index must be a table with at least a url")
    if schema.strict:
        _reject_unknown(doc, path, entry, set(schema.index_fields), "index field")
    if "url" not in entry:
        raise values.fail(where, "index", "an index needs a url")

    def at(field: str) -> str:
        return doc.where((*path, field))

    fields: dict[str, Any] = {"url": values.index_url(entry["url"], where=at("url"), key="url")}
    if "name" in entry:
        fields["name"] = values.index_name(entry["name"], where=at("name"), key="name")
    for flag in ("default", "explicit"):
        if flag in entry:
            fields[flag] = values.boolean(entry[flag], where=at(flag), key=flag)
    if "authenticate" in entry:
        fields["authenticate"] = values.choice(
            entry["authenticate"], AUTHENTICATE_VALUES, where=at("authenticate"), key="authenticate"
        )
    if "username" in entry and "username" in schema.index_fields:
        fields["username"] = values.text(entry["username"], where=at("username"), key="username")
        fields["username_origin"] = at("username")
    if "keyring-service" in entry and "keyring-service" in schema.index_fields:
        fields["keyring_service"] = values.text(
            entry["keyring-service"], where=at("keyring-service"), key="keyring-service"
        )
    if "ignore-error-codes" in entry:
        fields["ignore_error_codes"] = _status_codes(
            entry["ignore-error-codes"], at("ignore-error-codes")
        )
    if fields.get("explicit") and "name" not in fields:
        raise values.fail(
            where, "explicit", "an explicit index needs a name (packages are pinned to it by name)"
        )
    return Index(origin=where, **fields)


def _status_codes(value: object, where: str) -> frozenset[int]:
    """uv's ``ignore-error-codes``: HTTP statuses (100-599) after which the search goes on to
    the next index as if the project were not there — an explicit opt-in to fall through."""
    if not isinstance(value, list) or not all(
        isinstance(code, int) and not isinstance(code, bool) and 100 <= code <= 599
        for code in value
    ):
        raise values.fail(
            where, "ignore-error-codes", f"{value!r} is not a list of HTTP status codes (100-599)"
        )
    return frozenset(value)


def _read_pins(
    doc: TomlDocument, path: tuple[str, ...], table: object, dialect: Dialect, fragment: Fragment
) -> None:
    if not isinstance(table, dict):
        raise values.fail(doc.where(path), "sources", "must be a table of package = { index = … }")
    for package, source in table.items():
        where = doc.where((*path, package))
        if isinstance(source, dict) and set(source) == {"index"}:
            name = values.index_name(source["index"], where=where, key=f"sources.{package}")
            fragment.pins[canonicalize_name(package)] = Sourced(name, where)
        elif dialect == "uv":
            fragment.notes.append(
                f"{where}: [tool.uv.sources] entry for {package!r} is not an index pin; "
                "pipkey ignores it"
            )
        else:
            raise values.fail(
                where,
                f"sources.{package}",
                'must be { index = "NAME" } (pipkey pins packages to indexes only)',
            )
