{{- /*
tempo.monitoring.scrape: how the chart has Tempo scraped, as JSON: {kind (ServiceMonitor, PodMonitor
or "" for none), namespace (of the monitor), rulesNamespace (of the PrometheusRule), job (the job
label Prometheus gives Tempo's series: the Service's name for a ServiceMonitor, <namespace>/<name> of
a PodMonitor; for a distributed Tempo's ServiceMonitor a regular expression matching each
component's Service), jobMatch (= or =~), settings}. Both namespaces default to the release's.
Usage: {{ (include "tempo.monitoring.scrape" . | fromJson).job }}
*/ -}}
{{- define "tempo.monitoring.scrape" -}}
{{- $monitoring := .Values.monitoring -}}
{{- $fullname := include "tempo.names.fullname" . -}}
{{- $result := dict "kind" "" "namespace" "" "job" "" "settings" dict -}}
{{- if $monitoring.serviceMonitor.enabled -}}
{{- $namespace := $monitoring.serviceMonitor.namespace | default (include "tempo.names.namespace" .) -}}
{{- $result = dict "kind" "ServiceMonitor" "namespace" $namespace "job" $fullname "settings" $monitoring.serviceMonitor -}}
{{- if include "tempo.distributed.on" . -}}
{{- /* A distributed Tempo is scraped through each component's own Service, whose name is its job. */ -}}
{{- $_ := set $result "job" (printf "%s-.+" $fullname) -}}
{{- $_ := set $result "jobMatch" "=~" -}}
{{- end -}}
{{- else if $monitoring.podMonitor.enabled -}}
{{- $namespace := $monitoring.podMonitor.namespace | default (include "tempo.names.namespace" .) -}}
{{- $result = dict "kind" "PodMonitor" "namespace" $namespace "job" (printf "%s/%s" $namespace $fullname) "settings" $monitoring.podMonitor -}}
{{- end -}}
{{- $_ := set $result "rulesNamespace" ($monitoring.rules.namespace | default (include "tempo.names.namespace" .)) -}}
{{- if not (hasKey $result "jobMatch") -}}
{{- $_ := set $result "jobMatch" "=" -}}
{{- end -}}
{{- toJson $result -}}
{{- end -}}

{{- /*
tempo.monitoring.endpoint: one scrape endpoint of Tempo's http port, as YAML, from the monitor's settings.
Usage: {{ include "tempo.monitoring.endpoint" $settings | nindent 4 }}
*/ -}}
{{- define "tempo.monitoring.endpoint" -}}
- port: http
  path: /metrics
  scheme: {{ .scheme }}
  interval: {{ .interval }}
  {{- with .scrapeTimeout }}
  scrapeTimeout: {{ . }}
  {{- end }}
  {{- with .tlsConfig }}
  tlsConfig:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .relabelings }}
  relabelings:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .metricRelabelings }}
  metricRelabelings:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end -}}

