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
tempo.names.headless: the headless Service of a scaled-out Tempo, which governs its StatefulSet and
through which its pods find each other.
Usage: {{ include "tempo.names.headless" . }}
*/ -}}
{{- define "tempo.names.headless" -}}
{{- printf "%s-headless" (include "tempo.names.fullname" . | trunc 54 | trimSuffix "-") -}}
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

{{- /*
tempo.labels.selector: the labels that select Tempo's pods. Only name and instance: selectors are
immutable, so a label that changes between releases (version, chart) would break helm upgrade.
Usage: {{ include "tempo.labels.selector" . | nindent 4 }}
*/ -}}
{{- define "tempo.labels.selector" -}}
app.kubernetes.io/name: {{ include "tempo.names.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- /*
tempo.labels.pod: the recommended Kubernetes labels of a pod template. No chart version: a label that
changes with every chart release would restart the pods of an upgrade that changes nothing else.
Usage: {{ include "tempo.labels.pod" . | nindent 8 }}
*/ -}}
{{- define "tempo.labels.pod" -}}
{{ include "tempo.labels.selector" . }}
{{- /* A tag may be 128 characters and start with "_"; a label value may not. */}}
app.kubernetes.io/version: {{ include "tempo.image.tag" . | trunc 63 | trimAll "-_." | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- /*
tempo.labels.standard: the recommended Kubernetes labels every resource carries: the pod's, and the
chart that made it.
Usage: {{ include "tempo.labels.standard" . | nindent 4 }}
*/ -}}
{{- define "tempo.labels.standard" -}}
{{ include "tempo.labels.pod" . }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end -}}

{{- /*
tempo.image.tag: the image tag, which defaults to the chart's appVersion.
Usage: {{ include "tempo.image.tag" . }}
*/ -}}
{{- define "tempo.image.tag" -}}
{{- default .Chart.AppVersion .Values.image.tag -}}
{{- end -}}

{{- /*
tempo.image.reference: registry/repository:tag, with @digest appended when a digest is set.
Usage: {{ include "tempo.image.reference" . }}
*/ -}}
{{- define "tempo.image.reference" -}}
{{- $image := .Values.image -}}
{{- printf "%s/%s:%s" $image.registry $image.repository (include "tempo.image.tag" .) -}}
{{- with $image.digest }}@{{ . }}{{ end -}}
{{- end -}}

{{- /*
tempo.util.deepMerge: merges src into dst in place. Maps merge key by key; any other value, false and
0 included, replaces; null removes the key. (Sprig's mergeOverwrite cannot set false, 0 or "".)
Usage: {{- include "tempo.util.deepMerge" (dict "dst" $config "src" $override) -}}
*/ -}}
{{- define "tempo.util.deepMerge" -}}
{{- $dst := .dst -}}
{{- range $key, $value := .src -}}
{{- if kindIs "invalid" $value -}}
{{- $_ := unset $dst $key -}}
{{- else if and (kindIs "map" $value) (kindIs "map" (get $dst $key)) -}}
{{- include "tempo.util.deepMerge" (dict "dst" (get $dst $key) "src" $value) -}}
{{- else -}}
{{- $_ := set $dst $key $value -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- /*
tempo.util.valueAt: the value at a dotted path of a map (the values, or a Tempo configuration), as
JSON {"value": ...}, so that numbers and booleans keep their type; null where the path ends early.
Usage: {{ include "tempo.util.valueAt" (dict "values" .Values "path" "tempo.server.httpListenPort") | fromJson | dig "value" 0 }}
*/ -}}
{{- define "tempo.util.valueAt" -}}
{{- $node := .values -}}
{{- /* A path that ends early (a missing or null block) has no value: an empty map stands in for it. */ -}}
{{- range $part := splitList "." .path -}}
{{- if kindIs "map" $node -}}
{{- $node = get $node $part -}}
{{- else -}}
{{- $node = dict -}}
{{- end -}}
{{- end -}}
{{- toJson (dict "value" $node) -}}
{{- end -}}
