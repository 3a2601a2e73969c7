{{- /*
tempo.overrides.perTenantFile: the per-tenant overrides file, as JSON {configMap, own (the chart
renders the ConfigMap), dir, key, path}, or {} without one. Mounted as a whole directory, never by
subPath, so that the kubelet updates the file in place and Tempo reloads it without a restart.
Usage: {{ with include "tempo.overrides.perTenantFile" . | fromJson }}{{ .path }}{{ end }}
*/ -}}
{{- define "tempo.overrides.perTenantFile" -}}
{{- $overrides := .Values.tempo.overrides -}}
{{- $result := dict -}}
{{- if or $overrides.perTenant $overrides.existingConfigMap -}}
{{- $name := $overrides.existingConfigMap | default (include "tempo.names.suffixed" (dict "root" . "suffix" "overrides")) -}}
{{- $result = dict "configMap" $name "own" (not $overrides.existingConfigMap) "dir" "/overrides" "key" "overrides.yaml" "path" "/overrides/overrides.yaml" -}}
{{- end -}}
{{- toJson $result -}}
{{- end -}}

{{- /*
tempo.configSection.overrides: the limits every tenant gets (tempo.overrides.defaults) and the
per-tenant file, in the layout the user's overrides use: Tempo refuses to start with both. In the flat
layout of tempo.structuredConfig.overrides the derived settings take their flat names.
Usage: {{ include "tempo.configSection.overrides" $context | fromJson }} (see tempo.config.generated)
*/ -}}
{{- define "tempo.configSection.overrides" -}}
{{- $derived := include "tempo.overrides.derived" . | fromJson -}}
{{- $overrides := dict -}}
{{- if include "tempo.config.flatOverrides" .root | fromJsonArray -}}
{{- range $nested, $flat := dict "rate_limit_bytes" "ingestion_rate_limit_bytes" "burst_size_bytes" "ingestion_burst_size_bytes" "max_traces_per_user" "max_traces_per_user" -}}
{{- if hasKey ($derived.ingestion | default dict) $nested -}}
{{- $_ := set $overrides $flat (get $derived.ingestion $nested) -}}
{{- end -}}
{{- end -}}
{{- with $derived.metrics_generator -}}
{{- $_ := set $overrides "metrics_generator_processors" .processors -}}
{{- end -}}
{{- else -}}
{{- with include "tempo.overrides.defaults" .root | fromJson -}}
{{- $_ := set $overrides "defaults" . -}}
{{- end -}}
{{- end -}}
{{- with include "tempo.overrides.perTenantFile" .root | fromJson -}}
{{- $_ := set $overrides "per_tenant_override_config" .path -}}
{{- end -}}
{{- with $overrides -}}
{{- toJson (dict "overrides" .) -}}
{{- end -}}
{{- end -}}

{{- /*
tempo.overrides.derived: the overrides the chart derives, in the nested layout, as JSON. The ingestion
rate that fits the memory limit, with a burst of the largest request the enabled receivers accept
(tempo.receivers.largestRequest: Tempo refuses for ever a request larger than the burst); where the
series' sizing rules say so (2.10 and 3.0), no limit on the number of live traces (past it Tempo
drops spans it has already acknowledged, while the rate already bounds what comes in); and the
metrics-generator's processors. The rate and its burst work as one: a user who sets either gets
neither derived, and Tempo's own burst (20 MB) admits every receiver's largest request.
Usage: {{ include "tempo.overrides.derived" (dict "root" . "protection" $protection) | fromJson }}
*/ -}}
{{- define "tempo.overrides.derived" -}}
{{- $values := .root.Values.tempo -}}
{{- $structured := get $values.structuredConfig "overrides" | default dict -}}
{{- $ownIngestion := get $values.overrides.defaults "ingestion" | default dict -}}
{{- $ownRateLimit := or (hasKey $structured "ingestion_rate_limit_bytes") (hasKey $structured "ingestion_burst_size_bytes") (hasKey $ownIngestion "rate_limit_bytes") (hasKey $ownIngestion "burst_size_bytes") -}}
{{- $derived := dict -}}
{{- if and .protection.rateLimitBytes (not $ownRateLimit) -}}
{{- $_ := set $derived "ingestion" (dict "rate_limit_bytes" (int64 .protection.rateLimitBytes) "burst_size_bytes" (include "tempo.receivers.largestRequest" .root | int64)) -}}
{{- end -}}
{{- if hasKey .protection "maxTracesPerUser" -}}
{{- $_ := set $derived "ingestion" (merge (get $derived "ingestion" | default dict) (dict "max_traces_per_user" (int64 .protection.maxTracesPerUser))) -}}
{{- end -}}
{{- if $values.metricsGenerator.enabled -}}
{{- $_ := set $derived "metrics_generator" (dict "processors" $values.metricsGenerator.processors) -}}
{{- end -}}
{{- toJson $derived -}}
{{- end -}}

