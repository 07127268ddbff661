"""The gate's JUnit XML: one test case per group and threshold, the shape GitLab
`artifacts:reports:junit` and GitHub test-report actions read
(testsuites/testsuite/testcase/failure|skipped). ElementTree escapes every attribute and text.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from gcfinops.gate.model import CheckResult
from gcfinops.gate.text import basis_line, explanation_lines, sentence, t
from gcfinops.jpcalendar import Lang
from gcfinops.money import Unit


def render_junit(result: CheckResult, lang: Lang = "ja", unit: Unit = "yen") -> str:
    """One test case per group × threshold: failure on a breach, skipped when not comparable."""
    cases = result.evaluations
    counts = {
        "tests": str(len(cases)),
        "failures": str(sum(e.status == "breach" for e in cases)),
        "errors": "0",
        "skipped": str(sum(e.status == "skipped" for e in cases)),
    }
    root = ET.Element("testsuites", {"name": "gcfinops check", **counts})
    suite = ET.SubElement(
        root,
        "testsuite",
        {"name": f"gcfinops check {result.month} by {result.by}", **counts, "time": "0"},
    )
    props = ET.SubElement(suite, "properties")
    for key, value in (
        ("month", result.month),
        ("previous_month", result.previous_month),
        ("yoy_month", result.yoy_month),
        ("by", result.by),
        ("cost_column", result.cost_column),
        ("status", result.status),
        ("complete", "true" if result.complete else "false"),
        ("through", result.through or ""),
        ("tax_basis", result.tax_basis),
        ("period", basis_line(result, lang, unit)),
    ):
        ET.SubElement(props, "property", {"name": key, "value": value})
    for e in cases:
        name = (e.group_name if lang == "ja" else e.group_name_en) or e.group or t("none", lang)
        case = ET.SubElement(
            suite,
            "testcase",
            {
                "classname": f"gcfinops.check.{result.by}.{e.group or 'unallocated'}",
                "name": f"{name} · {e.metric}",
                "time": "0",
            },
        )
        text = sentence(e, lang, unit)
        if e.status == "breach":
            failure = ET.SubElement(case, "failure", {"type": e.metric, "message": text})
            failure.text = "\n".join([text, *explanation_lines(e, lang, unit)])
        elif e.status == "skipped":
            ET.SubElement(case, "skipped", {"message": text})
        else:
            ET.SubElement(case, "system-out").text = text
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
