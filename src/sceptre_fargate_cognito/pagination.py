"""Every page of a paginated AWS call made through Sceptre's connection manager, which does not
paginate (boto3's paginators need a client, and the connection manager hands out none)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any


def pages(
    call: Callable[[dict[str, Any]], dict], token_key: str, kwargs: Mapping[str, Any]
) -> Iterator[dict]:
    """Call `call(kwargs)` again with each page's `token_key` (NextToken, or nextToken in ECR)
    until a page has none."""
    arguments = dict(kwargs)
    while True:
        page = call(arguments)
        yield page
        token = page.get(token_key)
        if not token:
            return
        arguments[token_key] = token
