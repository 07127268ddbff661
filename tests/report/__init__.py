"""Tests of the ward report (issue #4): data, formats, golden files."""
