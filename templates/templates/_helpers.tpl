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
tempo.names.ingest: the Service that carries only the receivers' ports (service.ingest).
Usage: {{ include "tempo.names.ingest" . }}
*/ -}}
{{- define "tempo.names.ingest" -}}
{{- printf "%s-ingest" (include "tempo.names.fullname" . | trunc 56 | trimSuffix "-") -}}
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
tempo.labels.pod: the labels of a pod template, as YAML: the recommended Kubernetes labels over
commonLabels. No chart version: a label that changes with every chart release would restart the pods
of an upgrade that changes nothing else.
Usage: {{ include "tempo.labels.pod" . | nindent 8 }}
*/ -}}
{{- define "tempo.labels.pod" -}}
{{- $recommended := include "tempo.labels.selector" . | fromYaml -}}
{{- /* A tag may be 128 characters and start with "_"; a label value may not. */ -}}
{{- $_ := set $recommended "app.kubernetes.io/version" (include "tempo.image.tag" . | trunc 63 | trimAll "-_.") -}}
{{- $_ := set $recommended "app.kubernetes.io/managed-by" .Release.Service -}}
{{- toYaml (merge $recommended .Values.commonLabels) -}}
{{- end -}}

{{- /*
tempo.labels.standard: the labels every resource carries, as YAML: the pod's, and the chart that made it.
Usage: {{ include "tempo.labels.standard" . | nindent 4 }}
*/ -}}
{{- define "tempo.labels.standard" -}}
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

{{- /*
tempo.image.tag: the image tag, which defaults to the chart's appVersion.
Usage: {{ include "tempo.image.tag" . }}
*/ -}}
{{- define "tempo.image.tag" -}}
{{- default .Chart.AppVersion .Values.image.tag -}}
{{- end -}}

{{- /*
tempo.image.reference: Tempo's image, registry/repository:tag[@digest] (see tempo.image.of).
Usage: {{ include "tempo.image.reference" . }}
*/ -}}
{{- define "tempo.image.reference" -}}
{{- include "tempo.image.of" (dict "root" . "image" .Values.image "tag" (include "tempo.image.tag" .)) -}}
{{- end -}}

{{- /*
tempo.image.of: an image of the chart (Tempo's, the gateway's, the helm test's) as
registry/repository:tag, with @digest appended when it has one. The registry is global.imageRegistry
when a parent chart sets it, else the image's own.
Usage: {{ include "tempo.image.of" (dict "root" . "image" .Values.gateway.image "tag" .Values.gateway.image.tag) }}
*/ -}}
{{- define "tempo.image.of" -}}
{{- printf "%s/%s:%s" (.root.Values.global.imageRegistry | default .image.registry) .image.repository .tag -}}
{{- with .image.digest }}@{{ . }}{{ end -}}
{{- end -}}

{{- /*
tempo.image.pullSecrets: the pod's imagePullSecrets, as a JSON list: global.imagePullSecrets first,
then imagePullSecrets, each name once.
Usage: {{ include "tempo.image.pullSecrets" . | fromJsonArray }}
*/ -}}
{{- define "tempo.image.pullSecrets" -}}
{{- $names := list -}}
{{- range concat (.Values.global.imagePullSecrets | default list) .Values.imagePullSecrets -}}
{{- $names = append $names .name -}}
{{- end -}}
{{- $secrets := list -}}
{{- range uniq $names -}}
{{- $secrets = append $secrets (dict "name" .) -}}
{{- end -}}
{{- toJson $secrets -}}
{{- end -}}

{{- /*
tempo.util.seconds: a Prometheus duration (1m30s, 500ms; the schema has checked its syntax) in seconds.
Usage: {{ include "tempo.util.seconds" "1m30s" | float64 }}
*/ -}}
{{- define "tempo.util.seconds" -}}
{{- $total := 0.0 -}}
{{- $units := dict "ms" 0.001 "s" 1.0 "m" 60.0 "h" 3600.0 -}}
{{- range $part := regexFindAll "[0-9]+(ms|s|m|h)" (toString .) -1 -}}
{{- $total = addf $total (mulf (regexFind "^[0-9]+" $part | float64) (get $units (regexFind "[a-z]+$" $part))) -}}
{{- end -}}
{{- $total -}}
{{- end -}}

{{- /*
tempo.util.credentialHeader: "true" when an HTTP header of this name carries a credential
(Authorization, a cookie, an API key, or a name that says token, secret, password or credential).
Usage: {{ if include "tempo.util.credentialHeader" "Authorization" }}
*/ -}}
{{- define "tempo.util.credentialHeader" -}}
{{- if regexMatch "(?i)^(authorization|proxy-authorization|cookie|x-api-key|api-key|apikey)$|token|secret|password|credential" . }}true{{ end -}}
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

{{- /*
tempo.util.nested: a value placed at a dotted path, as JSON: path a.b.c and value v give {a: {b: {c: v}}}.
Usage: {{ include "tempo.util.nested" (dict "path" "distributor.receivers.zipkin" "value" $settings) | fromJson }}
*/ -}}
{{- define "tempo.util.nested" -}}
{{- $node := .value -}}
{{- range $part := reverse (splitList "." .path) -}}
{{- $node = dict $part $node -}}
{{- end -}}
{{- toJson $node -}}
{{- end -}}
