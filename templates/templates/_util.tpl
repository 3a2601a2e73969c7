{{- /*
tempo.util.seconds: a Go or Prometheus duration (1m30s, 500ms, 1.5h, 14d; the schema has checked its
syntax) in seconds: Go's units ns, us, µs, ms, s, m, h, with fractions, and Prometheus' d, w, y.
Usage: {{ include "tempo.util.seconds" "1m30s" | float64 }}
*/ -}}
{{- define "tempo.util.seconds" -}}
{{- $total := 0.0 -}}
{{- $units := dict "ns" 0.000000001 "us" 0.000001 "µs" 0.000001 "ms" 0.001 "s" 1.0 "m" 60.0 "h" 3600.0 "d" 86400.0 "w" 604800.0 "y" 31536000.0 -}}
{{- range $part := regexFindAll "[0-9.]+(ns|us|µs|ms|s|m|h|d|w|y)" (toString .) -1 -}}
{{- $total = addf $total (mulf (regexFind "^[0-9.]+" $part | float64) (get $units (regexFind "[a-zµ]+$" $part))) -}}
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
0 included, replaces; null removes the key, and a map left empty by its nulls is not added. Helm keeps
the nulls of a later -f file in .Values, so this is where "null removes a key" is kept. (Sprig's
mergeOverwrite cannot set false, 0 or "".)
Usage: {{- include "tempo.util.deepMerge" (dict "dst" $config "src" $override) -}}
*/ -}}
{{- define "tempo.util.deepMerge" -}}
{{- $dst := .dst -}}
{{- range $key, $value := .src -}}
{{- if kindIs "invalid" $value -}}
{{- $_ := unset $dst $key -}}
{{- else if and (kindIs "map" $value) (kindIs "map" (get $dst $key)) -}}
{{- include "tempo.util.deepMerge" (dict "dst" (get $dst $key) "src" $value) -}}
{{- else if kindIs "map" $value -}}
{{- /* A new map is merged too, so that the nulls a later values file leaves in it remove nothing but themselves. */ -}}
{{- $fresh := dict -}}
{{- include "tempo.util.deepMerge" (dict "dst" $fresh "src" $value) -}}
{{- if or $fresh (not $value) -}}
{{- $_ := set $dst $key $fresh -}}
{{- end -}}
{{- else -}}
{{- $_ := set $dst $key $value -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- /*
tempo.util.valueAt: the value at a dotted path of a map (the values, or a Tempo configuration), as
JSON {"found": ..., "value": ...}, so that numbers and booleans keep their type. Where the path ends
early (a missing key, a null or a scalar on the way) or the value is null, found is false and value
null, so that a caller can take a default instead. One path of tempo.util.valuesAt.
Usage: {{ include "tempo.util.valueAt" (dict "values" .Values "path" "tempo.server.httpListenPort") | fromJson | dig "value" 0 }}
*/ -}}
{{- define "tempo.util.valueAt" -}}
{{- $found := include "tempo.util.valuesAt" (dict "values" .values "paths" (list .path)) | fromJson -}}
{{- toJson (dict "found" (hasKey $found .path) "value" (ternary (get $found .path) nil (hasKey $found .path))) -}}
{{- end -}}

{{- /*
tempo.util.valuesAt: the values at many dotted paths of a map at once, as JSON {path: value} holding
only the paths that lead to a value (not null): one walk per path, without a JSON round trip for
each, for a rule that looks up dozens of them (another chart's values).
Usage: {{ include "tempo.util.valuesAt" (dict "values" .Values "paths" (list "a.b" "c")) | fromJson }}
*/ -}}
{{- define "tempo.util.valuesAt" -}}
{{- $found := dict -}}
{{- range $path := .paths -}}
{{- $node := $.values -}}
{{- $walked := true -}}
{{- range $part := splitList "." $path -}}
{{- if and $walked (kindIs "map" $node) (hasKey $node $part) -}}
{{- $node = get $node $part -}}
{{- else -}}
{{- $walked = false -}}
{{- end -}}
{{- end -}}
{{- if and $walked (not (kindIs "invalid" $node)) -}}
{{- $_ := set $found $path $node -}}
{{- end -}}
{{- end -}}
{{- toJson $found -}}
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

{{- /*
tempo.util.parsed: the JSON a memoized helper (tempo.util.once) renders, parsed once per release
rendering and kept on the root context (tempoParsed), set as into.value. The rows of the components
table, the listeners and the wiring table are read by most templates, some once per component, and
parsing them at each read was a good part of the render's time. The value is shared: read it, never
change it in place (deepCopy what you change).
Usage: {{- $table := dict }}{{- include "tempo.util.parsed" (dict "root" . "name" "tempo.components.table" "into" $table) }}{{ range $table.value }}...
*/ -}}
{{- define "tempo.util.parsed" -}}
{{- $parsed := get .root "tempoParsed" | default dict -}}
{{- if not (hasKey $parsed .name) -}}
{{- /* Wrapped, as fromJson reads only objects and some helpers render lists. */ -}}
{{- $_ := set $parsed .name (printf "{\"value\":%s}" (include .name .root) | fromJson).value -}}
{{- $_ := set .root "tempoParsed" $parsed -}}
{{- end -}}
{{- $_ := set .into "value" (get $parsed .name) -}}
{{- end -}}

