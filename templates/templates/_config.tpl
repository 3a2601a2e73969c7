{{- /*
tempo.config.generated: the Tempo configuration the chart derives from its values, as YAML: one helper
per section (tempo.configSection.<name>), each given {root, protection} and returning its part of
the file (nothing when the section has nothing to set).
Usage: {{ include "tempo.config.generated" . | fromYaml }}
*/ -}}
{{- define "tempo.config.generated" -}}
{{- $context := dict "root" . "protection" (include "tempo.sizing.protection" . | fromJson) -}}
{{- $config := dict -}}
{{- range $section := list "target" "server" "distributor" "ingester" "querier" "compactor" "storage" "memberlist" "overrides" "usageReport" -}}
{{- $config = merge $config (include (printf "tempo.configSection.%s" $section) $context | fromYaml) -}}
{{- end -}}
{{- toYaml $config -}}
{{- end -}}

{{- /*
tempo.configSection.target: the modules Tempo runs. A scaled-out Tempo runs them all in each pod as
one scalable single binary; otherwise Tempo's default (all) stays implicit, as in the design.
Usage: {{ include "tempo.configSection.target" (dict "root" . "protection" $protection) | fromYaml }}
*/ -}}
{{- define "tempo.configSection.target" -}}
{{- if include "tempo.workload.clustered" .root -}}
target: scalable-single-binary
{{- end -}}
{{- end -}}

{{- /*
tempo.configSection.server: the HTTP and gRPC servers and logging.
Usage: {{ include "tempo.configSection.server" (dict "root" . "protection" $protection) | fromYaml }}
*/ -}}
{{- define "tempo.configSection.server" -}}
{{- $server := .root.Values.tempo.server -}}
server:
  http_listen_port: {{ int $server.httpListenPort }}
  grpc_listen_port: {{ int $server.grpcListenPort }}
  log_level: {{ $server.logLevel }}
  log_format: {{ $server.logFormat }}
{{- end -}}

{{- /*
tempo.configSection.distributor: the enabled receivers, each bound on 0.0.0.0.
Usage: {{ include "tempo.configSection.distributor" (dict "root" . "protection" $protection) | fromYaml }}
*/ -}}
{{- define "tempo.configSection.distributor" -}}
{{- $protocols := dict -}}
{{- range $protocol, $receiver := .root.Values.tempo.receivers.otlp -}}
{{- if $receiver.enabled -}}
{{- /* Set explicitly: Tempo 2.5 binds 0.0.0.0 by default, but later releases bind localhost only. */ -}}
{{- $_ := set $protocols $protocol (dict "endpoint" (printf "0.0.0.0:%d" (int $receiver.port))) -}}
{{- end -}}
{{- end -}}
{{- if $protocols -}}
{{- toYaml (dict "distributor" (dict "receivers" (dict "otlp" (dict "protocols" $protocols)))) -}}
{{- end -}}
{{- end -}}

{{- /*
tempo.configSection.ingester: block duration, the block size that fits the memory limit, and for a
scaled-out Tempo the ring the ingesters share over memberlist. Three replicas of each trace from three
pods on, so a pod can restart without losing what it had not flushed; one below that, where a write
quorum of two out of two would refuse writes during every rollout.
Usage: {{ include "tempo.configSection.ingester" (dict "root" . "protection" $protection) | fromYaml }}
*/ -}}
{{- define "tempo.configSection.ingester" -}}
ingester:
  max_block_duration: {{ .root.Values.tempo.maxBlockDuration | quote }}
  {{- with .protection.maxBlockBytes }}
  max_block_bytes: {{ int64 . }}
  {{- end }}
  {{- if include "tempo.workload.clustered" .root }}
  lifecycler:
    ring:
      kvstore:
        store: memberlist
      replication_factor: {{ ternary 3 1 (ge (int .root.Values.replicas) 3) }}
  {{- end }}
{{- end -}}

{{- /*
tempo.configSection.querier: in a scaled-out Tempo each pod's querier works for its own
query-frontend, so a query sent to any pod is answered there (from every pod's ingesters, through the
ring, and from the shared object store). Set explicitly because the default names port 9095.
Usage: {{ include "tempo.configSection.querier" (dict "root" . "protection" $protection) | fromYaml }}
*/ -}}
{{- define "tempo.configSection.querier" -}}
{{- if include "tempo.workload.clustered" .root -}}
querier:
  frontend_worker:
    frontend_address: {{ printf "127.0.0.1:%d" (int .root.Values.tempo.server.grpcListenPort) | quote }}
{{- end -}}
{{- end -}}

{{- /*
tempo.configSection.compactor: how long blocks are kept; a scaled-out Tempo shares compaction work over a ring.
Usage: {{ include "tempo.configSection.compactor" (dict "root" . "protection" $protection) | fromYaml }}
*/ -}}
{{- define "tempo.configSection.compactor" -}}
compactor:
  compaction:
    block_retention: {{ .root.Values.tempo.retention | quote }}
  {{- if include "tempo.workload.clustered" .root }}
  ring:
    kvstore:
      store: memberlist
  {{- end }}
{{- end -}}

