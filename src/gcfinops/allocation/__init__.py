"""Allocation: ward, business system (業務) and environment for every billing row.

Built-in data (the 23 special wards, the 20 標準化対象業務, environment synonyms) lives in
``wards``, ``systems`` and ``environments``; ``tags`` turns it and the ``[allocation]`` config
into small lookup tables and one SQL SELECT. See docs/allocation.md.
"""

from gcfinops.allocation.environments import (
    ENVIRONMENTS,
    environment_alias_rows,
    is_nonprod,
    normalize_environment,
)
from gcfinops.allocation.systems import (
    BUSINESS_SYSTEMS,
    BusinessSystem,
    get_system,
    normalize_system,
    system_alias_rows,
)
from gcfinops.allocation.tags import (
    LOOKUP_TABLES,
    AllocationConfig,
    allocation_select_sql,
    normalize_tag_key,
    register_lookups,
    unallocated_summary_sql,
)
from gcfinops.allocation.wards import (
    SPECIAL_WARDS,
    Ward,
    WardDirectory,
    alias_key,
    check_digit,
    is_valid_code,
)

__all__ = [
    "BUSINESS_SYSTEMS",
    "ENVIRONMENTS",
    "LOOKUP_TABLES",
    "SPECIAL_WARDS",
    "AllocationConfig",
    "BusinessSystem",
    "Ward",
    "WardDirectory",
    "alias_key",
    "allocation_select_sql",
    "check_digit",
    "environment_alias_rows",
    "get_system",
    "is_nonprod",
    "is_valid_code",
    "normalize_environment",
    "normalize_system",
    "normalize_tag_key",
    "register_lookups",
    "system_alias_rows",
    "unallocated_summary_sql",
]
