/* ---
id: storage-class
title: Storage that would cost less in another class or could be deleted
title_ja: より安価なストレージクラスへの移行・削除候補
category: storage
providers: [aws, azure, gcp]
cost_basis: EffectiveCost
confidence: medium
rationale: |
  Five checks on storage lines of the bill. (1) EBS gp2 volumes: gp3 costs 20% less per GB-month
  at the same size; gp2's baseline IOPS (3 per GB, up to 16,000) beyond gp3's free 3,000 IOPS,
  and 125 MiB/s more throughput for gp2 volumes of 334 GiB or more (which sustain 250 MiB/s), are
  bought back at 6% and 50% of the gp3 GB-month price, the formula of AWS CID's
  kpi_ebs_storage_view (CID adds the throughput from 150 GB; below 334 GiB gp2 reaches 250 MiB/s
  only on burst credits, so gcfinops does not count it). (2) S3 Standard buckets with few requests per stored GB: move to
  Standard-IA or Glacier Instant Retrieval with a lifecycle rule; the saving is 30% of the storage
  cost, CID's kpi_s3_storage_view assumption. (3) EBS snapshots first billed more than a year ago
  (the age is at least the time since the first month the lake has them): CID counts snapshots
  older than a year as fully removable. (4) Premium SSD managed disks (Azure meters P1-P80) in
  non-production: Microsoft recommends Standard SSD for dev/test; the saving is an assumed 40%.
  (5) Azure Blob hot tier and Google Cloud Storage Standard with few read operations per stored
  GB: the cool / Nearline class, at the same 30% assumption as S3.
rationale_ja: |
  (1) EBS gp2 → gp3 (同容量で GB 単価 20% 安い。CID の計算式で IOPS・スループット分を加算)、(2) リクエストの
  少ない S3 Standard バケット → Standard-IA / Glacier Instant Retrieval (ストレージ費の 30%)、(3) 1 年以上前から
  課金されている EBS スナップショット → 削除、(4) 本番以外の Azure Premium SSD → Standard SSD、(5) 読み取り
  の少ない Azure Blob ホット層 / GCS Standard → クール層 / Nearline を検出します。
sources:
  - "AWS CID kpi_ebs_storage_view.sql (gp3 = 80% of gp2 storage; extra IOPS 6%, throughput 50% of the gp3 GB-month price); kpi_s3_storage_view.sql (S3 saving 0.3); kpi_ebs_snap_view.sql (snapshots > 1 year): aws-samples/aws-cudos-framework-deployment cid/builtin/core/data/queries/kpi/"
  - "Amazon EBS volume types, gp3 baseline 3,000 IOPS and 125 MiB/s: https://docs.aws.amazon.com/ebs/latest/userguide/general-purpose.html"
  - "Amazon S3 storage classes (Standard-IA, Glacier Instant Retrieval for infrequently accessed data): https://docs.aws.amazon.com/AmazonS3/latest/userguide/storage-class-intro.html"
  - "Azure managed disk types (Standard SSD for dev/test): https://learn.microsoft.com/en-us/azure/virtual-machines/disks-types"
  - "Azure Blob access tiers: https://learn.microsoft.com/en-us/azure/storage/blobs/access-tiers-overview ; Cloud Storage classes: https://cloud.google.com/storage/docs/storage-classes"
parameters:
  lookback_days:
    default: 30
    type: integer
    min: 1
    max: 366
    unit: days
    description: Days of bill before as_of to read
    description_ja: 読み込む請求期間 (日)
    source: "one billing month; CID KPI views read monthly data"
  gp3_storage_ratio:
    default: 0.8
    type: number
    min: 0
    max: 1
    unit: ratio
    description: gp3 GB-month price as a share of gp2's
    description_ja: gp2 に対する gp3 の GB 月単価の比
    source: "AWS CID kpi_ebs_storage_view.sql (storage always 20% cheaper); Amazon EBS pricing"
  gp3_iops_price_ratio:
    default: 0.06
    type: number
    min: 0
    unit: ratio
    description: Price of one extra gp3 IOPS-month as a share of one gp3 GB-month
    description_ja: gp3 追加 IOPS 1 単位の価格 (gp3 GB 月単価に対する比)
    source: "AWS CID kpi_ebs_storage_view.sql"
  gp3_throughput_price_ratio:
    default: 0.5
    type: number
    min: 0
    unit: ratio
    description: Price of one extra gp3 MiB/s-month as a share of one gp3 GB-month
    description_ja: gp3 追加スループット 1 MiB/s の価格 (gp3 GB 月単価に対する比)
    source: "AWS CID kpi_ebs_storage_view.sql"
  gp2_sustained_throughput_gb:
    default: 334
    type: number
    min: 0
    unit: GiB
    description: gp2 volumes this large sustain 250 MiB/s, so gp3 needs 125 MiB/s extra throughput
    description_ja: この容量以上の gp2 は 250 MiB/s を常時出せるため gp3 に 125 MiB/s を追加購入する
    source: "Amazon EBS gp2 throughput: 250 MiB/s regardless of burst credits from 334 GiB (https://docs.aws.amazon.com/ebs/latest/userguide/general-purpose.html); CID adds it from 150 GB"
  max_requests_per_gb_month:
    default: 1.0
    type: number
    min: 0
    unit: requests per GB-month
    description: Hot-tier object storage with at most this many requests per stored GB is cold
    description_ja: 保存 1 GB・1 か月あたりのリクエスト数がこの値以下なら低頻度アクセスとみなす
    source: "gcfinops default: Standard-IA charges a per-GB retrieval fee, so it pays only for data read less than about once a month (Amazon S3 pricing); no peer threshold"
  object_storage_saving_ratio:
    default: 0.3
    type: number
    min: 0
    max: 1
    unit: ratio
    description: Assumed saving of moving cold object storage to an infrequent-access class
    description_ja: 低頻度アクセスクラスへ移行した場合の想定削減率
    source: "AWS CID kpi_s3_storage_view.sql (s3 savings assumption 0.3)"
  max_snapshot_age_days:
    default: 365
    type: integer
    min: 1
    unit: days
    description: Snapshots billed for longer than this are deletion candidates
    description_ja: この日数を超えて課金されているスナップショットを削除候補とする
    source: "AWS CID kpi_ebs_snap_view.sql (snapshots older than 1 year fully removable)"
  premium_disk_saving_ratio:
    default: 0.4
    type: number
    min: 0
    max: 1
    unit: ratio
    description: Assumed saving of moving a non-production Premium SSD to Standard SSD
    description_ja: 本番以外の Premium SSD を Standard SSD にした場合の想定削減率
    source: "Azure Managed Disks pricing (e.g. P30 vs E30 of the same size); verify for your region"
  min_monthly_savings:
    default: 500
    type: number
    min: 0
    unit: JPY
    description: Ignore findings that would save less than this per month (applied by the engine)
    description_ja: 月額削減見込みがこの額未満の検出は出力しない
    source: "gcfinops default noise floor"
recommendation: "{action_en} ({reason_en}): saves {monthly_savings_yen}/month"
recommendation_ja: "{resource_id} を{action_ja} ({reason_ja}): 月額 {monthly_savings_yen} の削減"
--- */
WITH
win AS (
    SELECT $as_of - $lookback_days * INTERVAL '1 day' AS window_start, $as_of AS window_end
),
lines AS (
    -- meter: FOCUS leaves SkuMeter NULL where SkuId is (Azure EA and pay-as-you-go files);
    -- x_UsageType carries the same meter name there
    SELECT l.*, coalesce(l.SkuMeter, l.x_UsageType) AS meter
    FROM lake AS l CROSS JOIN win
    WHERE l.ChargePeriodStart >= win.window_start AND l.ChargePeriodStart < win.window_end
      AND l.ChargeCategory = 'Usage' AND l.ResourceId IS NOT NULL
),
per_resource AS (
    SELECT ResourceId, ProviderName, BillingCurrency,
        max(BillingAccountId) AS billing_account_id, max(SubAccountId) AS sub_account_id,
        max(RegionId) AS region, max(x_Ward) AS ward, max(x_BusinessSystem) AS business_system,
        max(x_Environment) AS environment, max(ResourceName) AS resource_name,
        max(ServiceName) AS service_name,
        greatest(date_diff('second', min(ChargePeriodStart), max(ChargePeriodEnd)) / 3600.0, 1.0)
            AS observed_hours,
        -- (1) gp2 volumes
        sum(EffectiveCost) FILTER (WHERE x_VolumeType = 'gp2'
            OR x_UsageType LIKE '%VolumeUsage.gp2') AS gp2_cost,
        sum(ConsumedQuantity) FILTER (WHERE x_VolumeType = 'gp2'
            OR x_UsageType LIKE '%VolumeUsage.gp2') AS gp2_gb_months,
        -- (2) S3 Standard
        sum(EffectiveCost) FILTER (WHERE x_StorageClass = 'STANDARD'
            AND x_ServiceCode = 'AmazonS3') AS s3_std_cost,
        sum(ConsumedQuantity) FILTER (WHERE x_StorageClass = 'STANDARD'
            AND x_ServiceCode = 'AmazonS3') AS s3_std_gb_months,
        sum(ConsumedQuantity) FILTER (WHERE x_ServiceCode = 'AmazonS3'
            AND x_UsageType LIKE '%Requests-Tier%') AS s3_requests,
        -- (3) snapshots
        sum(EffectiveCost) FILTER (WHERE x_UsageType LIKE '%EBS:SnapshotUsage%') AS snap_cost,
        -- (4) Azure Premium SSD managed disks
        sum(EffectiveCost) FILTER (WHERE regexp_matches(meter, '^P[0-9]+ (LRS|ZRS) Disk'))
            AS premium_disk_cost,
        max(meter) FILTER (WHERE regexp_matches(meter, '^P[0-9]+ (LRS|ZRS) Disk'))
            AS premium_meter,
        -- (5) Azure Blob hot tier / Cloud Storage Standard
        sum(EffectiveCost) FILTER (WHERE regexp_matches(meter, '^Hot .*Data Stored')
            OR (ProviderName LIKE 'Google%' AND meter LIKE 'Standard Storage%'))
            AS hot_cost,
        -- GB-months: Google meters storage in byte-seconds, priced in gibibyte months
        sum(CASE WHEN lower(PricingUnit) LIKE '%month%' THEN PricingQuantity
                 ELSE ConsumedQuantity END)
            FILTER (WHERE regexp_matches(meter, '^Hot .*Data Stored')
                OR (ProviderName LIKE 'Google%' AND meter LIKE 'Standard Storage%'))
            AS hot_gb_months,
        sum(ConsumedQuantity * CASE WHEN ConsumedUnit LIKE '%10K%' THEN 10000 ELSE 1 END)
            FILTER (WHERE meter LIKE '%Read Operations%' OR meter LIKE '%Class B Operations%')
            AS hot_reads
    FROM lines
    GROUP BY ResourceId, ProviderName, BillingCurrency
),
snap_age AS (  -- first month each snapshot appears anywhere in the lake
    SELECT ResourceId, min(ChargePeriodStart) AS first_billed
    FROM lake
    WHERE x_UsageType LIKE '%EBS:SnapshotUsage%' AND ChargeCategory = 'Usage'
      AND ChargePeriodStart < $as_of
    GROUP BY ResourceId
),
checks AS (
    SELECT r.*, 'gp2_to_gp3' AS kind, r.gp2_cost AS check_cost,
        r.gp2_gb_months * 730.0 / r.observed_hours AS size_gb,
        NULL AS requests_per_gb_month, CAST(NULL AS TIMESTAMPTZ) AS first_billed
    FROM per_resource AS r WHERE r.gp2_cost > 0
    UNION ALL
    SELECT r.*, 's3_standard_cold', r.s3_std_cost, r.s3_std_gb_months * 730.0 / r.observed_hours,
        coalesce(r.s3_requests, 0) / r.s3_std_gb_months, NULL
    FROM per_resource AS r
    WHERE r.s3_std_cost > 0 AND r.s3_std_gb_months > 0
      AND coalesce(r.s3_requests, 0) / r.s3_std_gb_months <= $max_requests_per_gb_month
    UNION ALL
    SELECT r.*, 'old_snapshot', r.snap_cost, NULL, NULL, a.first_billed
    FROM per_resource AS r JOIN snap_age AS a USING (ResourceId)
    WHERE r.snap_cost > 0
      AND date_diff('day', a.first_billed, $as_of) > $max_snapshot_age_days
    UNION ALL
    SELECT r.*, 'premium_disk_nonprod', r.premium_disk_cost, NULL, NULL, NULL
    FROM per_resource AS r
    WHERE r.premium_disk_cost > 0 AND r.environment IS NOT NULL AND r.environment <> 'prod'
    UNION ALL
    SELECT r.*, 'hot_tier_cold', r.hot_cost, r.hot_gb_months * 730.0 / r.observed_hours,
        coalesce(r.hot_reads, 0) / r.hot_gb_months, NULL
    FROM per_resource AS r
    WHERE r.hot_cost > 0 AND r.hot_gb_months > 0
      AND coalesce(r.hot_reads, 0) / r.hot_gb_months <= $max_requests_per_gb_month
),
priced AS (
    SELECT c.*, c.check_cost * 730.0 / c.observed_hours AS monthly_cost,
        CASE c.kind
            WHEN 'gp2_to_gp3' THEN
                c.check_cost * 730.0 / c.observed_hours * (1 - $gp3_storage_ratio)
                - (c.check_cost * 730.0 / c.observed_hours * $gp3_storage_ratio
                   / nullif(c.size_gb, 0))
                  * ($gp3_iops_price_ratio
                       * (least(greatest(3 * c.size_gb, 3000), 16000) - 3000)
                     + $gp3_throughput_price_ratio
                       * CASE WHEN c.size_gb >= $gp2_sustained_throughput_gb THEN 125 ELSE 0 END)
            WHEN 'old_snapshot' THEN c.check_cost * 730.0 / c.observed_hours
            WHEN 'premium_disk_nonprod' THEN
                c.check_cost * 730.0 / c.observed_hours * $premium_disk_saving_ratio
            ELSE c.check_cost * 730.0 / c.observed_hours * $object_storage_saving_ratio
        END AS saving
    FROM checks AS c
)
SELECT
    p.ResourceId AS resource_id, p.ProviderName AS provider,
    p.billing_account_id, p.sub_account_id, p.region, p.ward, p.business_system, p.environment,
    p.resource_name, p.service_name,
    p.BillingCurrency AS billing_currency,
    p.monthly_cost AS current_monthly_cost,
    greatest(p.saving, 0) AS estimated_monthly_savings,
    win.window_start AS lookback_start, win.window_end AS lookback_end,
    CASE WHEN p.kind IN ('gp2_to_gp3', 'old_snapshot') THEN 'high' ELSE 'medium' END
        AS confidence,
    CASE p.kind
        WHEN 'gp2_to_gp3' THEN 'Change ' || p.ResourceId || ' from gp2 to gp3'
        WHEN 's3_standard_cold' THEN 'Move ' || p.ResourceId
            || ' to S3 Standard-IA or Glacier Instant Retrieval with a lifecycle rule'
        WHEN 'old_snapshot' THEN 'Delete snapshot ' || p.ResourceId || ' if no longer needed'
        WHEN 'premium_disk_nonprod' THEN 'Change ' || p.ResourceId
            || ' from Premium SSD to Standard SSD'
        ELSE 'Move ' || p.ResourceId || ' to the cool (Azure) / Nearline (Google) class'
    END AS action_en,
    CASE p.kind
        WHEN 'gp2_to_gp3' THEN 'gp2 から gp3 に変更'
        WHEN 's3_standard_cold' THEN 'ライフサイクルルールで S3 標準-IA または Glacier Instant Retrieval に移行'
        WHEN 'old_snapshot' THEN '不要なら削除 (古いスナップショット)'
        WHEN 'premium_disk_nonprod' THEN 'Premium SSD から Standard SSD に変更'
        ELSE 'クール層 (Azure) / Nearline (Google) に移行'
    END AS action_ja,
    CASE p.kind
        WHEN 'gp2_to_gp3' THEN CAST(round(p.size_gb) AS BIGINT) || ' GB, same size'
        WHEN 'old_snapshot' THEN 'billed since ' || strftime(p.first_billed, '%Y-%m-%d') || ', '
            || date_diff('day', p.first_billed, $as_of) || ' days'
        WHEN 'premium_disk_nonprod' THEN coalesce(p.premium_meter, 'Premium SSD') || ', '
            || p.environment
        ELSE CAST(round(p.size_gb) AS BIGINT) || ' GB stored, '
            || CAST(round(p.requests_per_gb_month, 3) AS VARCHAR) || ' requests per GB-month'
    END AS reason_en,
    CASE p.kind
        WHEN 'gp2_to_gp3' THEN CAST(round(p.size_gb) AS BIGINT) || ' GB、容量は同じ'
        WHEN 'old_snapshot' THEN strftime(p.first_billed, '%Y-%m-%d') || ' から課金、'
            || date_diff('day', p.first_billed, $as_of) || ' 日'
        WHEN 'premium_disk_nonprod' THEN coalesce(p.premium_meter, 'Premium SSD') || '、環境 '
            || p.environment
        ELSE '保存 ' || CAST(round(p.size_gb) AS BIGINT) || ' GB、1 GB・月あたり '
            || CAST(round(p.requests_per_gb_month, 3) AS VARCHAR) || ' リクエスト'
    END AS reason_ja,
    {
        'kind': p.kind,
        'size_gb': round(p.size_gb, 2),
        'requests_per_gb_month': round(p.requests_per_gb_month, 4),
        'first_billed': strftime(p.first_billed, '%Y-%m-%dT%H:%M:%SZ'),
        'age_days_at_least': date_diff('day', p.first_billed, $as_of),
        'window_cost': p.check_cost,
        'observed_hours': p.observed_hours,
        'monthly_hours': 730,
        'gp3_storage_ratio': $gp3_storage_ratio,
        'object_storage_saving_ratio': $object_storage_saving_ratio
    } AS evidence
FROM priced AS p CROSS JOIN win
