/* ---
id: untagged-cost
title: Cost that cannot be allocated to a ward, business system or environment
title_ja: 区・業務・環境に配賦できない費用
category: hygiene
providers: [aws, azure, gcp, oci, sakura]
cost_basis: EffectiveCost
confidence: high
rationale: |
  Allocation is what makes every other report possible: a cost without a ward (x_Ward), one of
  the 20 business systems (x_BusinessSystem) or an environment (x_Environment) cannot be put in a
  ward's report or judged as production or not. Allocation comes from tags and, failing that,
  from the account map in gcfinops.toml. The rule lists every resource with usage cost in the
  window that misses one of the three, and, for usage lines without a resource id, one row per
  account and service. Each row's evidence gives the unallocated share of its account and service.
  There is no direct saving (estimated_monthly_savings = 0): the fix is a tag or an account-map
  entry. Taxes, credits and commitment purchases are not usage and are left out.
rationale_ja: |
  区 (x_Ward)・標準化 20 業務 (x_BusinessSystem)・環境 (x_Environment) のいずれかが決まらない利用料を、
  リソースごと (リソース ID のない明細はアカウント×サービスごと) に示します。根拠にはそのアカウント×
  サービスの未配賦割合を含めます。直接の削減額はなく、タグ付けか gcfinops.toml のアカウント対応表で解消します。
sources:
  - "FinOps Foundation FOCUS 1.2 Tags column and allocation (shared/reference/formats.md §1.3)"
  - "AWS CID and CloudQuery cost policy 'untagged resources' models (peers.md §2.7, §2.14)"
  - "docs/allocation.md (gcfinops tag keys and account map)"
parameters:
  lookback_days:
    default: 30
    type: integer
    min: 1
    max: 366
    unit: days
    description: Days of bill before as_of to read
    description_ja: 読み込む請求期間 (日)
    source: "one billing month"
  min_monthly_cost:
    default: 100
    type: number
    min: 0
    unit: JPY
    description: Ignore resources whose unallocated cost is below this per month (applied by the engine)
    description_ja: 未配賦の月額費用がこの額未満のリソースは出力しない
    source: "gcfinops default noise floor"
recommendation: "Add the tag(s) {missing_en} to {what_en} (or map its account in gcfinops.toml): {monthly_cost_yen}/month unallocated, {share_pct:.1f}% of {service_label}"
recommendation_ja: "{what_ja} に {missing_ja} のタグを付与 (または gcfinops.toml のアカウント対応表に追加): 月額 {monthly_cost_yen} が未配賦 ({service_label} の {share_pct:.1f}%)"
--- */
WITH
win AS (
    SELECT $as_of - $lookback_days * INTERVAL '1 day' AS window_start, $as_of AS window_end,
        $lookback_days * 24.0 AS window_hours
),
lines AS (
    SELECT l.*
    FROM lake AS l CROSS JOIN win
    WHERE l.ChargePeriodStart >= win.window_start AND l.ChargePeriodStart < win.window_end
      AND l.ChargeCategory = 'Usage'
),
acct_service AS (
    SELECT SubAccountId, ServiceName, BillingCurrency,
        sum(EffectiveCost) AS total_cost,
        sum(EffectiveCost) FILTER (WHERE x_Ward IS NULL OR x_BusinessSystem IS NULL
            OR x_Environment IS NULL) AS unallocated_cost
    FROM lines
    GROUP BY SubAccountId, ServiceName, BillingCurrency
),
groups AS (
    SELECT ResourceId, ProviderName, BillingCurrency, SubAccountId, ServiceName,
        max(BillingAccountId) AS billing_account_id, max(RegionId) AS region,
        max(x_Ward) AS ward, max(x_BusinessSystem) AS business_system,
        max(x_Environment) AS environment, max(ResourceName) AS resource_name,
        bool_or(x_Ward IS NULL) AS no_ward,
        bool_or(x_BusinessSystem IS NULL) AS no_system,
        bool_or(x_Environment IS NULL) AS no_environment,
        bool_or(Tags IS NOT NULL) AS has_tags,
        sum(EffectiveCost) AS unallocated
    FROM lines
    WHERE x_Ward IS NULL OR x_BusinessSystem IS NULL OR x_Environment IS NULL
    GROUP BY ResourceId, ProviderName, BillingCurrency, SubAccountId, ServiceName
)
SELECT
    g.ResourceId AS resource_id, g.ProviderName AS provider,
    g.billing_account_id, g.SubAccountId AS sub_account_id, g.region,
    g.ward, g.business_system, g.environment, g.resource_name, g.ServiceName AS service_name,
    g.BillingCurrency AS billing_currency,
    g.unallocated * 730.0 / win.window_hours AS current_monthly_cost,
    0.0 AS estimated_monthly_savings,
    win.window_start AS lookback_start, win.window_end AS lookback_end,
    coalesce(g.ResourceId, 'usage without a resource id in account '
        || coalesce(g.SubAccountId, '?') || ' / ' || coalesce(g.ServiceName, '?')) AS what_en,
    coalesce(g.ResourceId, 'アカウント ' || coalesce(g.SubAccountId, '?') || ' / '
        || coalesce(g.ServiceName, '?') || ' のリソース ID のない利用料') AS what_ja,
    concat_ws(', ', CASE WHEN g.no_ward THEN 'ward' END, CASE WHEN g.no_system THEN 'system' END,
        CASE WHEN g.no_environment THEN 'env' END) AS missing_en,
    concat_ws('・', CASE WHEN g.no_ward THEN '区 (ward)' END,
        CASE WHEN g.no_system THEN '業務 (system)' END,
        CASE WHEN g.no_environment THEN '環境 (env)' END) AS missing_ja,
    coalesce(g.SubAccountId, '?') || ' / ' || coalesce(g.ServiceName, '?') AS service_label,
    100.0 * a.unallocated_cost / nullif(a.total_cost, 0) AS share_pct,
    {
        'missing_ward': g.no_ward,
        'missing_business_system': g.no_system,
        'missing_environment': g.no_environment,
        'has_tags': g.has_tags,
        'unallocated_window_cost': g.unallocated,
        'account_service_cost': a.total_cost,
        'account_service_unallocated_cost': a.unallocated_cost,
        'account_service_unallocated_share': round(a.unallocated_cost / nullif(a.total_cost, 0), 4),
        'window_hours': win.window_hours,
        'monthly_hours': 730
    } AS evidence
FROM groups AS g
JOIN acct_service AS a
  ON a.SubAccountId IS NOT DISTINCT FROM g.SubAccountId
 AND a.ServiceName IS NOT DISTINCT FROM g.ServiceName
 AND a.BillingCurrency = g.BillingCurrency
CROSS JOIN win
