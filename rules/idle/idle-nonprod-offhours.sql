/* ---
id: idle-nonprod-offhours
title: Non-production compute running outside business hours
title_ja: 業務時間外も稼働している本番以外の環境
category: idle
providers: [aws, azure, gcp, oci, sakura]
cost_basis: EffectiveCost
confidence: high
requires: [calendar]
rationale: |
  Development, test and staging environments are only used while staff work. From hourly line
  items the rule sees, for every non-production instance (x_Environment other than prod, from
  tags or the account map), which hours it ran; hours outside weekdays 08:00-20:00 JST and on
  Japanese national holidays and the government year-end closure (12/29-1/3) could be stopped.
  The saving is the EffectiveCost of those hours. With a 08:00-20:00 weekday schedule 60 of 168
  hours a week are needed, so about 64% of an always-on instance's hours can stop (more with
  holidays). No peer tool proposes a schedule from the bill: Cloud Custodian's offhours filter
  only enforces one (default off 19:00, on 07:00) and knows no holidays. Bills with daily line
  items (Azure cost details) cannot show hours: such resources are listed as skipped, with the
  note that hourly data or metrics are needed; nothing is guessed.
rationale_ja: |
  開発・検証・ステージング環境は職員の勤務時間にしか使われません。時間単位の請求明細から、本番以外
  (タグまたはアカウント対応表の環境が prod 以外) のインスタンスが稼働した時間を調べ、平日 8 時〜20 時
  (日本時間) 以外、国民の祝日、年末年始 (12/29〜1/3) の稼働時間を停止可能とみなします。削減額はその時間の
  EffectiveCost です。日単位の明細 (Azure など) では時間帯が分からないため推測せず、時間単位のデータか
  メトリクスが必要である旨を「判定不可」として示します。
sources:
  - "Issue #3 default schedule: weekdays 08:00-20:00 JST; peers.md §4 item 9 (60 of 168 hours)"
  - "Japanese holidays: holidays package (country JP) via gcfinops.jpcalendar; 行政機関の休日に関する法律 第1条 (12/29-1/3)"
  - "Cloud Custodian c7n/filters/offhours.py (default offhour 19, onhour 7, weekends on; no holidays, issue #1457)"
  - "AWS Data Exports CUR 2.0 hourly granularity: https://docs.aws.amazon.com/cur/latest/userguide/table-dictionary-cur2.html"
parameters:
  lookback_days:
    default: 30
    type: integer
    min: 7
    max: 366
    unit: days
    description: Days of bill before as_of to read (at least one full week)
    description_ja: 読み込む請求期間 (as_of より前の日数)
    source: "AWS CID hourly_view keeps the last 30 days of hourly data (peers.md §2.7)"
  business_start_hour:
    default: 8
    type: integer
    min: 0
    max: 23
    unit: hour (JST)
    description: First business hour, local time (JST)
    description_ja: 業務開始時刻 (日本時間)
    source: "Issue #3 (weekdays 08:00-20:00 JST)"
  business_end_hour:
    default: 20
    type: integer
    min: 1
    max: 24
    unit: hour (JST)
    description: End of business hours (exclusive), local time (JST)
    description_ja: 業務終了時刻 (日本時間、この時刻を含まない)
    source: "Issue #3 (weekdays 08:00-20:00 JST)"
  workdays_only:
    default: true
    type: boolean
    description: Business hours only on working days (not weekends, holidays, 12/29-1/3)
    description_ja: 平日 (土日祝日・年末年始を除く) のみを業務日とする
    source: "行政機関の休日に関する法律 第1条; holidays package (JP)"
  min_offhours_share:
    default: 0.5
    type: number
    min: 0
    max: 1
    unit: ratio
    description: Fire when the resource ran in at least this share of the off-hours it existed
    description_ja: 業務時間外のうち稼働していた時間の割合がこの値以上で検出
    source: "gcfinops default: a resource up in half or more of the nights, weekends and holidays is not being stopped (no peer threshold exists)"
  include_unknown_environment:
    default: false
    type: boolean
    description: Also judge resources whose environment is unknown (no tag, no account map)
    description_ja: 環境が不明なリソースも対象にする
    source: "gcfinops default: never guess production vs non-production"
  min_monthly_savings:
    default: 1000
    type: number
    min: 0
    unit: JPY
    description: Ignore findings that would save less than this per month (applied by the engine)
    description_ja: 月額削減見込みがこの額未満の検出は出力しない
    source: "gcfinops default noise floor"
skip_reasons:
  daily_granularity:
    en: "{resource_id}: the bill has daily line items, so the hours it runs cannot be seen; ingest hourly billing data or utilization metrics to judge a schedule"
    ja: "{resource_id}: 請求明細が日単位のため稼働時間帯が分かりません。時間単位の請求データまたはメトリクスを取り込んでください"
recommendation: "Run {resource_id} only {schedule_en} and stop it otherwise: saves {monthly_savings_yen}/month (it ran {offhours_share_pct:.0f}% of off-hours)"
recommendation_ja: "{resource_id} を{schedule_ja}のみ稼働させるスケジュールを設定{stop_note_ja}: 月額 {monthly_savings_yen} の削減 (業務時間外の {offhours_share_pct:.0f}% で稼働)"
--- */
WITH
win AS (
    SELECT $as_of - $lookback_days * INTERVAL '1 day' AS window_start, $as_of AS window_end
),
cal AS (
    SELECT hour_utc, day_jst, is_working_day,
        extract(hour FROM hour_jst) >= $business_start_hour
            AND extract(hour FROM hour_jst) < $business_end_hour
            AND (is_working_day OR NOT $workdays_only) AS is_business
    FROM gcf_hours
),
lines AS (
    SELECT l.*
    FROM lake AS l CROSS JOIN win
    WHERE l.ChargePeriodStart >= win.window_start AND l.ChargePeriodStart < win.window_end
      AND l.ChargeCategory = 'Usage'
      AND l.ServiceCategory = 'Compute'
      AND l.x_InstanceType IS NOT NULL
      AND l.ResourceId IS NOT NULL
      AND (l.x_Environment <> 'prod' OR (l.x_Environment IS NULL AND $include_unknown_environment))
),
res AS (
    SELECT ResourceId, ProviderName, BillingCurrency,
        max(BillingAccountId) AS billing_account_id, max(SubAccountId) AS sub_account_id,
        max(RegionId) AS region, max(x_Ward) AS ward, max(x_BusinessSystem) AS business_system,
        max(x_Environment) AS environment, max(ResourceName) AS resource_name,
        max(ServiceName) AS service_name, max(x_InstanceType) AS instance_type,
        min(ChargePeriodStart) AS first_start, max(ChargePeriodEnd) AS last_end,
        max(date_diff('second', ChargePeriodStart, ChargePeriodEnd)) AS max_line_seconds,
        sum(EffectiveCost) AS window_cost
    FROM lines
    GROUP BY ResourceId, ProviderName, BillingCurrency
),
ran AS (
    SELECT l.ResourceId, l.ProviderName, l.BillingCurrency,
        sum(l.EffectiveCost) FILTER (WHERE NOT c.is_business) AS offhours_cost,
        count(DISTINCT c.hour_utc) FILTER (WHERE NOT c.is_business) AS offhours_running,
        count(DISTINCT c.hour_utc) FILTER (WHERE c.is_business) AS business_hours_running,
        count(DISTINCT c.day_jst) FILTER (WHERE NOT c.is_working_day) AS nonworking_days_running
    FROM lines AS l
    JOIN cal AS c ON c.hour_utc = CAST(date_trunc('hour', l.ChargePeriodStart) AS TIMESTAMP)
    GROUP BY l.ResourceId, l.ProviderName, l.BillingCurrency
),
avail AS (
    SELECT r.ResourceId, r.ProviderName, r.BillingCurrency,
        count(*) FILTER (WHERE NOT c.is_business) AS offhours_available
    FROM res AS r
    JOIN cal AS c
      ON c.hour_utc >= CAST(date_trunc('hour', r.first_start) AS TIMESTAMP)
     AND c.hour_utc < CAST(r.last_end AS TIMESTAMP)
    WHERE r.max_line_seconds <= 3600
    GROUP BY r.ResourceId, r.ProviderName, r.BillingCurrency
),
judged AS (
    SELECT r.*, avail.offhours_available,
        CASE WHEN r.max_line_seconds <= 3600 THEN ran.offhours_cost END AS offhours_cost,
        CASE WHEN r.max_line_seconds <= 3600 THEN ran.offhours_running END AS offhours_running,
        CASE WHEN r.max_line_seconds <= 3600 THEN ran.business_hours_running END
            AS business_hours_running,
        CASE WHEN r.max_line_seconds <= 3600 THEN ran.nonworking_days_running END
            AS nonworking_days_running,
        greatest(date_diff('second', r.first_start, r.last_end) / 3600.0, 1.0) AS observed_hours,
        CASE WHEN avail.offhours_available > 0
             THEN ran.offhours_running * 1.0 / avail.offhours_available END AS offhours_share
    FROM res AS r
    LEFT JOIN ran USING (ResourceId, ProviderName, BillingCurrency)
    LEFT JOIN avail USING (ResourceId, ProviderName, BillingCurrency)
)
SELECT
    j.ResourceId AS resource_id,
    j.ProviderName AS provider,
    j.billing_account_id, j.sub_account_id, j.region, j.ward, j.business_system, j.environment,
    j.resource_name, j.service_name,
    j.BillingCurrency AS billing_currency,
    j.window_cost * 730.0 / j.observed_hours AS current_monthly_cost,
    CASE WHEN j.max_line_seconds > 3600 THEN NULL
         ELSE coalesce(j.offhours_cost, 0) * 730.0 / j.observed_hours END
        AS estimated_monthly_savings,
    win.window_start AS lookback_start,
    win.window_end AS lookback_end,
    CASE WHEN j.max_line_seconds > 3600 THEN 'skipped' ELSE 'finding' END AS status,
    CASE WHEN j.max_line_seconds > 3600 THEN 'daily_granularity' END AS skip_reason,
    round(coalesce(j.offhours_share, 0) * 100, 1) AS offhours_share_pct,
    CASE WHEN $workdays_only
         THEN 'on weekdays ' || lpad(CAST($business_start_hour AS VARCHAR), 2, '0') || ':00-'
              || lpad(CAST($business_end_hour AS VARCHAR), 2, '0')
              || ':00 JST (not on weekends, holidays or 12/29-1/3)'
         ELSE 'daily ' || lpad(CAST($business_start_hour AS VARCHAR), 2, '0') || ':00-'
              || lpad(CAST($business_end_hour AS VARCHAR), 2, '0') || ':00 JST' END AS schedule_en,
    CASE WHEN $workdays_only THEN '平日' ELSE '毎日' END || CAST($business_start_hour AS VARCHAR)
        || '時〜' || CAST($business_end_hour AS VARCHAR) || '時' AS schedule_ja,
    CASE WHEN $workdays_only THEN ' (土日祝日・年末年始は停止)' ELSE '' END AS stop_note_ja,
    {
        'instance_type': j.instance_type,
        'offhours_hours_running': j.offhours_running,
        'offhours_hours_available': j.offhours_available,
        'offhours_share': round(j.offhours_share, 4),
        'business_hours_running': j.business_hours_running,
        'nonworking_days_running': j.nonworking_days_running,
        'offhours_cost': j.offhours_cost,
        'window_cost': j.window_cost,
        'observed_hours': j.observed_hours,
        'line_granularity_seconds': j.max_line_seconds,
        'business_hours_jst': lpad(CAST($business_start_hour AS VARCHAR), 2, '0') || ':00-'
            || lpad(CAST($business_end_hour AS VARCHAR), 2, '0') || ':00',
        'workdays_only': $workdays_only,
        'monthly_hours': 730
    } AS evidence
FROM judged AS j CROSS JOIN win
WHERE j.max_line_seconds > 3600
   OR (j.offhours_share >= $min_offhours_share AND j.offhours_cost > 0)
