"""Words and number formats of inspection outputs, Japanese by default, English with --lang en."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from gcfinops.inspection.tolerance import MINOR_DIGITS

LABELS: dict[str, dict[str, str]] = {
    "ja": {
        "title": "検収調書 (クラウド利用料)",
        "month": "対象月",
        "ward": "団体",
        "provider": "事業者",
        "billing_account": "請求アカウント",
        "invoice_id": "請求書番号",
        "currency": "通貨",
        "billed": "請求額",
        "recomputed": "再計算額 (公表単価 × 数量)",
        "recomputed.short": "再計算額",
        "difference": "差額",
        "result": "検収結果",
        "status.ok": "適合 (差額はすべて説明済み)",
        "status.unexplained": "不適合 (説明できない差額あり)",
        "cause.commitment": "コミットメント割引 (Savings Plans・RI・CUD)",
        "cause.negotiated": "契約・階層割引 (EDP・PPA・バンドル)",
        "cause.credit": "クレジット",
        "cause.tax": "消費税等",
        "cause.rounding": "端数処理",
        "cause.fx": "為替 (価格通貨と請求通貨)",
        "cause.unexplained": "説明できない差額",
        "services": "サービス別",
        "service": "サービス",
        "groups": "事業者・請求アカウント・請求書別",
        "unexplained_lines": "説明できない明細",
        "source_file": "元ファイル",
        "source_row": "行",
        "resource_id": "リソースID",
        "unit_price": "単価",
        "quantity": "数量",
        "pricing_unit": "単位",
        "sources": "元ファイルの SHA-256 (取込台帳より)",
        "rows": "明細数",
        "inspector": "検収者",
        "inspector_name": "氏名",
        "inspector_date": "検収日",
        "seal": "印",
        "invoice": "請求書との照合",
        "invoice_total": "請求書の金額 (税込)",
        "lake_total": "明細の合計 (税込)",
        "lake_excluding_tax": "うち税抜",
        "lake_tax": "うち消費税等",
        "basis": "算定基準",
        "basis.text": (
            "明細ごとに単価 × 数量を再計算し請求額と比較。差額は原因別に分類し、"
            "端数処理は明細ごとに"
            "{tol} {cur} 以内。単価のない明細 {n} 件は事業者の金額をそのまま採用。"
        ),
        "none": "なし",
        "more": "ほか {n} 件",
        "vendor.title": "事業者報告との照合",
        "vendor.reported": "報告額",
        "vendor.lake": "明細の合計",
        "vendor.scope": "区分",
    },
    "en": {
        "title": "Inspection record (cloud usage)",
        "month": "Month",
        "ward": "Municipality",
        "provider": "Provider",
        "billing_account": "Billing account",
        "invoice_id": "Invoice id",
        "currency": "Currency",
        "billed": "Billed",
        "recomputed": "Recomputed (list unit price × quantity)",
        "recomputed.short": "Recomputed",
        "difference": "Difference",
        "result": "Result",
        "status.ok": "Accepted (every difference explained)",
        "status.unexplained": "Not accepted (unexplained differences)",
        "cause.commitment": "Commitment discounts (Savings Plans, RIs, CUDs)",
        "cause.negotiated": "Negotiated and tier discounts (EDP, PPA, bundled)",
        "cause.credit": "Credits",
        "cause.tax": "Tax",
        "cause.rounding": "Rounding",
        "cause.fx": "Exchange rate (pricing vs billing currency)",
        "cause.unexplained": "Unexplained",
        "services": "By service",
        "service": "Service",
        "groups": "By provider, billing account and invoice",
        "unexplained_lines": "Unexplained lines",
        "source_file": "Source file",
        "source_row": "Row",
        "resource_id": "Resource id",
        "unit_price": "Unit price",
        "quantity": "Quantity",
        "pricing_unit": "Unit",
        "sources": "SHA-256 of the source files (from the ingest ledger)",
        "rows": "Lines",
        "inspector": "Inspector",
        "inspector_name": "Name",
        "inspector_date": "Date",
        "seal": "Seal",
        "invoice": "Against the invoice",
        "invoice_total": "Invoice total (tax incl.)",
        "lake_total": "Sum of lines (tax incl.)",
        "lake_excluding_tax": "of which excl. tax",
        "lake_tax": "of which tax",
        "basis": "Basis",
        "basis.text": (
            "Each line recomputed as unit price × quantity and compared with the billed amount; "
            "differences classified by cause; rounding up to {tol} {cur} per line. {n} lines "
            "without a unit price are taken at the provider's amount."
        ),
        "none": "none",
        "more": "{n} more",
        "vendor.title": "Vendor report check",
        "vendor.reported": "Reported",
        "vendor.lake": "Sum of lines",
        "vendor.scope": "Scope",
    },
}


def label(lang: str, key: str, **values: object) -> str:
    text = LABELS["en" if lang == "en" else "ja"][key]
    return text.format(**values) if values else text


def amount(value: Decimal, currency: str, lang: str) -> str:
    """An amount for display: rounded half-up to the currency's minor unit, △ for ja negatives."""
    digits = MINOR_DIGITS.get(currency.upper(), 2)
    q = value.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    if q == 0:
        q = abs(q)
    body = f"{abs(q):,.{digits}f}"
    if q < 0:
        return ("△" if lang != "en" else "-") + body
    return body
