{{- /*
tempo.config.generated: the Tempo configuration the chart derives from its values, as YAML.
Usage: {{ include "tempo.config.generated" . | fromYaml }}
*/ -}}
{{- define "tempo.config.generated" -}}
{{- $tempo := .Values.tempo -}}
{{- $protocols := dict -}}
{{- range $protocol := list "grpc" "http" -}}
{{- $receiver := get $tempo.receivers.otlp $protocol -}}
{{- if $receiver.enabled -}}
{{- /* Set explicitly: Tempo 2.5 binds 0.0.0.0 by default, but later releases bind localhost only. */ -}}
{{- $_ := set $protocols $protocol (dict "endpoint" (printf "0.0.0.0:%d" (int $receiver.port))) -}}
{{- end -}}
{{- end -}}
{{- $receivers := dict -}}
{{- if $protocols -}}
{{- $_ := set $receivers "otlp" (dict "protocols" $protocols) -}}
{{- end -}}
{{- $config := dict
  "server" (dict
    "http_listen_port" (int $tempo.server.httpListenPort)
    "grpc_listen_port" (int $tempo.server.grpcListenPort)
    "log_level" $tempo.server.logLevel
    "log_format" $tempo.server.logFormat)
  "distributor" (dict "receivers" $receivers)
  "ingester" (dict "max_block_duration" $tempo.maxBlockDuration)
  "compactor" (dict "compaction" (dict "block_retention" $tempo.retention))
  "storage" (dict "trace" (dict
    "backend" "local"
    "local" (dict "path" (printf "%s/traces" $tempo.dataDir))
    "wal" (dict "path" (printf "%s/wal" $tempo.dataDir))))
  "usage_report" (dict "reporting_enabled" $tempo.reportingEnabled)
-}}
{{- with include "tempo.sizing.protection" . | fromJson -}}
{{- $_ := set $config.ingester "max_block_bytes" .maxBlockBytes -}}
{{- $_ := set $config.storage.trace "block" (dict "parquet_row_group_size_bytes" .rowGroupBytes) -}}
{{- /*
The rate limit and its burst work as one: a user who sets either in structuredConfig gets neither
derived, so a burst below their own rate cannot refuse every large batch. The limit goes in the
layout the user's overrides use: Tempo refuses to start with both.
*/ -}}
{{- $overrides := get $tempo.structuredConfig "overrides" | default dict -}}
{{- $ingestion := get (get $overrides "defaults" | default dict) "ingestion" | default dict -}}
{{- $ownRateLimit := or (hasKey $overrides "ingestion_rate_limit_bytes") (hasKey $overrides "ingestion_burst_size_bytes") (hasKey $ingestion "rate_limit_bytes") (hasKey $ingestion "burst_size_bytes") -}}
{{- if not $ownRateLimit -}}
{{- if include "tempo.config.flatOverrides" $ | fromJsonArray -}}
{{- $_ := set $config "overrides" (dict "ingestion_rate_limit_bytes" .rateLimitBytes "ingestion_burst_size_bytes" .burstBytes) -}}
{{- else -}}
{{- $_ := set $config "overrides" (dict "defaults" (dict "ingestion" (dict "rate_limit_bytes" .rateLimitBytes "burst_size_bytes" .burstBytes))) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- toYaml $config -}}
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
tempo.config.listeners: every port Tempo binds, as a JSON list of {name, port, setting, default,
exposed}. Exposed listeners become container and Service ports; all of them must differ.
Usage: {{ include "tempo.config.listeners" . | fromJsonArray }}
*/ -}}
{{- define "tempo.config.listeners" -}}
{{- $tempo := .Values.tempo -}}
{{- $listeners := list
  (dict "name" "http" "port" $tempo.server.httpListenPort "setting" "tempo.server.httpListenPort" "default" 3200 "exposed" true)
  (dict "name" "grpc" "port" $tempo.server.grpcListenPort "setting" "tempo.server.grpcListenPort" "default" 9095 "exposed" false)
-}}
{{- range $protocol := list "grpc" "http" -}}
{{- $receiver := get $tempo.receivers.otlp $protocol -}}
{{- if $receiver.enabled -}}
{{- $listeners = append $listeners (dict
  "name" (printf "otlp-%s" $protocol)
  "port" $receiver.port
  "setting" (printf "tempo.receivers.otlp.%s.port" $protocol)
  "default" (ternary 4317 4318 (eq $protocol "grpc"))
  "exposed" true) -}}
{{- end -}}
{{- end -}}
{{- /* memberlist gossip binds even in single-binary mode, so it counts as a listener. */ -}}
{{- $memberlist := (include "tempo.config.merged" . | fromYaml).memberlist | default dict -}}
{{- $listeners = append $listeners (dict
  "name" "memberlist"
  "port" ($memberlist.bind_port | default 7946)
  "setting" "tempo.structuredConfig.memberlist.bind_port"
  "default" 7946
  "exposed" false) -}}
{{- toJson $listeners -}}
{{- end -}}

{{- /*
tempo.config.literalCredentials: the dotted paths in (part of) a Tempo configuration where a
credential (access_key, secret_key, session_token, storage_account_key, password, acl_token)
holds a literal value rather than an environment reference such as ${S3_SECRET_KEY}, as a JSON list.
Usage: {{ include "tempo.config.literalCredentials" (dict "node" $config "path" "") | fromJsonArray }}
*/ -}}
{{- define "tempo.config.literalCredentials" -}}
{{- $found := list -}}
{{- $credentialKeys := list "access_key" "secret_key" "session_token" "storage_account_key" "password" "acl_token" -}}
{{- if kindIs "map" .node -}}
{{- range $key, $value := .node -}}
{{- $path := ternary $key (printf "%s.%s" $.path $key) (eq $.path "") -}}
{{- if and (has $key $credentialKeys) (not (kindIs "map" $value)) (not (kindIs "slice" $value)) (not (kindIs "invalid" $value)) -}}
{{- $text := toString $value -}}
{{- if and (ne $text "") (not (regexMatch "^\\$\\{[A-Za-z_][A-Za-z0-9_]*(:-[^}]*)?\\}$" $text)) -}}
{{- $found = append $found $path -}}
{{- end -}}
{{- else -}}
{{- $found = concat $found (include "tempo.config.literalCredentials" (dict "node" $value "path" $path) | fromJsonArray) -}}
{{- end -}}
{{- end -}}
{{- else if kindIs "slice" .node -}}
{{- range $index, $item := .node -}}
{{- $found = concat $found (include "tempo.config.literalCredentials" (dict "node" $item "path" (printf "%s.%d" $.path $index)) | fromJsonArray) -}}
{{- end -}}
{{- end -}}
{{- toJson $found -}}
{{- end -}}
