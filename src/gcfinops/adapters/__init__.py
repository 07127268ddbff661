"""The adapter registry: every format gcfinops reads, and detection from a file's header.

Built-in adapters are listed here and go through the same lookup as any other (datasette's
built-ins-as-plugins); adding a format is one module with an `ADAPTER` plus one line below.
"""

from __future__ import annotations

from gcfinops.adapters import (
    aws_cur2,
    aws_cur_legacy,
    azure_cost_details,
    azure_payg_usage,
    focus,
    gcp_billing_export,
    oci_cost_report,
    sakura,
)
from gcfinops.adapters.base import Adapter
from gcfinops.errors import AmbiguousFormatError, UnknownFormatError

ADAPTERS: dict[str, Adapter] = {
    a.name: a
    for a in (
        aws_cur2.ADAPTER,
        aws_cur_legacy.CSV_ADAPTER,
        aws_cur_legacy.ATHENA_ADAPTER,
        focus.ADAPTER,
        azure_cost_details.ADAPTER,
        azure_payg_usage.ADAPTER,
        gcp_billing_export.ADAPTER,
        oci_cost_report.ADAPTER,
        sakura.ADAPTER,
    )
}


def get(name: str) -> Adapter:
    """The adapter called `name` (for `--format`)."""
    try:
        return ADAPTERS[name]
    except KeyError:
        raise UnknownFormatError(
            f"unknown format {name!r}; formats: {', '.join(sorted(ADAPTERS))}"
        ) from None


def detect(header: list[str], path: str) -> Adapter:
    """Exactly one adapter whose detection columns match `header`, else an error listing them."""
    hits = []
    misses = []
    for adapter in ADAPTERS.values():
        ok, lacking = adapter.matches(header)
        if ok:
            hits.append(adapter)
        else:
            misses.append(f"  {adapter.name}: lacks {', '.join(sorted(lacking))}")
    if len(hits) == 1:
        return hits[0]
    if not hits:
        raise UnknownFormatError(
            "not a billing export gcfinops knows; formats tried:\n" + "\n".join(misses),
            path=path,
            hint="pass --format NAME if you know the format (see `gcfinops formats`)",
        )
    raise AmbiguousFormatError(
        f"header matches several formats: {', '.join(a.name for a in hits)}",
        path=path,
        hint="pass --format NAME to choose one",
    )
