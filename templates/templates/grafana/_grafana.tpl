{{- /*
tempo.grafana.provisioning: a Grafana data source provisioning file for this Tempo, as YAML. Through
the gateway Grafana signs in with basic auth, its password read by Grafana from an environment
variable; directly, it streams search results (which needs Tempo's stream_over_http_enabled, set by
tempo.configSection.api) and names its tenant with X-Scope-OrgID when multitenancy is on.
Usage: {{ include "tempo.grafana.provisioning" . | nindent 4 }}
*/ -}}
{{- define "tempo.grafana.provisioning" -}}
{{- $datasource := .Values.grafana.datasource -}}
{{- $viaGateway := .Values.gateway.enabled -}}
{{- $url := include "tempo.names.url" (dict "root" . "service" (include "tempo.names.fullname" .) "port" .Values.tempo.server.httpListenPort) -}}
{{- if $viaGateway -}}
{{- $url = include "tempo.names.url" (dict "root" . "service" (include "tempo.gateway.name" .) "port" .Values.gateway.httpPort) -}}
{{- end -}}
{{- $jsonData := dict "nodeGraph" (dict "enabled" true) "search" (dict "hide" false) -}}
{{- $secure := dict -}}
{{- $entry := dict "name" $datasource.name "type" "tempo" "uid" $datasource.uid "access" "proxy" "url" $url "isDefault" $datasource.isDefault "editable" false -}}
{{- if $viaGateway -}}
{{- $_ := set $entry "basicAuth" true -}}
{{- $_ := set $entry "basicAuthUser" $datasource.basicAuth.username -}}
{{- $_ := set $secure "basicAuthPassword" (printf "${%s}" $datasource.basicAuth.passwordEnv) -}}
{{- else -}}
{{- /* The gateway speaks HTTP/1.1 to Grafana: streaming needs HTTP/2 straight to Tempo. */ -}}
{{- $_ := set $jsonData "streamingEnabled" (dict "search" true) -}}
{{- if and .Values.tempo.multitenancyEnabled $datasource.tenant -}}
{{- $_ := set $jsonData "httpHeaderName1" "X-Scope-OrgID" -}}
{{- $_ := set $secure "httpHeaderValue1" $datasource.tenant -}}
{{- end -}}
{{- end -}}
{{- with $datasource.serviceMap.datasourceUid -}}
{{- $_ := set $jsonData "serviceMap" (dict "datasourceUid" .) -}}
{{- end -}}
{{- with $datasource.tracesToLogs.datasourceUid -}}
{{- $_ := set $jsonData "tracesToLogsV2" (dict "datasourceUid" . "tags" $datasource.tracesToLogs.tags "filterByTraceID" $datasource.tracesToLogs.filterByTraceID "spanStartTimeShift" "-5m" "spanEndTimeShift" "5m") -}}
{{- end -}}
{{- with $datasource.tracesToMetrics.datasourceUid -}}
{{- $_ := set $jsonData "tracesToMetrics" (dict "datasourceUid" .) -}}
{{- end -}}
{{- $_ := set $entry "jsonData" $jsonData -}}
{{- with $secure -}}
{{- $_ := set $entry "secureJsonData" . -}}
{{- end -}}
{{- toYaml (dict "apiVersion" 1 "datasources" (list $entry)) -}}
{{- end -}}
