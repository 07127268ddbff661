"""Payment inspection (検収): the bill against unit price × quantity, every difference explained.

Modules: tolerance (the one comparison rule), recompute (the per-line SQL), run (scope → model),
model (dataclasses with to_dict), render (table/json/csv), pack (the 検収調書 evidence pack in
XLSX and HTML), vendor (a vendor's monthly report against the lake). Method: docs/inspect.md.
"""

from gcfinops.inspection.model import Inspection, Scope
from gcfinops.inspection.run import inspect, resolve_scope

__all__ = ["Inspection", "Scope", "inspect", "resolve_scope"]
