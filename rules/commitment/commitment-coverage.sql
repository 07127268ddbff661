/* ---
id: commitment-coverage
title: Steady production compute not covered by a commitment
title_ja: 常時稼働の本番環境でコミットメント割引が未適用
category: commitment
providers: [aws, azure, gcp, oci]
cost_basis: EffectiveCost
confidence: medium
rationale: |
  Production instances and databases that ran (almost) every hour of the window are the safest
  use of a Savings Plan, reserved instance or committed use discount. The rule measures, per
  resource, the hours it ran and the hours covered by a commitment (FOCUS CommitmentDiscountId
  set, or PricingCategory Committed). When coverage is below the target, the saving is the
  uncovered on-demand cost times an assumed discount of 20%, the commitment potential AWS CID
  uses for compute, RDS, ElastiCache, OpenSearch and Redshift. Evidence also gives the coverage
  of the whole account, since commitments apply across resources. A 1- or 3-year commitment is a
  budget decision (債務負担行為 for multi-year contracts): the finding is a candidate, not an order.
rationale_ja: |
  期間中ほぼ毎時間稼働した本番のインスタンス・データベースについて、Savings Plans・リザーブド
  インスタンス・確約利用割引の適用時間の割合を求め、目標未満なら未適用のオンデマンド費用 × 想定割引率 20%
  (AWS CID の想定) を削減見込みとします。複数年契約は債務負担行為などの予算手続が必要なため、候補として示します。
sources:
  - "AWS CID kpi_instance_all_view.sql: commitment potential savings 20% of on-demand amortized cost (peers.md §2.7)"
  - "FOCUS 1.2 CommitmentDiscountId / PricingCategory 'Committed' (shared/reference/formats.md §1.3-1.4)"
  - "AWS Savings Plans: https://docs.aws.amazon.com/savingsplans/latest/userguide/what-is-savings-plans.html"
parameters:
  lookback_days:
    default: 30
    type: integer
    min: 7
    max: 366
    unit: days
    description: Days of bill before as_of to read
    description_ja: 読み込む請求期間 (日)
    source: "Azure Advisor sizes reservations on the last 30 days (peers.md §2.10)"
  min_running_share:
    default: 0.95
    type: number
    min: 0
    max: 1
    unit: ratio
    description: A resource is steady when it ran at least this share of the window's hours
    description_ja: 期間の時間数のうちこの割合以上稼働していれば常時稼働とみなす
    source: "gcfinops default for '24x7' (issue #3): allows maintenance stops of about 1.5 days a month"
  target_coverage:
    default: 0.9
    type: number
    min: 0
    max: 1
    unit: ratio
    description: Fire when less than this share of the resource's hours is covered
    description_ja: 割引適用時間の割合がこの値未満なら検出
    source: "gcfinops default (no peer default found): a resource already 90% covered is left alone"
  assumed_discount:
    default: 0.2
    type: number
    min: 0
    max: 1
    unit: ratio
    description: Assumed discount of a commitment on the uncovered on-demand cost
    description_ja: コミットメント割引の想定割引率
    source: "AWS CID kpi_instance_all_view.sql (compute_commit_potential_savings = 20%)"
  min_monthly_savings:
    default: 1000
    type: number
    min: 0
    unit: JPY
    description: Ignore findings that would save less than this per month (applied by the engine)
    description_ja: 月額削減見込みがこの額未満の検出は出力しない
    source: "gcfinops default noise floor"
recommendation: "Cover {resource_id} ({instance_type}, production, running {running_pct:.0f}% of hours, {covered_pct:.0f}% covered) with a Savings Plan or reservation: saves about {monthly_savings_yen}/month at a {discount_pct:.0f}% discount"
recommendation_ja: "{resource_id} ({instance_type}、本番、稼働率 {running_pct:.0f}%、割引適用 {covered_pct:.0f}%) に Savings Plans / リザーブドインスタンスを適用: 割引率 {discount_pct:.0f}% として月額約 {monthly_savings_yen} の削減"
--- */
WITH
win AS (
    SELECT $as_of - $lookback_days * INTERVAL '1 day' AS window_start, $as_of AS window_end,
        $lookback_days * 24.0 AS window_hours
),
lines AS (
    SELECT l.*,
        CASE WHEN l.ConsumedUnit = 'Hours' AND l.ConsumedQuantity IS NOT NULL
             THEN l.ConsumedQuantity
             ELSE date_diff('second', l.ChargePeriodStart, l.ChargePeriodEnd) / 3600.0 END
            AS run_hours,
        (l.CommitmentDiscountId IS NOT NULL OR l.PricingCategory = 'Committed') AS is_covered
    FROM lake AS l CROSS JOIN win
    WHERE l.ChargePeriodStart >= win.window_start AND l.ChargePeriodStart < win.window_end
      AND l.ChargeCategory = 'Usage' AND l.ResourceId IS NOT NULL
      AND l.x_InstanceType IS NOT NULL
      AND l.ServiceCategory IN ('Compute', 'Databases')
      AND l.x_Environment = 'prod'
      AND coalesce(l.PricingCategory, 'Standard') <> 'Dynamic'
),
res AS (
    SELECT ResourceId, ProviderName, BillingCurrency,
        max(BillingAccountId) AS billing_account_id, max(SubAccountId) AS sub_account_id,
        max(RegionId) AS region, max(x_Ward) AS ward, max(x_BusinessSystem) AS business_system,
        max(x_Environment) AS environment, max(ResourceName) AS resource_name,
        max(ServiceName) AS service_name,
        max_by(x_InstanceType, ChargePeriodStart) AS instance_type,
        sum(run_hours) AS running_hours,
        sum(run_hours) FILTER (WHERE is_covered) AS covered_hours,
        sum(EffectiveCost) AS window_cost,
        sum(EffectiveCost) FILTER (WHERE NOT is_covered) AS uncovered_cost
    FROM lines
    GROUP BY ResourceId, ProviderName, BillingCurrency
),
steady AS (
    SELECT r.*, r.running_hours / win.window_hours AS running_share,
        coalesce(r.covered_hours, 0) / r.running_hours AS covered_share
    FROM res AS r CROSS JOIN win
    WHERE r.running_hours >= $min_running_share * win.window_hours
),
account AS (
    SELECT sub_account_id, sum(coalesce(covered_hours, 0)) / sum(running_hours) AS account_coverage
    FROM steady GROUP BY sub_account_id
)
SELECT
    s.ResourceId AS resource_id, s.ProviderName AS provider,
    s.billing_account_id, s.sub_account_id, s.region, s.ward, s.business_system, s.environment,
    s.resource_name, s.service_name,
    s.BillingCurrency AS billing_currency,
    s.window_cost * 730.0 / win.window_hours AS current_monthly_cost,
    coalesce(s.uncovered_cost, 0) * 730.0 / win.window_hours * $assumed_discount
        AS estimated_monthly_savings,
    win.window_start AS lookback_start, win.window_end AS lookback_end,
    s.instance_type,
    s.running_share * 100 AS running_pct,
    s.covered_share * 100 AS covered_pct,
    $assumed_discount * 100 AS discount_pct,
    {
        'instance_type': s.instance_type,
        'running_hours': s.running_hours,
        'window_hours': win.window_hours,
        'running_share': round(s.running_share, 4),
        'covered_hours': coalesce(s.covered_hours, 0),
        'covered_share': round(s.covered_share, 4),
        'account_steady_coverage': round(a.account_coverage, 4),
        'uncovered_cost': coalesce(s.uncovered_cost, 0),
        'window_cost': s.window_cost,
        'assumed_discount': $assumed_discount,
        'monthly_hours': 730
    } AS evidence
FROM steady AS s
JOIN account AS a ON a.sub_account_id IS NOT DISTINCT FROM s.sub_account_id
CROSS JOIN win
WHERE s.covered_share < $target_coverage
