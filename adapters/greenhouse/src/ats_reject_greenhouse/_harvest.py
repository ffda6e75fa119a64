"""Harvest v3 list calls: bare JSON arrays, cursor paging in ``Link``, models validated per item.

Pagination (https://harvestdocs.greenhouse.io/docs/pagination): the first request carries the
filters and ``per_page`` (1 to 500); each response's ``Link: <...>; rel="next"`` gives the next
page, whose URL carries only ``cursor`` (adding any other parameter gets
``422 {"errors":["When passing a cursor, do not include other query params."]}``, airbytehq
``source-greenhouse``); there is no ``prev``/``last`` link; items come by id, descending.
:class:`~ats_reject.http.LinkHeaderPaginator` follows the link verbatim, which is exactly that.

There is no ``GET /v3/applications/{id}``: one object is read with ``?ids=<id>`` (at most 50
ids per request), and an empty answer means it does not exist.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from ats_reject.errors import NotFoundError, ResponseSchemaError
from ats_reject.http import HttpClient, LinkHeaderPaginator

__all__ = ["MAX_IDS", "Harvest"]

MAX_IDS = 50
"""Ids one ``ids=`` (or ``*_ids=``) filter may carry."""

ModelT = TypeVar("ModelT", bound=BaseModel)


class Harvest:
    """Typed list calls over one :class:`~ats_reject.http.HttpClient`.

    Args:
        http: The client (authentication, rate limit, retries, error mapping).
    """

    def __init__(self, http: HttpClient) -> None:
        self.http = http

    def items(
        self, path: str, model: type[ModelT], params: Mapping[str, Any] | None = None
    ) -> Iterator[ModelT]:
        """Yield every item of a listing, page by page, as *model*.

        Raises:
            ResponseSchemaError: A page is not a JSON array, or an item does not fit *model*.
            ApiError: A page could not be fetched.
        """
        paginator = LinkHeaderPaginator(items_field=None)
        for item in self.http.paginate_items(path, paginator, params=params):
            yield self.parse(item, model, path)

    def by_ids(
        self,
        path: str,
        model: type[ModelT],
        ids: Iterable[int],
        params: Mapping[str, Any] | None = None,
        *,
        id_param: str = "ids",
    ) -> list[ModelT]:
        """Read objects by id, 50 ids per request."""
        unique = sorted(set(ids))
        found: list[ModelT] = []
        for start in range(0, len(unique), MAX_IDS):
            chunk = unique[start : start + MAX_IDS]
            query = {**(params or {}), id_param: ",".join(str(i) for i in chunk)}
            found.extend(self.items(path, model, query))
        return found

    def one(self, path: str, model: type[ModelT], object_id: int, what: str) -> ModelT:
        """Read one object by id.

        Raises:
            NotFoundError: Greenhouse answered no object with that id (reported as a 404, the
                status a missing object earns everywhere else).
        """
        for item in self.by_ids(path, model, [object_id]):
            if getattr(item, "id", None) == object_id:
                return item
        raise NotFoundError(
            f"no {what} with this id",
            adapter=self.http.adapter,
            status=404,
            method="GET",
            path=path,
        )

    def parse(self, item: Any, model: type[ModelT], path: str) -> ModelT:
        """Validate one item; errors name the fields, never their values."""
        try:
            return model.model_validate(item)
        except ValidationError as exc:
            where = ", ".join(".".join(str(p) for p in e["loc"]) for e in exc.errors()[:3])
            raise self.schema_error(f"{model.__name__} ({where or 'shape'})", path) from None

    def schema_error(self, what: str, path: str) -> ResponseSchemaError:
        """An unreadable answer at *path*."""
        return ResponseSchemaError(
            f"unexpected {what} in the response", adapter=self.http.adapter, path=path
        )