{{- /*
tempo.monitoring.rules: the alert rules, as a YAML list of rule groups. Each expression selects Tempo's
series by namespace and job, so another Tempo in the cluster never trips them. Every metric is one a
real Tempo of the selected series exposes (test/real-tempo.test.ts and test/tempo-versions.test.ts
scrape them), and the metrics that differ by series come from its alertMetrics: Tempo 2.5's receivers record no metrics of
their own, so refusals are read from tempo_discarded_spans_total{reason="rate_limited"}.
Usage: {{ include "tempo.monitoring.rules" . | nindent 4 }}
*/ -}}
{{- define "tempo.monitoring.rules" -}}
{{- $scrape := include "tempo.monitoring.scrape" . | fromJson -}}
{{- $rules := .Values.monitoring.rules -}}
{{- $matchers := printf "namespace=%q, job%s%q" (include "tempo.names.namespace" .) $scrape.jobMatch $scrape.job -}}
{{- $memoryLimit := dig "limits" "memory" "" (include "tempo.sizing.resources" . | fromJson) -}}
{{- $metric := (include "tempo.version" . | fromJson).alertMetrics -}}
{{- $alerts := list
  (dict "alert" "TempoIngestionFailing" "severity" "critical" "for" "5m" "metric" $metric.appendFailures
    "expr" (printf "sum by (namespace, job) (rate(%s{%s}[5m])) > 0" $metric.appendFailures $matchers)
    "summary" "Tempo cannot hand received spans to its ingesters."
    "description" "{{ $labels.job }} in {{ $labels.namespace }} fails to append spans to its ingesters: traces are being lost. Check the ingesters' logs and the ring (/ingester/ring).")
  (dict "alert" "TempoFlushesFailing" "severity" "critical" "for" "5m" "metric" $metric.blockWriteFailures
    "expr" (printf "sum by (namespace, job) (increase(%s{%s}[1h])) > %d" $metric.blockWriteFailures $matchers (int $rules.failuresPerHour))
    "summary" "Tempo fails to flush blocks to its storage."
    "description" "{{ $labels.job }} in {{ $labels.namespace }} failed {{ $value }} block flushes in the past hour: blocks pile up in the write-ahead log. Check the storage backend and its credentials.")
  (dict "alert" "TempoSpansRefused" "severity" "warning" "for" "15m"
    "expr" (printf "sum by (namespace, job) (rate(tempo_discarded_spans_total{%s, reason=\"rate_limited\"}[5m])) > 0" $matchers)
    "summary" "Tempo refuses spans over its ingestion limit."
    "description" "{{ $labels.job }} in {{ $labels.namespace }} refuses {{ $value }} spans/s over the ingestion limit: senders retry, then drop. Raise the limit or the sizing preset.")
  (dict "alert" "TempoSpansDiscarded" "severity" "warning" "for" "15m"
    "expr" (printf "sum by (namespace, job, reason) (rate(tempo_discarded_spans_total{%s, reason!=\"rate_limited\"}[5m])) > 0" $matchers)
    "summary" "Tempo discards spans."
    "description" "{{ $labels.job }} in {{ $labels.namespace }} discards {{ $value }} spans/s ({{ $labels.reason }}).")
  (dict "alert" "TempoCompactionFailing" "severity" "critical" "for" "5m"
    "expr" (printf "sum by (namespace, job) (increase(tempodb_compaction_errors_total{%s}[1h])) > %d" $matchers (int $rules.failuresPerHour))
    "summary" "Tempo's compactions fail."
    "description" "{{ $labels.job }} in {{ $labels.namespace }} had {{ $value }} failed compactions in the past hour: blocks and queries grow. Check the compactor's logs and memory.")
  (dict "alert" "TempoCompactionBehind" "severity" "warning" "for" "6h"
    "expr" (printf "max by (namespace, job) (tempodb_compaction_outstanding_blocks{%s}) > %d" $matchers (int $rules.compactionBacklogBlocks))
    "summary" "Tempo's compaction falls behind."
    "description" "{{ $labels.job }} in {{ $labels.namespace }} has had {{ $value }} blocks waiting for compaction for six hours. Give Tempo more CPU, or more pods.")
  (dict "alert" "TempoRetentionFailing" "severity" "critical" "for" "5m"
    "expr" (printf "sum by (namespace, job) (increase(tempodb_retention_errors_total{%s}[1h])) > 0 or sum by (namespace, job) (increase(tempodb_blocklist_poll_errors_total{%s}[1h])) > 2" $matchers $matchers)
    "summary" "Tempo cannot apply its retention."
    "description" "{{ $labels.job }} in {{ $labels.namespace }} fails to list or delete blocks: old traces are kept past the retention and storage grows.")
  (dict "alert" "TempoOverridesNotReloaded" "severity" "warning" "for" "15m"
    "expr" (printf "max by (namespace, job) (tempo_runtime_config_last_reload_successful{%s} == 0)" $matchers)
    "summary" "Tempo cannot reload its per-tenant overrides."
    "description" "{{ $labels.job }} in {{ $labels.namespace }} keeps its previous overrides: the per-tenant file does not parse.")
  (dict "alert" "TempoRestarting" "severity" "warning" "for" "0m"
    "expr" (printf "max by (namespace, job, pod) (changes(process_start_time_seconds{%s}[1h])) > 2" $matchers)
    "summary" "Tempo restarts."
    "description" "{{ $labels.pod }} in {{ $labels.namespace }} restarted {{ $value }} times in the past hour, which loses what it had not written to its write-ahead log. Look for OOM kills and failing probes.")
-}}
{{- if include "tempo.distributed.on" . -}}
{{- /* Recorded by the live-stores, block-builders and metrics-generator of a distributed Tempo (scraped from real 3.0.3 processes: test/e2e.test.ts). */ -}}
{{- $alerts = append $alerts (dict "alert" "TempoKafkaLagHigh" "severity" "warning" "for" "10m"
    "expr" (printf "max by (namespace, job, group, partition) (tempo_ingest_group_partition_lag_seconds{%s}) > %d" $matchers (int $rules.kafkaLagSeconds))
    "summary" "Tempo's Kafka consumers fall behind."
    "description" "{{ $labels.job }} in {{ $labels.namespace }} (consumer group {{ $labels.group }}) is {{ $value | humanizeDuration }} behind Kafka partition {{ $labels.partition }}: live-stores that lag leave recent traces out of queries, block-builders that lag write blocks late. Give the component more CPU, or Kafka more partitions and the component more pods.") -}}
{{- end -}}
{{- /* Each workload's pods against their own memory limit: the monolithic pod's, or each distributed component's (through its own job, or its pods' names under a PodMonitor). */ -}}
{{- $limits := list -}}
{{- if include "tempo.distributed.on" . -}}
{{- $table := dict -}}
{{- include "tempo.util.parsed" (dict "root" . "name" "tempo.components.table" "into" $table) -}}
{{- range $row := $table.value -}}
{{- with and $row.tempo (dig "limits" "memory" "" ($row.tempo.resources | default dict)) -}}
{{- $selector := ternary (printf "namespace=%q, job=%q" (include "tempo.names.namespace" $) $row.resourceName) (printf "%s, pod=~%q" $matchers (printf "%s-[^-]+(-[^-]+)?" $row.resourceName)) (eq $scrape.kind "ServiceMonitor") -}}
{{- $limits = append $limits (dict "limit" . "selector" $selector "advice" (printf "Raise components.%s.resources." $row.tempo.key) "labels" (dict "component" $row.name)) -}}
{{- end -}}
{{- end -}}
{{- else if $memoryLimit -}}
{{- $limits = list (dict "limit" $memoryLimit "selector" $matchers "advice" "Move to a larger sizing preset.") -}}
{{- end -}}
{{- range $limits -}}
{{- $threshold := mulf (include "tempo.util.quantity" .limit | float64) (divf (float64 $rules.memoryThresholdPercent) 100.0) | floor | int64 -}}
{{- $alerts = append $alerts (dict "alert" "TempoMemoryNearLimit" "severity" "warning" "for" "15m"
    "expr" (printf "max by (namespace, job, pod) (process_resident_memory_bytes{%s}) > %d" .selector $threshold)
    "summary" "Tempo's memory is near its limit."
    "description" (printf "{{ $labels.pod }} in {{ $labels.namespace }} uses {{ $value | humanize1024 }}B, over %d%% of its %s limit: the kernel kills it at the limit. %s" (int $rules.memoryThresholdPercent) .limit .advice) "labels" (.labels | default dict)) -}}
{{- end -}}
{{- $group := list -}}
{{- range $alerts -}}
{{- /* A rule whose metric the Tempo series does not have (its alertMetrics say null) is left out. */ -}}
{{- if or (not (hasKey . "metric")) .metric -}}
{{- /* A rule's own labels (the component of a distributed Tempo's memory rule) keep rules of one name apart. */ -}}
{{- $group = append $group (dict "alert" .alert "expr" .expr "for" .for "labels" (merge (dict "severity" .severity) (.labels | default dict) $rules.alertLabels) "annotations" (dict "summary" .summary "description" .description)) -}}
{{- end -}}
{{- end -}}
{{- toYaml (list (dict "name" "tempo" "rules" $group)) -}}
{{- end -}}

