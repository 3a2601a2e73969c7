{{- /*
tempo.receivers.tls: TLS for the receivers (tempo.receivers.tls), as JSON: {settings (the receivers'
tls block; empty when off), volumes, mounts}.
Usage: {{ include "tempo.receivers.tls" . | fromJson }}
*/ -}}
{{- define "tempo.receivers.tls" -}}
{{- $tls := .Values.tempo.receivers.tls -}}
{{- $result := dict "settings" dict "volumes" list "mounts" list -}}
{{- if and $tls.enabled $tls.existingSecret -}}
{{- $dir := "/tls/receivers" -}}
{{- $files := list "tls.crt" "tls.key" -}}
{{- $settings := dict "cert_file" (printf "%s/tls.crt" $dir) "key_file" (printf "%s/tls.key" $dir) -}}
{{- if $tls.requireClientCertificate -}}
{{- $files = append $files "ca.crt" -}}
{{- $_ := set $settings "client_ca_file" (printf "%s/ca.crt" $dir) -}}
{{- end -}}
{{- $_ := set $result "settings" $settings -}}
{{- $_ := set $result "volumes" (list (dict "name" "receivers-tls" "secret" (dict "secretName" $tls.existingSecret))) -}}
{{- $_ := set $result "mounts" (list (dict "name" "receivers-tls" "mountPath" $dir "readOnly" true "files" $files)) -}}
{{- end -}}
{{- toJson $result -}}
{{- end -}}

{{- /*
tempo.receivers.largestRequest: the largest request, in bytes, that an enabled receiver accepts (the
maxRequestBytes of the wiring table's receivers), or 0 when none is on. The ingestion burst must be at
least this: Tempo refuses a request larger than the burst on every retry.
Usage: {{ include "tempo.receivers.largestRequest" . | int64 }}
*/ -}}
{{- define "tempo.receivers.largestRequest" -}}
{{- $largest := 0 -}}
{{- $allListeners := dict -}}
{{- include "tempo.util.parsed" (dict "root" . "name" "tempo.config.listeners" "into" $allListeners) -}}
{{- range $listener := $allListeners.value -}}
{{- $largest = max $largest (int64 ($listener.maxRequestBytes | default 0)) -}}
{{- end -}}
{{- $largest -}}
{{- end -}}
