{{- /*
tempo.service.ports: the Service ports of Tempo's exposed listeners, as a JSON list. With
service.ingest.enabled the receivers' ports (ingest true) go on the ingest Service and the rest on the
main one; otherwise all go on the main one. Each port carries its protocol (UDP for Jaeger's Thrift
agents), its appProtocol for meshes, and its service.nodePorts entry.
Usage: {{ include "tempo.service.ports" (dict "root" . "ingest" false) | fromJsonArray }}
*/ -}}
{{- define "tempo.service.ports" -}}
{{- $root := .root -}}
{{- /* Distributed, the receivers are the distributors' and the rest the query-frontend's. */ -}}
{{- $separate := or $root.Values.service.ingest.enabled (include "tempo.distributed.on" $root) -}}
{{- $ports := list -}}
{{- $allListeners := dict -}}
{{- include "tempo.util.parsed" (dict "root" $root "name" "tempo.config.listeners" "into" $allListeners) -}}
{{- range $listener := $allListeners.value -}}
{{- if and $listener.exposed (or (not $separate) (eq $listener.receiver $.ingest)) -}}
{{- $port := dict "name" $listener.name "port" (int $listener.port) "targetPort" $listener.name "protocol" $listener.protocol -}}
{{- with $listener.appProtocol -}}
{{- $_ := set $port "appProtocol" . -}}
{{- end -}}
{{- with get $root.Values.service.nodePorts $listener.name -}}
{{- $_ := set $port "nodePort" (int .) -}}
{{- end -}}
{{- $ports = append $ports $port -}}
{{- end -}}
{{- end -}}
{{- toJson $ports -}}
{{- end -}}

{{- /*
tempo.service.spec: the spec of the main Service or the ingest one, as YAML, from its settings
(service or service.ingest: type, loadBalancerSourceRanges, externalTrafficPolicy) and the shared
service.ipFamilyPolicy, selecting Tempo's pods, or the pods of selector (YAML) when given.
Usage: {{ include "tempo.service.spec" (dict "root" . "settings" .Values.service "ingest" false) | nindent 2 }}
*/ -}}
{{- define "tempo.service.spec" -}}
{{- $root := .root -}}
{{- $settings := .settings -}}
type: {{ $settings.type }}
{{- with $root.Values.service.ipFamilyPolicy }}
ipFamilyPolicy: {{ . }}
{{- end }}
{{- if and (ne $settings.type "ClusterIP") $settings.externalTrafficPolicy }}
externalTrafficPolicy: {{ $settings.externalTrafficPolicy }}
{{- end }}
{{- if eq $settings.type "LoadBalancer" }}
{{- with $settings.loadBalancerSourceRanges }}
loadBalancerSourceRanges:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}
selector:
  {{- .selector | default (include "tempo.labels.selector" $root) | nindent 2 }}
ports:
  {{- toYaml (include "tempo.service.ports" (dict "root" $root "ingest" .ingest) | fromJsonArray) | nindent 2 }}
{{- end -}}
