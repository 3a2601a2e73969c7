{{- /*
tempo.routes.backends: what an Ingress or HTTPRoute exposes, as a JSON list of {path, exact, service,
port}: the query API (/api) and OTLP over HTTP (/v1/traces, while that receiver is on), at the gateway
when it is enabled, else at Tempo's Services.
Usage: {{ range include "tempo.routes.backends" . | fromJsonArray }}{{ .path }}{{ end }}
*/ -}}
{{- define "tempo.routes.backends" -}}
{{- $tempo := .Values.tempo -}}
{{- $backends := list -}}
{{- if .Values.gateway.enabled -}}
{{- $gateway := include "tempo.gateway.name" . -}}
{{- $backends = append $backends (dict "path" "/api" "exact" false "service" $gateway "port" (int .Values.gateway.httpPort)) -}}
{{- if $tempo.receivers.otlp.http.enabled -}}
{{- $backends = append $backends (dict "path" "/v1/traces" "exact" true "service" $gateway "port" (int .Values.gateway.httpPort)) -}}
{{- end -}}
{{- else -}}
{{- $backends = append $backends (dict "path" "/api" "exact" false "service" (include "tempo.names.fullname" .) "port" (int $tempo.server.httpListenPort)) -}}
{{- if $tempo.receivers.otlp.http.enabled -}}
{{- $backends = append $backends (dict "path" "/v1/traces" "exact" true "service" (include "tempo.names.receivers" .) "port" (int $tempo.receivers.otlp.http.port)) -}}
{{- end -}}
{{- end -}}
{{- toJson $backends -}}
{{- end -}}
