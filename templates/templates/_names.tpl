{{- /*
tempo.names.name: the chart name, or nameOverride. Used for the app.kubernetes.io/name label.
Usage: {{ include "tempo.names.name" . }}
*/ -}}
{{- define "tempo.names.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- /*
tempo.names.fullname: the name of every resource. A release named like the chart gives just that name
(release "tempo" -> "tempo"); any other release is prefixed ("prod" -> "prod-tempo").
Usage: {{ include "tempo.names.fullname" . }}
*/ -}}
{{- define "tempo.names.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := include "tempo.names.name" . -}}
{{- if eq .Release.Name $name -}}
{{- $name -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- /*
tempo.names.suffixed: the name of one of the release's objects beside Tempo's own: the fullname, cut so
that with "-<suffix>" it keeps within the 63 characters of a DNS label, then "-<suffix>". Every
suffixed name of the chart is made here, with this one rule.
Usage: {{ include "tempo.names.suffixed" (dict "root" . "suffix" "gateway") }}
*/ -}}
{{- define "tempo.names.suffixed" -}}
{{- printf "%s-%s" (include "tempo.names.fullname" .root | trunc (int (sub 62 (len .suffix))) | trimSuffix "-") .suffix -}}
{{- end -}}

{{- /*
tempo.names.headless: the headless Service of a scaled-out Tempo, which governs its StatefulSet and
through which its pods find each other.
Usage: {{ include "tempo.names.headless" . }}
*/ -}}
{{- define "tempo.names.headless" -}}
{{- include "tempo.names.suffixed" (dict "root" . "suffix" "headless") -}}
{{- end -}}

{{- /*
tempo.names.ingest: the Service that carries only the receivers' ports (service.ingest).
Usage: {{ include "tempo.names.ingest" . }}
*/ -}}
{{- define "tempo.names.ingest" -}}
{{- include "tempo.names.suffixed" (dict "root" . "suffix" "ingest") -}}
{{- end -}}

{{- /*
tempo.names.receivers: the Service that carries the receivers' ports: the ingest Service with
service.ingest or architecture distributed (where it is the distributors'), else the main one.
Usage: {{ include "tempo.names.receivers" . }}
*/ -}}
{{- define "tempo.names.receivers" -}}
{{- ternary (include "tempo.names.ingest" .) (include "tempo.names.fullname" .) (or .Values.service.ingest.enabled (eq (include "tempo.distributed.on" .) "true")) -}}
{{- end -}}

{{- /*
tempo.names.host: a Service's name inside the cluster, <service>.<namespace>.svc.
Usage: {{ include "tempo.names.host" (dict "root" . "service" (include "tempo.names.fullname" .)) }}
*/ -}}
{{- define "tempo.names.host" -}}
{{- printf "%s.%s.svc" .service (include "tempo.names.namespace" .root) -}}
{{- end -}}

{{- /*
tempo.names.url: the plain-HTTP address of a Service's port inside the cluster, http://<host>:<port>.
Usage: {{ include "tempo.names.url" (dict "root" . "service" (include "tempo.names.fullname" .) "port" 3200) }}
*/ -}}
{{- define "tempo.names.url" -}}
{{- printf "http://%s:%d" (include "tempo.names.host" .) (int .port) -}}
{{- end -}}

{{- /*
tempo.names.endpointsUncached: computes tempo.names.endpoints; _memoized.tpl, written by the
build, defines tempo.names.endpoints around it, computed once per rendering (tempo.util.once).
tempo.names.endpoints: where the release answers inside the cluster, as JSON {viaGateway, direct,
clients}. direct holds Tempo's own addresses, each {service, port, host, url}: query (the HTTP API),
and while their receivers listen otlpHttp and otlpGrpc (on the ingest Service when there is one).
clients holds what a client of the release uses, the same entries through the gateway when it is on
(its HTTP port for the query API and OTLP over HTTP, its gRPC port for OTLP over gRPC), else direct.
Ports come from the wiring table's listeners. Every address of the chart is read here: the gateway's
upstreams, Grafana's data source, the routes, the helm test and NOTES.
Usage: {{ (include "tempo.names.endpoints" . | fromJson).clients.query.url }}
*/ -}}
{{- define "tempo.names.endpointsUncached" -}}
{{- $root := . -}}
{{- $address := dict -}}
{{- $allListeners := dict -}}
{{- include "tempo.util.parsed" (dict "root" . "name" "tempo.config.listeners" "into" $allListeners) -}}
{{- range $listener := $allListeners.value -}}
{{- $service := ternary (include "tempo.names.receivers" $root) (include "tempo.names.fullname" $root) (eq (toString $listener.receiver) "true") -}}
{{- $_ := set $address $listener.name (dict "service" $service "port" (int $listener.port)) -}}
{{- end -}}
{{- $direct := dict -}}
{{- range $entry, $listener := dict "query" "http" "otlpHttp" "otlp-http" "otlpGrpc" "otlp-grpc" -}}
{{- with get $address $listener -}}
{{- $_ := set $direct $entry . -}}
{{- end -}}
{{- end -}}
{{- $clients := deepCopy $direct -}}
{{- $viaGateway := .Values.gateway.enabled -}}
{{- if $viaGateway -}}
{{- $gateway := include "tempo.gateway.name" . -}}
{{- $clients = dict "query" (dict "service" $gateway "port" (int .Values.gateway.httpPort)) -}}
{{- if hasKey $direct "otlpHttp" -}}
{{- $_ := set $clients "otlpHttp" (dict "service" $gateway "port" (int .Values.gateway.httpPort)) -}}
{{- end -}}
{{- if hasKey $direct "otlpGrpc" -}}
{{- $_ := set $clients "otlpGrpc" (dict "service" $gateway "port" (int .Values.gateway.grpcPort)) -}}
{{- end -}}
{{- end -}}
{{- range $addresses := list $direct $clients -}}
{{- range $entry, $at := $addresses -}}
{{- $_ := set $at "host" (include "tempo.names.host" (dict "root" $root "service" $at.service)) -}}
{{- $_ := set $at "url" (include "tempo.names.url" (dict "root" $root "service" $at.service "port" $at.port)) -}}
{{- end -}}
{{- end -}}
{{- toJson (dict "viaGateway" $viaGateway "direct" $direct "clients" $clients) -}}
{{- end -}}

{{- /*
tempo.names.namespace: the namespace every resource lands in: namespaceOverride, else the release's.
Usage: {{ include "tempo.names.namespace" . }}
*/ -}}
{{- define "tempo.names.namespace" -}}
{{- default .Release.Namespace .Values.namespaceOverride -}}
{{- end -}}

{{- /*
tempo.names.serviceAccount: the ServiceAccount the pod runs as.
Usage: {{ include "tempo.names.serviceAccount" . }}
*/ -}}
{{- define "tempo.names.serviceAccount" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "tempo.names.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}
