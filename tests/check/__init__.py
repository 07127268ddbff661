"""Fixtures of the check and anomalies tests (lakes, golden Markdown)."""