{{- /*
tempo.util.once: what a helper of the root context renders, computed once per release rendering and
then kept on the root context (tempoCache): the values cannot change while the chart renders, and the
configuration, the wiring table and the series are read by most templates. A helper is cached by
naming the one that computes it <name>Uncached: the build then defines <name> around it in
_memoized.tpl (tempo.version around tempo.versionUncached).
Usage: {{ include "tempo.util.once" (dict "root" . "name" "tempo.versionUncached") }}
*/ -}}
{{- define "tempo.util.once" -}}
{{- $cache := get .root "tempoCache" | default dict -}}
{{- if not (hasKey $cache .name) -}}
{{- $_ := set $cache .name (include .name .root) -}}
{{- $_ := set .root "tempoCache" $cache -}}
{{- end -}}
{{- get $cache .name -}}
{{- end -}}

{{- /*
tempo.util.inWords: a list as a sentence says it: "a", "a or b", "a, b or c".
Usage: {{ include "tempo.util.inWords" (list "text" "a number") }}
*/ -}}
{{- define "tempo.util.inWords" -}}
{{- if le (len .) 1 -}}
{{- join "" . -}}
{{- else -}}
{{- printf "%s or %s" (join ", " (initial .)) (last .) -}}
{{- end -}}
{{- end -}}

{{- /*
tempo.util.schemaProblems: where a value breaks a JSON Schema, as a JSON list of problems, each
{at, problem, ...}: at is the dotted path below the value checked ("" for the value itself), with [i]
for a list's elements. It reads the part of JSON Schema the build writes for Tempo's configuration:
type, properties, additionalProperties, items, enum, pattern, propertyNames: {not: {enum}}, and $ref
into the document's definitions. A null passes anywhere, under any key: in tempo.structuredConfig it
removes a key, and Tempo reads it as the zero value. The problems:
- unknownKey {keys: the keys the object takes}: a key an object closed to its properties lacks;
- type {want: the schema's types, given: the value}: a value of none of the schema's types;
- enum {value, allowed}: a value outside the schema's list;
- pattern {value, description: the schema's}: text the schema's pattern does not match;
- reservedKey: a key propertyNames refuses.
Below a problem, nothing more is reported.
Usage: {{ include "tempo.util.schemaProblems" (dict "value" $value "schema" $schema "definitions" $schema.definitions "at" "") | fromJsonArray }}
*/ -}}
{{- define "tempo.util.schemaProblems" -}}
{{- $problems := list -}}
{{- $schema := .schema -}}
{{- with get $schema "$ref" -}}
{{- $schema = get $.definitions (trimPrefix "#/definitions/" .) -}}
{{- end -}}
{{- $value := .value -}}
{{- $at := .at -}}
{{- if not (kindIs "invalid" $value) -}}
{{- /* The JSON types the value has: a whole number is an integer and a number. */ -}}
{{- $kinds := list "integer" "number" -}}
{{- if kindIs "map" $value -}}
{{- $kinds = list "object" -}}
{{- else if kindIs "slice" $value -}}
{{- $kinds = list "array" -}}
{{- else if kindIs "string" $value -}}
{{- $kinds = list "string" -}}
{{- else if kindIs "bool" $value -}}
{{- $kinds = list "boolean" -}}
{{- else if and (kindIs "float64" $value) (ne (floor $value) $value) -}}
{{- $kinds = list "number" -}}
{{- end -}}
{{- $types := $schema.type -}}
{{- if kindIs "string" $types -}}
{{- $types = list $types -}}
{{- end -}}
{{- $typed := not $types -}}
{{- range $kinds -}}
{{- if has . $types -}}
{{- $typed = true -}}
{{- end -}}
{{- end -}}
{{- if not $typed -}}
{{- $problems = append $problems (dict "at" $at "problem" "type" "want" $types "given" $value) -}}
{{- else if and (hasKey $schema "enum") (not (has $value $schema.enum)) -}}
{{- $problems = append $problems (dict "at" $at "problem" "enum" "value" $value "allowed" (without $schema.enum nil)) -}}
{{- else if and $schema.pattern (kindIs "string" $value) (not (regexMatch $schema.pattern $value)) -}}
{{- $problems = append $problems (dict "at" $at "problem" "pattern" "value" $value "description" $schema.description) -}}
{{- else if kindIs "map" $value -}}
{{- $properties := $schema.properties | default dict -}}
{{- $additional := get $schema "additionalProperties" -}}
{{- $reserved := list -}}
{{- with $schema.propertyNames -}}
{{- $reserved = .not.enum -}}
{{- end -}}
{{- range $key, $child := $value -}}
{{- $childAt := ternary $key (printf "%s.%s" $at $key) (eq $at "") -}}
{{- if kindIs "invalid" $child -}}
{{- /* A null removes the key: there is nothing of it to check. */ -}}
{{- else if has $key $reserved -}}
{{- $problems = append $problems (dict "at" $childAt "problem" "reservedKey") -}}
{{- else if hasKey $properties $key -}}
{{- $problems = concat $problems (include "tempo.util.schemaProblems" (dict "value" $child "schema" (get $properties $key) "definitions" $.definitions "at" $childAt) | fromJsonArray) -}}
{{- else if kindIs "map" $additional -}}
{{- $problems = concat $problems (include "tempo.util.schemaProblems" (dict "value" $child "schema" $additional "definitions" $.definitions "at" $childAt) | fromJsonArray) -}}
{{- else if and (kindIs "bool" $additional) (not $additional) -}}
{{- $problems = append $problems (dict "at" $childAt "problem" "unknownKey" "keys" (keys $properties | sortAlpha)) -}}
{{- end -}}
{{- end -}}
{{- else if and (kindIs "slice" $value) $schema.items -}}
{{- range $index, $element := $value -}}
{{- $problems = concat $problems (include "tempo.util.schemaProblems" (dict "value" $element "schema" $schema.items "definitions" $.definitions "at" (printf "%s[%d]" $at $index)) | fromJsonArray) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- toJson $problems -}}
{{- end -}}