{{- /*
tempo.configSection.storage: the trace backend, the WAL on the data volume, and the parquet row group
that fits the memory limit. Credentials appear only as ${VAR} references to the environment, which
the pod fills from a Secret (tempo.storage.credentials).
Usage: {{ include "tempo.configSection.storage" (dict "root" . "protection" $protection) | fromYaml }}
*/ -}}
{{- define "tempo.configSection.storage" -}}
{{- $storage := .root.Values.storage -}}
{{- $dataDir := .root.Values.tempo.dataDir -}}
{{- $credentials := include "tempo.storage.credentials" .root | fromJson -}}
storage:
  trace:
    backend: {{ $storage.backend }}
    {{- if eq $storage.backend "local" }}
    local:
      path: {{ printf "%s/traces" $dataDir | quote }}
    {{- else if eq $storage.backend "s3" }}
    s3:
      bucket: {{ $storage.s3.bucket | quote }}
      endpoint: {{ $storage.s3.endpoint | quote }}
      {{- with $storage.s3.region }}
      region: {{ . | quote }}
      {{- end }}
      {{- if $storage.s3.insecure }}
      insecure: true
      {{- end }}
      {{- if $storage.s3.forcePathStyle }}
      forcepathstyle: true
      {{- end }}
      {{- if $credentials.secretName }}
      access_key: ${S3_ACCESS_KEY}
      secret_key: ${S3_SECRET_KEY}
      {{- end }}
    {{- else if eq $storage.backend "gcs" }}
    gcs:
      bucket_name: {{ $storage.gcs.bucketName | quote }}
    {{- else if eq $storage.backend "azure" }}
    azure:
      container_name: {{ $storage.azure.containerName | quote }}
      storage_account_name: {{ $storage.azure.storageAccountName | quote }}
      endpoint_suffix: {{ $storage.azure.endpointSuffix | quote }}
      {{- if $storage.azure.useFederatedToken }}
      use_federated_token: true
      {{- end }}
      {{- if $credentials.secretName }}
      storage_account_key: ${AZURE_STORAGE_KEY}
      {{- end }}
    {{- end }}
    wal:
      path: {{ printf "%s/wal" $dataDir | quote }}
    {{- with .protection.rowGroupBytes }}
    block:
      parquet_row_group_size_bytes: {{ int64 . }}
    {{- end }}
{{- end -}}

{{- /*
tempo.configSection.memberlist: gossip. A scaled-out Tempo joins its pods through the headless
Service, under a cluster label of its own, so that another Tempo, Loki or Mimir gossiping in the same
namespace cannot merge rings with it. A single pod gossips with itself: the port is set only when it
is not Tempo's own 7946 (the design's configuration has no memberlist block).
Usage: {{ include "tempo.configSection.memberlist" (dict "root" . "protection" $protection) | fromYaml }}
*/ -}}
{{- define "tempo.configSection.memberlist" -}}
{{- $root := .root -}}
{{- $port := int $root.Values.tempo.memberlist.bindPort -}}
{{- if include "tempo.workload.clustered" $root -}}
memberlist:
  bind_port: {{ $port }}
  cluster_label: {{ printf "%s.%s" (include "tempo.names.fullname" $root) (include "tempo.names.namespace" $root) | quote }}
  join_members:
    - {{ printf "dns+%s.%s.svc:%d" (include "tempo.names.headless" $root) (include "tempo.names.namespace" $root) $port | quote }}
  {{- /* The first pods of a new cluster have no one to join yet. */}}
  abort_if_cluster_join_fails: false
{{- else if ne $port 7946 -}}
memberlist:
  bind_port: {{ $port }}
{{- end -}}
{{- end -}}

{{- /*
tempo.configSection.overrides: the per-tenant ingestion limit that fits the memory limit. The rate
and its burst work as one: a user who sets either in structuredConfig gets neither derived, so a burst
below their own rate cannot refuse every large batch. The limit goes in the layout the user's
overrides use: Tempo refuses to start with both.
Usage: {{ include "tempo.configSection.overrides" (dict "root" . "protection" $protection) | fromYaml }}
*/ -}}
{{- define "tempo.configSection.overrides" -}}
{{- with .protection.rateLimitBytes -}}
{{- $overrides := get $.root.Values.tempo.structuredConfig "overrides" | default dict -}}
{{- $ingestion := get (get $overrides "defaults" | default dict) "ingestion" | default dict -}}
{{- $ownRateLimit := or (hasKey $overrides "ingestion_rate_limit_bytes") (hasKey $overrides "ingestion_burst_size_bytes") (hasKey $ingestion "rate_limit_bytes") (hasKey $ingestion "burst_size_bytes") -}}
{{- if not $ownRateLimit -}}
{{- $rate := int64 . -}}
{{- $burst := int64 $.protection.burstBytes -}}
{{- if include "tempo.config.flatOverrides" $.root | fromJsonArray -}}
{{- toYaml (dict "overrides" (dict "ingestion_rate_limit_bytes" $rate "ingestion_burst_size_bytes" $burst)) -}}
{{- else -}}
{{- toYaml (dict "overrides" (dict "defaults" (dict "ingestion" (dict "rate_limit_bytes" $rate "burst_size_bytes" $burst)))) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- /*
tempo.configSection.usageReport: whether Tempo reports anonymous usage to Grafana Labs.
Usage: {{ include "tempo.configSection.usageReport" (dict "root" . "protection" $protection) | fromYaml }}
*/ -}}
{{- define "tempo.configSection.usageReport" -}}
usage_report:
  reporting_enabled: {{ .root.Values.tempo.reportingEnabled }}
{{- end -}}

