{{- /*
tempo.image.tag: the image tag, which defaults to the chart's appVersion. Tempo publishes its releases
as X.Y.Z (and X.Y.Z-amd64, X.Y.Z-arm64), never vX.Y.Z: the leading v copied from a release's name is
dropped, so that the tag names an image that exists. A two-part tag (2.10) is refused by
tempo.version, which names the tag to use. An image pinned by digest without a tag takes the release
tempo.version names (its series' tested release for MAJOR.MINOR): there the tag only informs, and the
chart's appVersion would name another release.
Usage: {{ include "tempo.image.tag" . }}
*/ -}}
{{- define "tempo.image.tag" -}}
{{- $tag := default .Chart.AppVersion .Values.image.tag -}}
{{- $version := .Values.tempo.version -}}
{{- if and .Values.image.digest (not .Values.image.tag) $version -}}
{{- if regexMatch "^[0-9]+\\.[0-9]+\\.[0-9]+$" $version -}}
{{- $tag = $version -}}
{{- else if has $version (splitList " " (include "tempo.versions.names" .)) -}}
{{- $tag = (include (printf "tempo.versions.series.%s" $version) . | fromJson).release -}}
{{- end -}}
{{- end -}}
{{- ternary (trimPrefix "v" $tag) $tag (regexMatch "^v[0-9]+\\.[0-9]+\\.[0-9]+" $tag) -}}
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
