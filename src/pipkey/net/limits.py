"""The size bounds of response bodies (see :mod:`pipkey.net.bounds`, which enforces them).

Apart so that code reading a local file against the same bound (a wheel's METADATA from the
cache in a sync that makes no request) does not load the HTTP stack for a number.
"""

from __future__ import annotations

MIB = 1 << 20
PAGE_LIMIT = 100 * MIB
METADATA_LIMIT = 16 * MIB
DOWNLOAD_LIMIT = 10 * 1024 * MIB
