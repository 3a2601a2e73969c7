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
service.ingest, else the main one.
Usage: {{ include "tempo.names.receivers" . }}
*/ -}}
{{- define "tempo.names.receivers" -}}
{{- ternary (include "tempo.names.ingest" .) (include "tempo.names.fullname" .) .Values.service.ingest.enabled -}}
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
