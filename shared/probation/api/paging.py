"""Pagination parameters shared by every list: an opaque ``cursor`` and a ``limit`` of at most 100."""

from typing import Annotated, Generic, TypeVar

from aws_lambda_powertools.event_handler.openapi.params import Query
from pydantic import Field

from probation.domain.model import ApiModel

DEFAULT_LIMIT = 20
MAX_LIMIT = 100

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per page (1-100)")]
Cursor = Annotated[str | None, Query(max_length=2048, description="Opaque cursor from the previous page")]

ItemT = TypeVar("ItemT")


class PageOf(ApiModel, Generic[ItemT]):
    items: list[ItemT]
    cursor: str | None = Field(
        default=None, description="Pass back to get the next page; null on the last page"
    )