{{- /*
tempo.validate.monitoring: each pod scraped once, and alert rules that have series to select.
Usage: {{ include "tempo.validate.monitoring" . | fromJsonArray }}
*/ -}}
{{- define "tempo.validate.monitoring" -}}
{{- $messages := list -}}
{{- $monitoring := .Values.monitoring -}}
{{- if and $monitoring.serviceMonitor.enabled $monitoring.podMonitor.enabled -}}
{{- $messages = append $messages "ERROR: monitoring.serviceMonitor.enabled and monitoring.podMonitor.enabled are both true, so Prometheus would scrape every Tempo pod twice and double every rate. Enable one of them." -}}
{{- end -}}
{{- /* The Prometheus Operator drops a scrape whose timeout exceeds its interval, and Prometheus refuses such a configuration. */ -}}
{{- range $kind := list "serviceMonitor" "podMonitor" -}}
{{- $monitor := get $monitoring $kind -}}
{{- if and $monitor.enabled $monitor.scrapeTimeout (gt (include "tempo.util.seconds" $monitor.scrapeTimeout | float64) (include "tempo.util.seconds" $monitor.interval | float64)) -}}
{{- $messages = append $messages (printf "ERROR: monitoring.%s.scrapeTimeout (%s) is longer than monitoring.%s.interval (%s), which Prometheus refuses. Set a timeout at most the interval, or leave it empty." $kind $monitor.scrapeTimeout $kind $monitor.interval) -}}
{{- end -}}
{{- end -}}
{{- if and $monitoring.rules.enabled (not $monitoring.serviceMonitor.enabled) (not $monitoring.podMonitor.enabled) -}}
{{- $messages = append $messages "ERROR: monitoring.rules.enabled is true, but neither monitoring.serviceMonitor nor monitoring.podMonitor is enabled, and the rules select Tempo's series by the job label the chart's monitor gives them. Enable one of them." -}}
{{- end -}}
{{- toJson $messages -}}
{{- end -}}
