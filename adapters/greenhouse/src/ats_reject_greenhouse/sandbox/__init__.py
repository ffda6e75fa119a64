"""The Greenhouse sandbox: a fake of the Harvest v3 subset the adapter calls, on 127.0.0.1.

* OAuth2 client credentials at ``POST /token`` (tokens that expire and can be revoked);
* ``GET /v3/{applications, candidates, application_stages, job_interview_stages, jobs,
  offices, departments, users, rejection_reasons, rejection_details, sources, notes}`` as bare
  JSON arrays, id descending, cursor paging in ``Link`` (422 for a cursor with other params);
* ``POST /v3/applications/{id}/reject`` (with ``rejection_email``), ``/unreject`` and
  ``POST /v3/notes``;
* rate limiting per OAuth client with ``X-RateLimit-Limit/-Remaining/-Reset`` and 429 +
  ``Retry-After`` (75 per 30 s by default, Greenhouse's documented example);
* fault injection per operation, and webhooks built, encoded and signed as Greenhouse does.

It implements :class:`ats_reject.testing.AdapterSandbox`, so the conformance suite drives it.
"""

from ats_reject_greenhouse.sandbox._hooks import encode_like_greenhouse
from ats_reject_greenhouse.sandbox._sandbox import DEFAULT_RATE_LIMIT, GreenhouseSandbox
from ats_reject_greenhouse.sandbox._seed import DEFAULT_PLAN, PROFILES, Organization

__all__ = [
    "DEFAULT_PLAN",
    "DEFAULT_RATE_LIMIT",
    "PROFILES",
    "GreenhouseSandbox",
    "Organization",
    "encode_like_greenhouse",
]
