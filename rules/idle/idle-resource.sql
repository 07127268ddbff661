/* ---
id: idle-resource
title: Resources billed while doing nothing
title_ja: 何もしていないのに課金されているリソース
category: idle
providers: [aws]
cost_basis: EffectiveCost
confidence: medium
requires: [metrics]
rationale: |
  Four kinds of idle resource, each with the whole monthly cost as the saving (release or
  delete it). (1) Elastic IP addresses billed as idle (usage types ElasticIP:IdleAddress and
  PublicIPv4:IdleAddress): AWS itself says they are not attached to a running instance; Trusted
  Advisor's "Unassociated Elastic IP Addresses" check, Cloud Custodian releases them after 7 days.
  (2) EBS volumes in an account and Availability Zone where no EC2 instance ran at all during the
  window: a volume attaches only to an instance in its own AZ, so it was unattached or attached
  to a stopped instance (Trusted Advisor "Underutilized Amazon EBS Volumes" counts unattached
  volumes; Compute Optimizer checks attachment over 32 days). (3) Load balancers billed for hours
  with no LCU-hours and no processed bytes (Trusted Advisor "Idle Load Balancers"). (4) Instances
  whose utilization metrics show they do nothing: p95 of hourly CPU at most 3% (Azure Advisor's
  shutdown rule uses p95 of max CPU < 3%) and, where network metrics exist, at most 5 MB a day in
  and out (Trusted Advisor "Low Utilization Amazon EC2 Instances"), with at least 30 hours of
  data (Compute Optimizer's minimum). Instances without metrics are listed as skipped.
rationale_ja: |
  (1) アイドル状態の Elastic IP、(2) 同じアカウント・アベイラビリティゾーンで期間中に 1 時間も EC2 が
  稼働していない EBS ボリューム (接続先がないか停止中)、(3) 処理量ゼロのロードバランサー、(4) メトリクス
  上ほぼ使われていないインスタンス (CPU p95 3% 以下など) を検出し、月額費用の全額を削減見込みとします。
  メトリクスのないインスタンスは「判定不可」として示します。
sources:
  - "AWS Trusted Advisor cost optimization checks: https://docs.aws.amazon.com/awssupport/latest/user/cost-optimization-checks.html"
  - "AWS Compute Optimizer idle recommendations and requirements (30 hours of data in 14 days; EBS attachment over 32 days): https://docs.aws.amazon.com/compute-optimizer/latest/ug/requirements.html"
  - "Azure Advisor shutdown recommendation (p95 of max CPU < 3%): MicrosoftDocs/azure-docs articles/advisor/advisor-cost-recommendations.md"
  - "Cloud Custodian docs/source/aws/examples (EIP release after 7 days; unattached EBS after 30 days)"
  - "CUR usage types ElasticIP:IdleAddress, PublicIPv4:IdleAddress, EBS:VolumeUsage, LoadBalancerUsage, LCUUsage, DataProcessing-Bytes: shared/reference/formats.md §2.6"
parameters:
  lookback_days:
    default: 14
    type: integer
    min: 1
    max: 366
    unit: days
    description: Days of bill and metrics before as_of to read
    description_ja: 読み込む期間 (日)
    source: "AWS Compute Optimizer idle recommendations default lookback 14 days"
  min_idle_address_days:
    default: 7
    type: number
    min: 0
    unit: days
    description: Idle-address hours needed in the window (in days of 24 hours)
    description_ja: アイドル IP としての課金時間 (日数換算) の下限
    source: "Cloud Custodian eipgarbagecollect example: release after 7 days"
  idle_cpu_p95:
    default: 3.0
    type: number
    min: 0
    max: 100
    unit: percent
    description: An instance is idle when the 95th percentile of its hourly CPU is at most this
    description_ja: 時間単位 CPU 使用率の 95 パーセンタイルがこの値以下ならアイドル
    source: "Azure Advisor shutdown recommendation: p95 of max CPU < 3%"
  idle_network_mb_per_day:
    default: 5.0
    type: number
    min: 0
    unit: MB/day
    description: Where network metrics exist, at most this much in+out per day
    description_ja: ネットワークメトリクスがある場合の 1 日あたり送受信量の上限
    source: "AWS Trusted Advisor Low Utilization EC2 Instances: network I/O <= 5 MB per day"
  min_metric_hours:
    default: 30
    type: integer
    min: 1
    unit: hours
    description: Hours with CPU data needed before judging an instance
    description_ja: 判定に必要な CPU データの時間数
    source: "AWS Compute Optimizer requirements: at least 30 hours of metric data in 14 days"
  min_monthly_savings:
    default: 100
    type: number
    min: 0
    unit: JPY
    description: Ignore findings that would save less than this per month (applied by the engine)
    description_ja: 月額削減見込みがこの額未満の検出は出力しない
    source: "gcfinops default noise floor (an idle Elastic IP costs about ¥500 a month)"
skip_reasons:
  no_metrics:
    en: "{resource_id}: no CPU metrics in the window, so idleness cannot be judged; ingest CloudWatch (or Azure Monitor / Cloud Monitoring) metrics with `gcfinops ingest-metrics`"
    ja: "{resource_id}: 期間内の CPU メトリクスがないためアイドル判定できません。`gcfinops ingest-metrics` で取り込んでください"
recommendation: "{action_en} {resource_id}: saves {monthly_savings_yen}/month ({reason_en})"
recommendation_ja: "{resource_id} を{action_ja}: 月額 {monthly_savings_yen} の削減 ({reason_ja})"
--- */
WITH
win AS (
    SELECT $as_of - $lookback_days * INTERVAL '1 day' AS window_start, $as_of AS window_end
),
lines AS (
    SELECT l.*
    FROM lake AS l CROSS JOIN win
    WHERE l.ChargePeriodStart >= win.window_start AND l.ChargePeriodStart < win.window_end
      AND l.ChargeCategory = 'Usage' AND l.ResourceId IS NOT NULL
),
per_resource AS (
    SELECT ResourceId, ProviderName, BillingCurrency,
        max(BillingAccountId) AS billing_account_id, max(SubAccountId) AS sub_account_id,
        max(RegionId) AS region, max(AvailabilityZone) AS availability_zone,
        max(x_Ward) AS ward, max(x_BusinessSystem) AS business_system,
        max(x_Environment) AS environment, max(ResourceName) AS resource_name,
        max(ServiceName) AS service_name, max(x_InstanceType) AS instance_type,
        sum(EffectiveCost) AS window_cost,
        greatest(date_diff('second', min(ChargePeriodStart), max(ChargePeriodEnd)) / 3600.0, 1.0)
            AS observed_hours,
        sum(ConsumedQuantity) FILTER (WHERE x_UsageType LIKE '%ElasticIP:IdleAddress%'
            OR x_UsageType LIKE '%PublicIPv4:IdleAddress%') AS idle_address_hours,
        sum(EffectiveCost) FILTER (WHERE x_UsageType LIKE '%EBS:VolumeUsage%') AS volume_cost,
        sum(ConsumedQuantity) FILTER (WHERE x_UsageType LIKE '%LoadBalancerUsage%') AS lb_hours,
        sum(ConsumedQuantity) FILTER (WHERE x_UsageType LIKE '%LCUUsage%'
            OR x_UsageType LIKE '%DataProcessing-Bytes%') AS lb_traffic,
        count(*) FILTER (WHERE x_InstanceType IS NOT NULL AND ServiceCategory = 'Compute')
            AS instance_lines
    FROM lines
    GROUP BY ResourceId, ProviderName, BillingCurrency
),
instance_azs AS (
    SELECT DISTINCT SubAccountId, AvailabilityZone
    FROM lines
    WHERE x_InstanceType IS NOT NULL AND ServiceCategory = 'Compute'
),
cpu AS (
    SELECT lower(resource_id) AS rid, date_trunc('hour', m.timestamp) AS hour, avg(value) AS v
    FROM metrics AS m CROSS JOIN win
    WHERE m.metric = 'cpu_utilization' AND m.statistic = 'average'
      AND m.timestamp >= win.window_start AND m.timestamp < win.window_end
    GROUP BY 1, 2
),
cpu_stats AS (
    SELECT rid, count(*) AS cpu_hours,
        percentile_cont(0.95) WITHIN GROUP (ORDER BY v) AS cpu_p95, max(v) AS cpu_max
    FROM cpu GROUP BY rid
),
net AS (
    SELECT lower(resource_id) AS rid, date_trunc('day', m.timestamp) AS day, sum(value) AS bytes
    FROM metrics AS m CROSS JOIN win
    WHERE m.metric IN ('network_in_bytes', 'network_out_bytes') AND m.statistic = 'sum'
      AND m.timestamp >= win.window_start AND m.timestamp < win.window_end
    GROUP BY 1, 2
),
net_stats AS (SELECT rid, max(bytes) / 1000000.0 AS max_mb_per_day FROM net GROUP BY rid),
judged AS (
    SELECT r.*,
        CASE
            WHEN r.idle_address_hours >= $min_idle_address_days * 24 THEN 'idle_address'
            WHEN r.volume_cost > 0 AND r.instance_lines = 0 AND a.SubAccountId IS NULL
                 AND r.availability_zone IS NOT NULL THEN 'unattached_volume'
            WHEN r.lb_hours > 0 AND coalesce(r.lb_traffic, 0) = 0 THEN 'idle_load_balancer'
            WHEN r.instance_lines > 0 AND c.cpu_hours >= $min_metric_hours
                 AND c.cpu_p95 <= $idle_cpu_p95
                 AND coalesce(n.max_mb_per_day, 0) <= $idle_network_mb_per_day THEN 'idle_instance'
            WHEN r.instance_lines > 0 AND coalesce(c.cpu_hours, 0) < $min_metric_hours
                THEN 'no_metrics'
        END AS kind,
        c.cpu_hours, c.cpu_p95, c.cpu_max, n.max_mb_per_day
    FROM per_resource AS r
    LEFT JOIN instance_azs AS a
      ON a.SubAccountId = r.sub_account_id AND a.AvailabilityZone = r.availability_zone
    LEFT JOIN cpu_stats AS c ON c.rid = lower(r.ResourceId)
    LEFT JOIN net_stats AS n ON n.rid = lower(r.ResourceId)
)
SELECT
    j.ResourceId AS resource_id, j.ProviderName AS provider,
    j.billing_account_id, j.sub_account_id, j.region, j.ward, j.business_system, j.environment,
    j.resource_name, j.service_name,
    j.BillingCurrency AS billing_currency,
    j.window_cost * 730.0 / j.observed_hours AS current_monthly_cost,
    CASE WHEN j.kind = 'no_metrics' THEN NULL ELSE j.window_cost * 730.0 / j.observed_hours END
        AS estimated_monthly_savings,
    win.window_start AS lookback_start, win.window_end AS lookback_end,
    CASE WHEN j.kind = 'no_metrics' THEN 'skipped' ELSE 'finding' END AS status,
    CASE WHEN j.kind = 'no_metrics' THEN 'no_metrics' END AS skip_reason,
    CASE WHEN j.kind IN ('idle_address', 'unattached_volume') THEN 'high' ELSE 'medium' END
        AS confidence,
    CASE j.kind WHEN 'idle_address' THEN 'Release the idle Elastic IP'
                WHEN 'unattached_volume' THEN 'Snapshot and delete the unattached volume'
                WHEN 'idle_load_balancer' THEN 'Delete the idle load balancer'
                ELSE 'Stop or terminate the idle instance' END AS action_en,
    CASE j.kind WHEN 'idle_address' THEN '解放 (未使用の Elastic IP)'
                WHEN 'unattached_volume' THEN 'スナップショット取得後に削除 (未接続のボリューム)'
                WHEN 'idle_load_balancer' THEN '削除 (処理量ゼロのロードバランサー)'
                ELSE '停止または削除 (アイドルのインスタンス)' END AS action_ja,
    CASE j.kind
        WHEN 'idle_address' THEN 'billed as idle for '
            || CAST(round(j.idle_address_hours / 24.0, 1) AS VARCHAR) || ' days'
        WHEN 'unattached_volume' THEN 'no instance ran in ' || j.availability_zone
            || ' of account ' || coalesce(j.sub_account_id, '?') || ' in the window'
        WHEN 'idle_load_balancer' THEN 'no LCU-hours or processed bytes in the window'
        ELSE 'CPU p95 ' || CAST(round(j.cpu_p95, 1) AS VARCHAR) || '%' END AS reason_en,
    CASE j.kind
        WHEN 'idle_address' THEN CAST(round(j.idle_address_hours / 24.0, 1) AS VARCHAR)
            || '日分アイドル課金'
        WHEN 'unattached_volume' THEN '同じアカウントの ' || j.availability_zone
            || ' で期間中に稼働したインスタンスなし'
        WHEN 'idle_load_balancer' THEN '期間中の処理量ゼロ'
        ELSE 'CPU p95 ' || CAST(round(j.cpu_p95, 1) AS VARCHAR) || '%' END AS reason_ja,
    {
        'kind': j.kind,
        'idle_address_hours': j.idle_address_hours,
        'availability_zone': j.availability_zone,
        'load_balancer_hours': j.lb_hours,
        'load_balancer_traffic': j.lb_traffic,
        'instance_type': j.instance_type,
        'cpu_hours': j.cpu_hours,
        'cpu_p95': round(j.cpu_p95, 2),
        'cpu_max': round(j.cpu_max, 2),
        'network_max_mb_per_day': round(j.max_mb_per_day, 3),
        'window_cost': j.window_cost,
        'observed_hours': j.observed_hours,
        'monthly_hours': 730
    } AS evidence
FROM judged AS j CROSS JOIN win
WHERE j.kind IS NOT NULL
