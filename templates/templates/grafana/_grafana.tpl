{{- /*
tempo.grafana.provisioning: a Grafana data source provisioning file for this Tempo, as YAML. Through
the gateway Grafana signs in with basic auth, its password read by Grafana from an environment
variable; directly, it streams search results (which needs Tempo's stream_over_http_enabled, set by
tempo.configSection.api) and names its tenant with X-Scope-OrgID when multitenancy is on.
Usage: {{ include "tempo.grafana.provisioning" . | nindent 4 }}
*/ -}}
{{- define "tempo.grafana.provisioning" -}}
{{- $datasource := .Values.grafana.datasource -}}
{{- $endpoints := include "tempo.names.endpoints" . | fromJson -}}
{{- $viaGateway := $endpoints.viaGateway -}}
{{- $url := $endpoints.clients.query.url -}}
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

{{- /*
tempo.validate.grafana: a data source Grafana can use: through the gateway, as a user the gateway
has (from gateway.basicAuth.users; a Secret of one's own is not read), else every query is refused
with 401; and a tenant exactly where Tempo has tenants and the gateway does not set them.
Usage: {{ include "tempo.validate.grafana" . | fromJsonArray }}
*/ -}}
{{- define "tempo.validate.grafana" -}}
{{- $messages := list -}}
{{- $datasource := .Values.grafana.datasource -}}
{{- if and $datasource.enabled .Values.gateway.enabled -}}
{{- $username := $datasource.basicAuth.username -}}
{{- $users := list -}}
{{- range .Values.gateway.basicAuth.users -}}
{{- $users = append $users .username -}}
{{- end -}}
{{- if not $username -}}
{{- $messages = append $messages "ERROR: grafana.datasource.enabled and gateway.enabled are both true, but grafana.datasource.basicAuth.username is empty, so Grafana could not pass the gateway. Name the gateway user Grafana signs in as, and give Grafana its password in the environment variable grafana.datasource.basicAuth.passwordEnv." -}}
{{- else if and $users (not (has $username $users)) -}}
{{- $messages = append $messages (printf "ERROR: grafana.datasource.basicAuth.username is %s, but the gateway has no such user (gateway.basicAuth.users: %s), so it would refuse every query of Grafana's with 401. Sign Grafana in as one of them, or add %s to gateway.basicAuth.users." $username (join ", " $users) $username) -}}
{{- end -}}
{{- end -}}
{{- if $datasource.enabled -}}
{{- /* Isolation asked for and not given: without multitenancy Tempo has one tenant, whatever the header says. */ -}}
{{- if not .Values.tempo.multitenancyEnabled -}}
{{- if $datasource.tenant -}}
{{- $messages = append $messages (printf "ERROR: grafana.datasource.tenant is %s, but tempo.multitenancyEnabled is false, so Tempo has no tenants and the data source would see every trace. Set tempo.multitenancyEnabled to true, or remove grafana.datasource.tenant." $datasource.tenant) -}}
{{- end -}}
{{- else if and (not .Values.gateway.enabled) (not $datasource.tenant) -}}
{{- $messages = append $messages "ERROR: grafana.datasource.enabled and tempo.multitenancyEnabled are both true without the gateway, but grafana.datasource.tenant is empty, and Tempo refuses every query without X-Scope-OrgID. Name the tenant Grafana reads in grafana.datasource.tenant." -}}
{{- end -}}
{{- if and .Values.gateway.enabled $datasource.tenant -}}
{{- $messages = append $messages "ERROR: grafana.datasource.tenant is set while gateway.enabled is true, but the gateway replaces X-Scope-OrgID with the tenant of the user Grafana signs in as. Remove grafana.datasource.tenant and give that user the tenant in gateway.basicAuth.users." -}}
{{- end -}}
{{- end -}}
{{- toJson $messages -}}
{{- end -}}
