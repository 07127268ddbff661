"""Untrusted text in outputs: spreadsheet formula neutralization and Markdown escaping.

Tag values, service names, resource ids, vendor names and recommendation text come from bills
and user files. A spreadsheet treats a cell starting with =, +, -, @, TAB or CR as a formula
(OWASP "CSV Injection", https://owasp.org/www-community/attacks/CSV_Injection): such text cells
get a leading apostrophe. Numbers are written as numbers and never touched. HTML is escaped
by jinja2's autoescape (report/html.py); Markdown cells are escaped here.
"""

from __future__ import annotations

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralize(text: str) -> str:
    """Text safe for a spreadsheet cell: "'=1+1" instead of "=1+1"."""
    return "'" + text if text.startswith(FORMULA_START) else text


def markdown_cell(text: str) -> str:
    """Text safe inside a Markdown table cell: no HTML, no cell breaks, one line."""
    out = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    out = out.replace("\\", "\\\\").replace("|", "\\|")
    return " ".join(out.split())
