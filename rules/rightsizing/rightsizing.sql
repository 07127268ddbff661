/* ---
id: rightsizing
title: Instances larger than their load, or on an older generation
title_ja: 負荷に比べて大きすぎる、または旧世代のインスタンス
category: rightsizing
providers: [aws]
cost_basis: EffectiveCost
confidence: medium
requires: [metrics]
rationale: |
  From utilization metrics over the lookback window (default 14 days, as AWS Compute Optimizer),
  the rule takes the 99th percentile of hourly CPU (the hourly Maximum where the export has it,
  else the Average) and, where present, the maximum memory utilization. It then walks down the
  size ladder of the same family (xlarge → large …) and keeps the smallest size whose projected
  utilization (utilization × current size / new size) stays at or below 100% minus a 20% headroom
  (Compute Optimizer's default CPU and memory headroom). Within a family, on-demand prices are
  proportional to the size's normalization factor (each step halves the price), so the saving is
  cost × (1 − new factor / current factor); evidence says price_basis = size_ladder. With memory
  measured the confidence is high, with CPU only medium. Burstable (t*) and bare-metal sizes are
  left out. Instances on a previous-generation family (default t2, m3, m4, as the Steampipe AWS
  Thrifty control) get a move to the current family at the CID assumption of 5% saving.
  Instances without metrics are listed as skipped: the bill alone does not show utilization.
rationale_ja: |
  メトリクス (既定 14 日) から時間単位 CPU 使用率の 99 パーセンタイルと、あればメモリ使用率の最大値を求め、
  同じファミリーで一段ずつ小さいサイズ (価格は半分ずつ) を試し、予測使用率が 80% (余裕 20%) 以下に収まる
  最小サイズを推奨します。削減額は 費用 × (1 − 新サイズ係数 / 現サイズ係数)。メモリを測っていれば確度
  高、CPU のみなら中。旧世代 (t2, m3, m4) は現行世代への移行を 5% 削減として示します。メトリクスのない
  インスタンスは「判定不可」として示します。
sources:
  - "AWS Compute Optimizer CPU/memory headroom 20% and lookback 14 days: https://docs.aws.amazon.com/compute-optimizer/latest/APIReference/API_CustomizableMetricParameters.html"
  - "EC2 instance size flexibility normalization factors (nano 0.25 … 48xlarge 384): https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/apply_ri.html"
  - "Steampipe AWS Thrifty control ec2_instance_older_generation (t2, m3, m4): https://hub.steampipe.io/mods/turbot/aws_thrifty/controls/control.ec2_instance_older_generation"
  - "AWS CID kpi_instance_all_view.sql: previous-generation potential saving 5% (peers.md §2.7)"
parameters:
  lookback_days:
    default: 14
    type: integer
    min: 1
    max: 93
    unit: days
    description: Days of metrics and bill before as_of to read
    description_ja: 読み込む期間 (日)
    source: "AWS Compute Optimizer default lookBackPeriod DAYS_14"
  cpu_percentile:
    default: 0.99
    type: number
    min: 0.5
    max: 1
    unit: quantile
    description: Percentile of hourly CPU used as the instance's need
    description_ja: 必要 CPU とみなす時間単位 CPU 使用率のパーセンタイル
    source: "AWS Compute Optimizer CPU thresholds P99_5 / P95 / P90 (issue #3: p95/p99)"
  cpu_headroom:
    default: 0.20
    type: number
    min: 0
    max: 0.9
    unit: ratio
    description: Projected CPU must stay at or below 100% minus this headroom
    description_ja: 縮小後の CPU 使用率予測が 100% − この余裕 以下であること
    source: "AWS Compute Optimizer default CPU headroom PERCENT_20"
  memory_headroom:
    default: 0.20
    type: number
    min: 0
    max: 0.9
    unit: ratio
    description: Projected maximum memory must stay at or below 100% minus this headroom
    description_ja: 縮小後のメモリ使用率予測が 100% − この余裕 以下であること
    source: "AWS Compute Optimizer default memory headroom 20%"
  min_metric_hours:
    default: 30
    type: integer
    min: 1
    unit: hours
    description: Hours with CPU data needed before judging an instance
    description_ja: 判定に必要な CPU データの時間数
    source: "AWS Compute Optimizer requirements: at least 30 hours of metric data in 14 days"
  previous_generation_families:
    default: [t2, m3, m4]
    type: list
    description: Instance families counted as previous generation
    description_ja: 旧世代とみなすインスタンスファミリー
    source: "Steampipe AWS Thrifty control ec2_instance_older_generation"
  previous_generation_saving:
    default: 0.05
    type: number
    min: 0
    max: 1
    unit: ratio
    description: Assumed saving of moving to the current generation
    description_ja: 現行世代へ移行した場合の想定削減率
    source: "AWS CID kpi_instance_all_view.sql (previous generation potential savings 5%)"
  min_monthly_savings:
    default: 1000
    type: number
    min: 0
    unit: JPY
    description: Ignore findings that would save less than this per month (applied by the engine)
    description_ja: 月額削減見込みがこの額未満の検出は出力しない
    source: "gcfinops default noise floor"
skip_reasons:
  no_metrics:
    en: "{resource_id}: no CPU metrics (at least {min_metric_hours} hours) in the window, so its size cannot be judged; ingest CloudWatch metrics with `gcfinops ingest-metrics`"
    ja: "{resource_id}: 期間内の CPU メトリクス ({min_metric_hours} 時間以上) がないためサイズを判定できません。`gcfinops ingest-metrics` で取り込んでください"
recommendation: "Change {resource_id} from {instance_type} to {target_type}: saves {monthly_savings_yen}/month ({reason_en})"
recommendation_ja: "{resource_id} を {instance_type} から {target_type} に変更: 月額 {monthly_savings_yen} の削減 ({reason_ja})"
--- */
WITH
win AS (
    SELECT $as_of - $lookback_days * INTERVAL '1 day' AS window_start, $as_of AS window_end
),
-- Normalization factors of EC2 sizes; price within a family is proportional to them.
sizes (size, factor) AS (
    VALUES ('nano', 0.25), ('micro', 0.5), ('small', 1.0), ('medium', 2.0), ('large', 4.0),
           ('xlarge', 8.0), ('2xlarge', 16.0), ('3xlarge', 24.0), ('4xlarge', 32.0),
           ('6xlarge', 48.0), ('8xlarge', 64.0), ('9xlarge', 72.0), ('10xlarge', 80.0),
           ('12xlarge', 96.0), ('16xlarge', 128.0), ('18xlarge', 144.0), ('24xlarge', 192.0),
           ('32xlarge', 256.0), ('48xlarge', 384.0)
),
-- Sizes recommended as targets: the halving ladder every current family has.
targets (size, factor) AS (
    VALUES ('large', 4.0), ('xlarge', 8.0), ('2xlarge', 16.0), ('4xlarge', 32.0),
           ('8xlarge', 64.0), ('16xlarge', 128.0)
),
successors (family, successor) AS (
    VALUES ('t1', 't3'), ('t2', 't3'), ('m1', 'm5'), ('m2', 'r5'), ('m3', 'm5'), ('m4', 'm5'),
           ('c1', 'c5'), ('c3', 'c5'), ('c4', 'c5'), ('r3', 'r5'), ('r4', 'r5'), ('i2', 'i3')
),
lines AS (
    SELECT l.*
    FROM lake AS l CROSS JOIN win
    WHERE l.ChargePeriodStart >= win.window_start AND l.ChargePeriodStart < win.window_end
      AND l.ChargeCategory = 'Usage' AND l.ResourceId IS NOT NULL
      AND l.x_InstanceType IS NOT NULL
      AND l.ServiceCategory IN ('Compute', 'Databases')
),
inst AS (
    SELECT ResourceId, ProviderName, BillingCurrency,
        max(BillingAccountId) AS billing_account_id, max(SubAccountId) AS sub_account_id,
        max(RegionId) AS region, max(x_Ward) AS ward, max(x_BusinessSystem) AS business_system,
        max(x_Environment) AS environment, max(ResourceName) AS resource_name,
        max(ServiceName) AS service_name,
        max_by(x_InstanceType, ChargePeriodStart) AS instance_type,
        sum(EffectiveCost) AS window_cost,
        greatest(date_diff('second', min(ChargePeriodStart), max(ChargePeriodEnd)) / 3600.0, 1.0)
            AS observed_hours
    FROM lines
    GROUP BY ResourceId, ProviderName, BillingCurrency
),
typed AS (
    SELECT i.*,
        regexp_replace(i.instance_type, '\.[^.]+$', '') AS family,
        regexp_extract(i.instance_type, '[^.]+$', 0) AS size,
        regexp_extract(regexp_replace(i.instance_type, '\.[^.]+$', ''), '[^.]+$', 0) AS base_family
    FROM inst AS i
),
cpu AS (
    SELECT lower(m.resource_id) AS rid, m.statistic, date_trunc('hour', m.timestamp) AS hour,
        max(m.value) AS v
    FROM metrics AS m CROSS JOIN win
    WHERE m.metric = 'cpu_utilization' AND m.statistic IN ('average', 'maximum')
      AND m.timestamp >= win.window_start AND m.timestamp < win.window_end
    GROUP BY 1, 2, 3
),
cpu_stats AS (
    SELECT rid, statistic, count(*) AS cpu_hours,
        percentile_cont($cpu_percentile) WITHIN GROUP (ORDER BY v) AS cpu_need
    FROM cpu GROUP BY rid, statistic
),
cpu_best AS (  -- prefer the hourly Maximum; fall back to the Average
    SELECT rid, max_by(statistic, CASE statistic WHEN 'maximum' THEN 2 ELSE 1 END) AS cpu_statistic,
        max_by(cpu_need, CASE statistic WHEN 'maximum' THEN 2 ELSE 1 END) AS cpu_need,
        max_by(cpu_hours, CASE statistic WHEN 'maximum' THEN 2 ELSE 1 END) AS cpu_hours
    FROM cpu_stats GROUP BY rid
),
mem AS (
    SELECT lower(m.resource_id) AS rid, max(m.value) AS mem_max, count(*) AS mem_points
    FROM metrics AS m CROSS JOIN win
    WHERE m.metric = 'memory_utilization'
      AND m.timestamp >= win.window_start AND m.timestamp < win.window_end
    GROUP BY 1
),
measured AS (
    SELECT t.*, s.factor AS current_factor, c.cpu_statistic, c.cpu_need, c.cpu_hours,
        mm.mem_max,
        (t.base_family LIKE 't%' AND regexp_matches(t.base_family, '^t[0-9]')) AS burstable
    FROM typed AS t
    LEFT JOIN sizes AS s ON s.size = t.size
    LEFT JOIN cpu_best AS c ON c.rid = lower(t.ResourceId)
    LEFT JOIN mem AS mm ON mm.rid = lower(t.ResourceId)
),
downsize AS (
    SELECT m.ResourceId, m.ProviderName, m.BillingCurrency,
        min(g.factor) AS target_factor
    FROM measured AS m
    JOIN targets AS g ON g.factor < m.current_factor
    WHERE m.cpu_hours >= $min_metric_hours AND NOT m.burstable
      AND m.cpu_need * m.current_factor / g.factor <= 100.0 * (1 - $cpu_headroom)
      AND (m.mem_max IS NULL OR m.mem_max * m.current_factor / g.factor
           <= 100.0 * (1 - $memory_headroom))
    GROUP BY m.ResourceId, m.ProviderName, m.BillingCurrency
),
candidates AS (
    SELECT m.*, 'downsize' AS kind, m.family || '.' || g.size AS target_type,
        1 - d.target_factor / m.current_factor AS saving_ratio,
        CASE WHEN m.mem_max IS NOT NULL THEN 'high' ELSE 'medium' END AS conf,
        'size_ladder' AS price_basis
    FROM measured AS m
    JOIN downsize AS d USING (ResourceId, ProviderName, BillingCurrency)
    JOIN targets AS g ON g.factor = d.target_factor
    UNION ALL
    SELECT m.*, 'previous_generation', replace(m.instance_type, m.base_family || '.',
        s.successor || '.'), $previous_generation_saving, 'medium',
        'assumed_ratio'
    FROM measured AS m
    JOIN successors AS s ON s.family = m.base_family
    WHERE list_contains($previous_generation_families, m.base_family)
    UNION ALL
    SELECT m.*, 'no_metrics', NULL, NULL, 'low', NULL
    FROM measured AS m
    WHERE coalesce(m.cpu_hours, 0) < $min_metric_hours
      AND m.current_factor IS NOT NULL AND NOT m.burstable  -- sizes the ladder could judge
)
SELECT
    c.ResourceId AS resource_id, c.ProviderName AS provider,
    c.billing_account_id, c.sub_account_id, c.region, c.ward, c.business_system, c.environment,
    c.resource_name, c.service_name,
    c.BillingCurrency AS billing_currency,
    c.window_cost * 730.0 / c.observed_hours AS current_monthly_cost,
    c.window_cost * 730.0 / c.observed_hours * c.saving_ratio AS estimated_monthly_savings,
    win.window_start AS lookback_start, win.window_end AS lookback_end,
    CASE WHEN c.kind = 'no_metrics' THEN 'skipped' ELSE 'finding' END AS status,
    CASE WHEN c.kind = 'no_metrics' THEN 'no_metrics' END AS skip_reason,
    c.conf AS confidence,
    c.instance_type, c.target_type,
    CASE c.kind
        WHEN 'downsize' THEN 'CPU p' || CAST(round($cpu_percentile * 100) AS INTEGER) || ' '
            || CAST(round(c.cpu_need, 1) AS VARCHAR) || '%'
            || coalesce(', memory max ' || CAST(round(c.mem_max, 1) AS VARCHAR) || '%', '')
            || ' → about ' || CAST(round(c.cpu_need / (1 - c.saving_ratio)) AS INTEGER)
            || '% CPU after'
        ELSE 'previous generation; assumed ' || CAST(round(c.saving_ratio * 100) AS INTEGER)
            || '% cheaper' END AS reason_en,
    CASE c.kind
        WHEN 'downsize' THEN 'CPU p' || CAST(round($cpu_percentile * 100) AS INTEGER) || ' '
            || CAST(round(c.cpu_need, 1) AS VARCHAR) || '%'
            || coalesce('、メモリ最大 ' || CAST(round(c.mem_max, 1) AS VARCHAR) || '%', '')
            || ' → 変更後 CPU 約 ' || CAST(round(c.cpu_need / (1 - c.saving_ratio)) AS INTEGER)
            || '%'
        ELSE '旧世代。想定削減率 ' || CAST(round(c.saving_ratio * 100) AS INTEGER) || '%' END
        AS reason_ja,
    {
        'kind': c.kind,
        'instance_type': c.instance_type,
        'target_type': c.target_type,
        'current_factor': c.current_factor,
        'saving_ratio': c.saving_ratio,
        'price_basis': c.price_basis,
        'cpu_statistic': c.cpu_statistic,
        'cpu_percentile': $cpu_percentile,
        'cpu_need_percent': round(c.cpu_need, 2),
        'cpu_hours': c.cpu_hours,
        'memory_max_percent': round(c.mem_max, 2),
        'cpu_headroom': $cpu_headroom,
        'memory_headroom': $memory_headroom,
        'window_cost': c.window_cost,
        'observed_hours': c.observed_hours,
        'monthly_hours': 730
    } AS evidence
FROM candidates AS c CROSS JOIN win