{{- /*
tempo.config.flatOverrides: the keys of tempo.structuredConfig.overrides in Tempo's older flat layout,
as a JSON list. Tempo 2.5 reads overrides in the nested layout (overrides.defaults) or the flat one,
never both; the schema admits only keys of either, so any key but the nested layout's top-level ones
is a flat one.
Usage: {{ include "tempo.config.flatOverrides" . | fromJsonArray }}
*/ -}}
{{- define "tempo.config.flatOverrides" -}}
{{- $flat := list -}}
{{- $overrides := get .Values.tempo.structuredConfig "overrides" -}}
{{- if kindIs "map" $overrides -}}
{{- range $key, $_ := $overrides -}}
{{- if not (has $key (list "defaults" "per_tenant_override_config" "per_tenant_override_period" "user_configurable_overrides")) -}}
{{- $flat = append $flat $key -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- toJson $flat -}}
{{- end -}}

{{- /*
tempo.config.merged: the Tempo configuration file: the generated configuration with
tempo.structuredConfig deep-merged over it, serialised once.
Usage: {{ include "tempo.config.merged" . }}
*/ -}}
{{- define "tempo.config.merged" -}}
{{- $config := include "tempo.config.generated" . | fromYaml -}}
{{- include "tempo.util.deepMerge" (dict "dst" $config "src" (deepCopy .Values.tempo.structuredConfig)) -}}
{{- toYaml $config -}}
{{- end -}}

{{- /*
tempo.config.listeners: every port Tempo binds, from the wiring table (the x-listener values of
values.schema.json), as a JSON list of {name, port, setting, default, exposed}; a listener switched
off by its enabledBy value is left out. Exposed listeners become container and Service ports; all of
them must differ.
Usage: {{ include "tempo.config.listeners" . | fromJsonArray }}
*/ -}}
{{- define "tempo.config.listeners" -}}
{{- $listeners := list -}}
{{- range $listener := (include "tempo.wiring.table" . | fromJson).listeners -}}
{{- $enabled := true -}}
{{- with $listener.enabledBy -}}
{{- $enabled = include "tempo.util.valueAt" (dict "values" $.Values "path" .) | fromJson | dig "value" false -}}
{{- end -}}
{{- if $enabled -}}
{{- $port := include "tempo.util.valueAt" (dict "values" $.Values "path" $listener.value) | fromJson | dig "value" 0 -}}
{{- $listeners = append $listeners (dict "name" $listener.name "port" (int $port) "setting" $listener.value "default" (int $listener.default) "exposed" $listener.exposed) -}}
{{- end -}}
{{- end -}}
{{- toJson $listeners -}}
{{- end -}}

{{- /*
tempo.config.literalCredentials: the dotted paths in (part of) a Tempo configuration where a
credential key (tempo.facts.credentials) holds a literal value rather than an environment reference
such as ${S3_SECRET_KEY}, as a JSON list.
Usage: {{ include "tempo.config.literalCredentials" (dict "node" $config "path" "" "credentials" (include "tempo.facts.credentials" . | fromJson)) | fromJsonArray }}
*/ -}}
{{- define "tempo.config.literalCredentials" -}}
{{- $found := list -}}
{{- $credentials := .credentials -}}
{{- if kindIs "map" .node -}}
{{- range $key, $value := .node -}}
{{- $path := ternary $key (printf "%s.%s" $.path $key) (eq $.path "") -}}
{{- if and (has $key $credentials.keys) (not (kindIs "map" $value)) (not (kindIs "slice" $value)) (not (kindIs "invalid" $value)) -}}
{{- $text := toString $value -}}
{{- if and (ne $text "") (not (regexMatch $credentials.environmentReference $text)) -}}
{{- $found = append $found $path -}}
{{- end -}}
{{- else -}}
{{- $found = concat $found (include "tempo.config.literalCredentials" (dict "node" $value "path" $path "credentials" $credentials) | fromJsonArray) -}}
{{- end -}}
{{- end -}}
{{- else if kindIs "slice" .node -}}
{{- range $index, $item := .node -}}
{{- $found = concat $found (include "tempo.config.literalCredentials" (dict "node" $item "path" (printf "%s.%d" $.path $index) "credentials" $credentials) | fromJsonArray) -}}
{{- end -}}
{{- end -}}
{{- toJson $found -}}
{{- end -}}
