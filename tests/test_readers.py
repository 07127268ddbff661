"""readers: encodings, empty and damaged files, header checks, short rows, compiler-style errors."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from gcfinops.errors import EmptyFileError, EncodingError, InputError, TruncatedFileError
from gcfinops.ingest import ingest
from gcfinops.readers import _transcode, detect_encoding, kind_of, open_source
from gcfinops.workspace import Workspace

HEADER = (
    "BillingAccountId,BillingCurrency,BillingPeriodStart,ChargePeriodStart,ChargePeriodEnd,"
    "ChargeCategory,BilledCost,ProviderName,Tags"
)
ROW = (
    "acct-1,JPY,2025-04-01T00:00:00Z,2025-04-02T00:00:00Z,2025-04-03T00:00:00Z,Usage,{cost},"
    'Sakura,"{{""ward"": ""{ward}"", ""env"": ""{env}""}}"'
)


def focus_text(n: int = 3, ward: str = "setagaya", env: str = "prod") -> str:
    rows = [ROW.format(cost=100 * (i + 1), ward=ward, env=env) for i in range(n)]
    return "\n".join([HEADER, *rows]) + "\n"


def write(tmp_path: Path, name: str, data: bytes | str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode(encoding) if isinstance(data, str) else data)
    return path


def ingest_one(tmp_path: Path, path: Path) -> Workspace:
    ws = Workspace(tmp_path / "ws")
    ingest(ws, [path])
    return ws


def test_detect_encoding() -> None:
    """UTF-8, UTF-8 with BOM and CP932 are told apart from the bytes."""
    assert detect_encoding("世田谷区".encode(), Path("x")) == "utf-8"
    assert detect_encoding(b"\xef\xbb\xbfa,b", Path("x")) == "utf-8-sig"
    assert detect_encoding("世田谷区,本番".encode("cp932"), Path("x")) == "cp932"
    with pytest.raises(EncodingError, match="not UTF-8, UTF-8 with BOM, or Shift_JIS/CP932"):
        detect_encoding(b"a,b\n\x81\x20", Path("x"))


def test_cp932_file_is_read_with_japanese_values(tmp_path: Path) -> None:
    """A CP932 file (世田谷区 / 本番 tags) loads, decoded, and allocates to ward 131121."""
    path = write(tmp_path, "sakura.csv", focus_text(ward="世田谷区", env="本番"), "cp932")
    ws = ingest_one(tmp_path, path)
    import duckdb

    tags, ward, env = (
        duckdb.connect()
        .execute(f"SELECT Tags, x_Ward, x_Environment FROM '{ws.lake}/**/*.parquet' LIMIT 1")
        .fetchone()
    )
    assert tags == {"ward": "世田谷区", "env": "本番"}
    assert (ward, env) == ("131121", "prod")


def test_bom_file_header_is_clean(tmp_path: Path) -> None:
    """The BOM does not stick to the first column name."""
    path = write(tmp_path, "bom.csv", b"\xef\xbb\xbf" + focus_text().encode())
    src = open_source(path, tmp_path / "t")
    assert src.header[0] == "BillingAccountId" and src.encoding == "utf-8-sig"


def test_invalid_cp932_byte_names_its_line(tmp_path: Path) -> None:
    """Transcoding stops at an invalid byte and names the line it is on."""
    path = write(tmp_path, "bad.csv", "a,b\n世田谷,1\n".encode("cp932") + b"x,\x81\x20\n")
    with pytest.raises(EncodingError) as e:
        _transcode(path, "cp932", tmp_path / "t")
    assert e.value.line == 3


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.csv", b"", "file is empty"),
        ("blank.csv", b"\n\n  \n", "file is empty"),
        ("header_only.csv", (HEADER + "\n").encode(), "header but no data rows"),
        ("header_blank_lines.csv", (HEADER + "\n\n\n").encode(), "header but no data rows"),
    ],
)
def test_empty_inputs(tmp_path: Path, name: str, data: bytes, message: str) -> None:
    """Empty, blank and header-only files are refused with a reason."""
    with pytest.raises(EmptyFileError, match=message):
        open_source(write(tmp_path, name, data), tmp_path / "t")


def test_truncated_gzip(tmp_path: Path) -> None:
    """A gzip file cut short is a TruncatedFileError, not a traceback."""
    data = gzip.compress(focus_text(200).encode())
    path = write(tmp_path, "cut.csv.gz", data[: len(data) // 2])
    with pytest.raises(TruncatedFileError, match="damaged or truncated"):
        ingest_one(tmp_path, path)


def test_not_gzip_but_named_gz(tmp_path: Path) -> None:
    """Plain text named .csv.gz is reported as damaged compression."""
    with pytest.raises(TruncatedFileError):
        ingest_one(tmp_path, write(tmp_path, "plain.csv.gz", focus_text()))


def test_damaged_parquet(tmp_path: Path) -> None:
    """A file named .parquet that is not Parquet is refused."""
    with pytest.raises(TruncatedFileError, match="not a readable Parquet file"):
        open_source(write(tmp_path, "x.parquet", b"PAR1 not really"), tmp_path / "t")


def test_unknown_extension() -> None:
    """Only CSV, CSV.gz and Parquet names are read."""
    with pytest.raises(InputError, match=r"not a CSV, CSV\.gz or Parquet file"):
        kind_of(Path("bill.xlsx"))


def test_duplicate_and_blank_header_names(tmp_path: Path) -> None:
    """Duplicate or empty column names are errors on line 1."""
    dup = write(tmp_path, "dup.csv", focus_text().replace("BilledCost", "ChargeCategory", 1))
    with pytest.raises(InputError, match="duplicate column names in header: 'ChargeCategory'"):
        open_source(dup, tmp_path / "t")
    blank = write(
        tmp_path, "blank.csv", HEADER + ",\n" + ROW.format(cost=1, ward="a", env="b") + ",\n"
    )
    with pytest.raises(InputError, match=r":1: header field\(s\) 10 have no name"):
        open_source(blank, tmp_path / "t")


def test_consistently_short_rows_are_padded_with_a_warning(tmp_path: Path) -> None:
    """Every row one field short of the header: the last column reads as NULL, and we say so."""
    text = focus_text().replace("\n", ",\n").replace(",Tags,\n", ",Tags,Extra\n", 1)
    text = "\n".join(line.removesuffix(",") for line in text.split("\n"))
    src = open_source(write(tmp_path, "short.csv", text), tmp_path / "t")
    assert src.padded == ("Extra",)
    assert "every row has 9 fields but the header has 10" in src.warnings[0]


def test_one_short_row_is_an_error_naming_it(tmp_path: Path) -> None:
    """A single short row (a cut line) is not padded: its line and first missing column."""
    lines = focus_text(4).splitlines()
    lines[3] = ",".join(lines[3].split(",")[:6])
    path = write(tmp_path, "cut.csv", "\n".join(lines) + "\n")
    with pytest.raises(InputError) as e:
        ingest_one(tmp_path, path)
    assert (e.value.line, e.value.column) == (4, "BilledCost")
    assert "row has fewer fields than the header (found 6, expected 9)" in str(e.value)


def test_row_with_extra_fields(tmp_path: Path) -> None:
    """More fields than the header: probably an unquoted comma."""
    lines = focus_text(3).splitlines()
    lines[2] = lines[2].replace(",Usage,", ",Usage,1,", 1)
    with pytest.raises(InputError, match=r":3: row has more fields than the header \(found 10"):
        ingest_one(tmp_path, write(tmp_path, "extra.csv", "\n".join(lines) + "\n"))


def test_many_bad_values_report_the_first_and_count_the_rest(tmp_path: Path) -> None:
    """The first bad line is named; the others are counted, not hidden."""
    text = focus_text(5).replace(",Usage,200,", ",Usage,2OO,").replace(",Usage,400,", ",Usage,x,")
    with pytest.raises(InputError) as e:
        ingest_one(tmp_path, write(tmp_path, "bad.csv", text))
    message = str(e.value)
    assert message.startswith(f"{tmp_path / 'bad.csv'}:3: column 'BilledCost': not a number")
    assert "(found '2OO', expected a number" in message
    assert message.endswith("(and 1 more line with problems)")


def test_bad_date_message(tmp_path: Path) -> None:
    """A date that does not parse: file:line: column: what was found and what was expected."""
    text = focus_text().replace("2025-04-02T00:00:00Z", "2025/04/02 午前", 1)
    path = write(tmp_path, "date.csv", text)
    with pytest.raises(InputError) as e:
        ingest_one(tmp_path, path)
    assert str(e.value) == (
        f"{path}:2: column 'ChargePeriodStart': not a date-time (found '2025/04/02 午前', "
        "expected a date-time such as 2025-04-01T00:00:00Z)"
    )


def test_invalid_json_tags(tmp_path: Path) -> None:
    """A Tags cell that is not a JSON object is named with its line and value."""
    text = focus_text().replace('"{""ward"": ""setagaya"", ""env"": ""prod""}"', '"[1,2]"', 1)
    with pytest.raises(InputError, match=r":2: column 'Tags': not a JSON object \(found '\[1,2\]'"):
        ingest_one(tmp_path, write(tmp_path, "tags.csv", text))


def test_missing_required_value_names_line_and_column(tmp_path: Path) -> None:
    """An empty mandatory value (BillingCurrency) names the line and the lake column."""
    lines = focus_text(3).splitlines()
    lines[2] = lines[2].replace("acct-1,JPY,", "acct-1,,", 1)
    path = write(tmp_path, "nocur.csv", "\n".join(lines) + "\n")
    with pytest.raises(InputError) as e:
        ingest_one(tmp_path, path)
    assert (e.value.line, e.value.column) == (3, "BillingCurrency")


def test_mixed_line_endings_are_normalized_with_a_warning(tmp_path: Path) -> None:
    """CRLF lines and a final LF line (as in Azure's public sample) load; the warning says so."""
    lines = focus_text(3).splitlines()
    path = write(tmp_path, "mixed.csv", "\r\n".join(lines[:-1]) + "\r\n" + lines[-1] + "\n")
    ws = Workspace(tmp_path / "ws")
    result = ingest(ws, [path])
    assert result.units[0].rows_written == 3
    assert result.units[0].billed_written == 600.0
    assert any("mixed CRLF and LF line endings" in w for w in result.warnings)


def test_consistent_crlf_needs_no_normalizing(tmp_path: Path) -> None:
    """A CRLF file is read as is (no warning, no copy)."""
    path = write(tmp_path, "crlf.csv", focus_text(3).replace("\n", "\r\n"))
    result = ingest(Workspace(tmp_path / "ws"), [path])
    assert result.units[0].rows_written == 3 and result.warnings == []


def test_unclosed_quote_is_reported(tmp_path: Path) -> None:
    """A quote that never closes is an input error, not a traceback."""
    text = focus_text(3).replace(',Sakura,"{', ',Sakura,"{"', 1) + 'acct-1,"JPY\n'
    with pytest.raises(InputError) as e:
        ingest_one(tmp_path, write(tmp_path, "quote.csv", text))
    assert str(tmp_path / "quote.csv") in str(e.value)


# --- non-finite numbers (issue 14 item 3f) --------------------------------------------------
@pytest.mark.parametrize("value", ["NaN", "nan", "inf", "-inf", "Infinity", "1e999", "-1E999"])
def test_non_finite_number_names_file_line_and_column(tmp_path: Path, value: str) -> None:
    """DuckDB parses NaN / inf / 1e999 as DOUBLE; the ingest refuses them (exit 2)."""
    text = focus_text(3).replace(",Usage,200,", f",Usage,{value},")
    path = write(tmp_path, "nonfinite.csv", text)
    with pytest.raises(InputError) as e:
        ingest_one(tmp_path, path)
    assert (e.value.path, e.value.line, e.value.column) == (str(path), 3, "BilledCost")
    assert "not a finite number" in str(e.value) and e.value.exit_code == 2
    assert not (tmp_path / "ws" / "lake").exists()


def test_non_finite_number_in_parquet_is_refused(tmp_path: Path) -> None:
    """The same check on a Parquet source (float columns), naming the row."""
    import duckdb

    csv_path = write(tmp_path, "ok.csv", focus_text(3))
    pq_path = tmp_path / "nonfinite.parquet"
    duckdb.sql(
        f"COPY (SELECT * REPLACE (CASE WHEN BilledCost = 300 THEN 'inf'::DOUBLE ELSE BilledCost "
        f"END AS BilledCost) FROM read_csv('{csv_path}', columns = {{'BillingAccountId': "
        "'VARCHAR', 'BillingCurrency': 'VARCHAR', 'BillingPeriodStart': 'VARCHAR', "
        "'ChargePeriodStart': 'VARCHAR', 'ChargePeriodEnd': 'VARCHAR', 'ChargeCategory': "
        "'VARCHAR', 'BilledCost': 'DOUBLE', 'ProviderName': 'VARCHAR', 'Tags': 'VARCHAR'}, "
        f"header = true)) TO '{pq_path}' (FORMAT parquet)"
    )
    with pytest.raises(InputError) as e:
        ingest_one(tmp_path, pq_path)
    assert (e.value.line, e.value.column) == (4, "BilledCost")
    assert "not a finite number (found inf" in str(e.value)


# --- zero-cost rows without currency, any adapter (issue 14 item 3a) -----------------------
def test_zero_cost_row_without_currency_takes_the_account_currency_in_any_format(
    tmp_path: Path,
) -> None:
    """A FOCUS file: the zero-cost row without BillingCurrency takes JPY (same account and
    period); the lake's totals are unchanged."""
    lines = focus_text(3).splitlines()
    lines[2] = lines[2].replace("acct-1,JPY,", "acct-1,,", 1).replace(",Usage,200,", ",Usage,0,")
    ws = ingest_one(tmp_path, write(tmp_path, "zero.csv", "\n".join(lines) + "\n"))
    import duckdb

    got = duckdb.sql(
        f"SELECT BillingCurrency, BilledCost FROM read_parquet('{ws.root}/lake/**/*.parquet') "
        "ORDER BY x_SourceRow"
    ).fetchall()
    assert got == [("JPY", 100.0), ("JPY", 0.0), ("JPY", 300.0)]


def test_zero_cost_row_of_an_account_with_two_currencies_stays_an_error(tmp_path: Path) -> None:
    """No single currency to take (the account bills in JPY and USD): the row is named."""
    lines = focus_text(4).splitlines()
    lines[2] = lines[2].replace("acct-1,JPY,", "acct-1,,", 1).replace(",Usage,200,", ",Usage,0,")
    lines[3] = lines[3].replace("acct-1,JPY,", "acct-1,USD,", 1)
    with pytest.raises(InputError) as e:
        ingest_one(tmp_path, write(tmp_path, "two.csv", "\n".join(lines) + "\n"))
    assert (e.value.line, e.value.column) == (3, "BillingCurrency")