{{- /*
tempo.overrides.defaults: the limits every tenant gets, in the nested layout, as JSON: the derived
overrides with tempo.overrides.defaults merged over them.
Usage: {{ include "tempo.overrides.defaults" . | fromJson }}
*/ -}}
{{- define "tempo.overrides.defaults" -}}
{{- $defaults := include "tempo.overrides.derived" (dict "root" . "protection" (include "tempo.sizing.protection" . | fromJson)) | fromJson -}}
{{- include "tempo.util.deepMerge" (dict "dst" $defaults "src" (deepCopy .Values.tempo.overrides.defaults)) -}}
{{- toJson $defaults -}}
{{- end -}}

{{- /*
tempo.overrides.perTenant: the per-tenant overrides file's tenants, as JSON. Tempo uses a tenant's
entry as it stands, not over the defaults (an entry that sets only block_retention would get an
ingestion limit of 0 bytes), so each entry is the defaults with the tenant's own settings merged over
them; a tenant's null removes a default.
Usage: {{ include "tempo.overrides.perTenant" . | fromJson }}
*/ -}}
{{- define "tempo.overrides.perTenant" -}}
{{- $defaults := include "tempo.overrides.defaults" . | fromJson -}}
{{- $tenants := dict -}}
{{- range $tenant, $own := .Values.tempo.overrides.perTenant -}}
{{- $entry := deepCopy $defaults -}}
{{- include "tempo.util.deepMerge" (dict "dst" $entry "src" (deepCopy ($own | default dict))) -}}
{{- $_ := set $tenants $tenant $entry -}}
{{- end -}}
{{- toJson $tenants -}}
{{- end -}}

{{- /*
tempo.overrides.places: where the values set overrides, as a JSON list of {name: the value's path,
value}: tempo.overrides.defaults, then each tenant of tempo.overrides.perTenant. Every rule that reads
the overrides the values set (the schema check, the release's rules, credentials) names them so.
Usage: {{ include "tempo.overrides.places" . | fromJsonArray }}
*/ -}}
{{- define "tempo.overrides.places" -}}
{{- $places := list (dict "name" "tempo.overrides.defaults" "value" .Values.tempo.overrides.defaults) -}}
{{- range $tenant, $own := .Values.tempo.overrides.perTenant -}}
{{- $places = append $places (dict "name" (printf "tempo.overrides.perTenant.%s" $tenant) "value" ($own | default dict)) -}}
{{- end -}}
{{- toJson $places -}}
{{- end -}}

{{- /*
tempo.config.flatOverrides: the keys of tempo.structuredConfig.overrides in Tempo's older flat layout,
as a JSON list. Tempo reads overrides in the nested layout (overrides.defaults) or the flat one, never
both; the schema admits only keys of either, so any key but those of the nested layout's block (the
series' own list, from its release) is a flat one.
Usage: {{ include "tempo.config.flatOverrides" . | fromJsonArray }}
*/ -}}
{{- define "tempo.config.flatOverrides" -}}
{{- $flat := list -}}
{{- $overrides := get .Values.tempo.structuredConfig "overrides" -}}
{{- if kindIs "map" $overrides -}}
{{- $nested := (include "tempo.version" . | fromJson).overridesBlockKeys -}}
{{- range $key, $_ := $overrides -}}
{{- if not (has $key $nested) -}}
{{- $flat = append $flat $key -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- toJson $flat -}}
{{- end -}}
