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
tempo.labels.podUncached: computes tempo.labels.pod; _memoized.tpl, written by the
build, defines tempo.labels.pod around it, computed once per rendering (tempo.util.once).
tempo.labels.pod: the labels of a pod template, as YAML: the recommended Kubernetes labels over
commonLabels. No chart version: a label that changes with every chart release would restart the pods
of an upgrade that changes nothing else.
Usage: {{ include "tempo.labels.pod" . | nindent 8 }}
*/ -}}
{{- define "tempo.labels.podUncached" -}}
{{- $recommended := include "tempo.labels.selector" . | fromYaml -}}
{{- /* A tag may be 128 characters and start with "_"; a label value may not. */ -}}
{{- $_ := set $recommended "app.kubernetes.io/version" (include "tempo.image.tag" . | trunc 63 | trimAll "-_.") -}}
{{- $_ := set $recommended "app.kubernetes.io/managed-by" .Release.Service -}}
{{- toYaml (merge $recommended .Values.commonLabels) -}}
{{- end -}}

{{- /*
tempo.labels.standardUncached: computes tempo.labels.standard; _memoized.tpl, written by the
build, defines tempo.labels.standard around it, computed once per rendering (tempo.util.once).
tempo.labels.standard: the labels every resource carries, as YAML: the pod's, and the chart that made it.
Usage: {{ include "tempo.labels.standard" . | nindent 4 }}
*/ -}}
{{- define "tempo.labels.standardUncached" -}}
{{- $labels := include "tempo.labels.pod" . | fromYaml -}}
{{- $_ := set $labels "helm.sh/chart" (printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-") -}}
{{- toYaml $labels -}}
{{- end -}}

{{- /*
tempo.labels.componentSelector: the labels that select the pods of a part of the release other than
Tempo (the gateway, the helm test), as YAML: a name of their own, so that Tempo's Services, which
select by name and instance, never send them traffic.
Usage: {{ include "tempo.labels.componentSelector" (dict "root" . "component" "gateway") | nindent 6 }}
*/ -}}
{{- define "tempo.labels.componentSelector" -}}
app.kubernetes.io/name: {{ printf "%s-%s" (include "tempo.names.name" .root | trunc 50 | trimSuffix "-") .component }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- end -}}

{{- /*
tempo.labels.component: the labels of such a part's resources (pod true: of its pods), as YAML: the
chart's own, with the part's name, version and component.
Usage: {{ include "tempo.labels.component" (dict "root" . "component" "gateway" "version" $tag "pod" false) | nindent 4 }}
*/ -}}
{{- define "tempo.labels.component" -}}
{{- $labels := include "tempo.labels.with" (dict "root" .root "pod" .pod) | fromYaml -}}
{{- $labels = merge (include "tempo.labels.componentSelector" . | fromYaml) $labels -}}
{{- $_ := set $labels "app.kubernetes.io/version" (.version | trunc 63 | trimAll "-_.") -}}
{{- $_ := set $labels "app.kubernetes.io/component" .component -}}
{{- toYaml $labels -}}
{{- end -}}

{{- /*
tempo.labels.with: a resource's labels, as YAML: the standard ones (or a pod's) over the resource's own
(service.labels, podLabels, ...), each key once.
Usage: {{ include "tempo.labels.with" (dict "root" . "labels" .Values.service.labels) | nindent 4 }}
*/ -}}
{{- define "tempo.labels.with" -}}
{{- $base := include (ternary "tempo.labels.pod" "tempo.labels.standard" (eq (toString .pod) "true")) .root | fromYaml -}}
{{- toYaml (merge $base (.labels | default dict)) -}}
{{- end -}}

{{- /*
tempo.metadata: an object's metadata, as YAML: its name, its namespace (the release's unless given),
its labels (YAML from one of the tempo.labels helpers) and its annotations (its own over
commonAnnotations, left out when there are none).
Usage: metadata: {{- include "tempo.metadata" (dict "root" . "name" $name "labels" (include "tempo.labels.standard" .) "annotations" $annotations "namespace" $namespace) | nindent 2 }}
*/ -}}
{{- define "tempo.metadata" -}}
name: {{ .name }}
namespace: {{ .namespace | default (include "tempo.names.namespace" .root) }}
labels:
  {{- .labels | nindent 2 }}
{{- with include "tempo.labels.annotations" (dict "root" .root "annotations" (.annotations | default dict)) }}
annotations:
  {{- . | nindent 2 }}
{{- end }}
{{- end -}}

{{- /*
tempo.labels.annotations: a resource's annotations, as YAML: its own over commonAnnotations, each key
once; empty when there are none.
Usage: {{ with include "tempo.labels.annotations" (dict "root" . "annotations" .Values.service.annotations) }}annotations: {{ . | nindent 4 }}{{ end }}
*/ -}}
{{- define "tempo.labels.annotations" -}}
{{- with merge (deepCopy (.annotations | default dict)) .root.Values.commonAnnotations -}}
{{- toYaml . -}}
{{- end -}}
{{- end -}}
