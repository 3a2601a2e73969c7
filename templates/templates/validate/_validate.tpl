{{- /*
tempo.validate: every rule that spans more than one value, grouped by area (tempo.validate.<area>,
each returning its messages as a JSON list). Renders nothing; stops the release with all the
messages at once, each an ERROR: naming the values to change, when any rule is broken. Rendered by
validate/validate.yaml, which always renders. The schema (values.schema.json) has already refused
wrong types, unknown keys and values out of range.
Usage: {{- include "tempo.validate" . -}}
*/ -}}
{{- define "tempo.validate" -}}
{{- $messages := list -}}
{{- range $area := list "listeners" "receivers" "structuredConfig" "tenants" "metricsGenerator" "pod" "service" "storage" "paths" "gateway" "monitoring" "exposure" -}}
{{- $messages = concat $messages (include (printf "tempo.validate.%s" $area) $ | fromJsonArray) -}}
{{- end -}}
{{- with $messages -}}
{{- fail (join "\n" .) -}}
{{- end -}}
{{- end -}}
