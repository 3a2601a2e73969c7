{{- /*
tempo.validate.releaseRules: the start-up rules of the selected release that the chart mirrors
(build/tempo-config/rules.yaml, resolved per series by the build into tempo.versions.accepts'
checks), run on the configuration the chart renders, tempo.structuredConfig merged in, and on the
overrides; each rule that would fire is refused with Tempo's own message, naming the value to change.
Usage: {{ include "tempo.validate.releaseRules" . | fromJsonArray }}
*/ -}}
{{- define "tempo.validate.releaseRules" -}}
{{- $messages := list -}}
{{- $version := include "tempo.version" . | fromJson -}}
{{- $config := include "tempo.config.merged" . | fromYaml -}}
{{- $owned := (include "tempo.wiring.table" . | fromJson).ownedKeys -}}
{{- $verbs := dict "W" "warns about at start-up (and its -config.verify fails)" "O" "refuses in the per-tenant overrides" -}}
{{- range $check := (include "tempo.versions.accepts" . | fromJson).checks -}}
{{- $places := list (dict "node" $config "name" "tempo.structuredConfig" "owned" $owned) -}}
{{- if eq ($check.scope | default "") "overrides" -}}
{{- $places = list (dict "node" $.Values.tempo.overrides.defaults "name" "tempo.overrides.defaults") -}}
{{- range $tenant, $own := $.Values.tempo.overrides.perTenant -}}
{{- $places = append $places (dict "node" $own "name" (printf "tempo.overrides.perTenant.%s" $tenant)) -}}
{{- end -}}
{{- end -}}
{{- range $place := $places -}}
{{- if eq (include "tempo.rules.applies" (dict "check" $check "node" $place.node "values" $.Values)) "true" -}}
{{- $subjects := include "tempo.rules.subjects" (dict "check" $check "place" $place) | fromJsonArray -}}
{{- if eq $check.must "uniqueAcross" -}}
{{- /* One value across every element (a cache role claimed once): the repeated ones. */ -}}
{{- $seen := list -}}
{{- $repeated := list -}}
{{- range $subject := $subjects -}}
{{- range $value := ternary $subject.value (list $subject.value) (kindIs "slice" $subject.value) -}}
{{- if has $value $seen -}}
{{- $repeated = append $repeated $value -}}
{{- end -}}
{{- $seen = append $seen $value -}}
{{- end -}}
{{- end -}}
{{- if $repeated -}}
{{- $messages = append $messages (printf "ERROR: %s.%s names %s more than once, but Tempo %s stops at start-up: %q. Each must be named by one element only." $place.name $check.key (join ", " (uniq $repeated)) $version.name $check.message) -}}
{{- end -}}
{{- $subjects = list -}}
{{- end -}}
{{- range $subject := $subjects -}}
{{- $outcome := include "tempo.rules.evaluate" (dict "check" $check "value" $subject.value "config" $config) | fromJson -}}
{{- if not $outcome.ok -}}
{{- $messages = append $messages (printf "ERROR: %s is %s, but Tempo %s %s: %q. It must be %s." $subject.name (toJson $subject.value) $version.name (get $verbs $check.phase | default "stops at start-up") $check.message $outcome.requirement) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- toJson $messages -}}
{{- end -}}

{{- /*
tempo.rules.applies: "true" when a check's condition holds in node (the configuration, or an overrides
entry): {key, equals | notEquals | set} on a key (its release default when absent), or {value} on a
value of the chart that must be true; "true" without a condition.
Usage: {{ include "tempo.rules.applies" (dict "check" $check "node" $config "values" .Values) }}
*/ -}}
{{- define "tempo.rules.applies" -}}
{{- $when := .check.when | default dict -}}
{{- $holds := true -}}
{{- if $when.value -}}
{{- $holds = (include "tempo.util.valueAt" (dict "values" .values "path" $when.value) | fromJson).value | default false -}}
{{- else if $when.key -}}
{{- $found := include "tempo.util.valueAt" (dict "values" .node "path" $when.key) | fromJson -}}
{{- $value := ternary $found.value $when.default $found.found -}}
{{- if hasKey $when "equals" -}}
{{- $holds = eq (toString $value) (toString $when.equals) -}}
{{- else if hasKey $when "notEquals" -}}
{{- $holds = ne (toString $value) (toString $when.notEquals) -}}
{{- else if $when.set -}}
{{- $holds = not (has (toString $value) (list "" "0" "0s" "<nil>" "false")) -}}
{{- end -}}
{{- end -}}
{{- toString (ternary "true" "false" (not (not $holds))) -}}
{{- end -}}

{{- /*
tempo.rules.subjects: what a check looks at in a place, as a JSON list of {name, value}: the key's
value (its release default when the configuration leaves it out), or, for a key with [] in it, each
element's. name is the value to change: the chart's own value where it owns the key, else the key
under the place's name.
Usage: {{ include "tempo.rules.subjects" (dict "check" $check "place" $place) | fromJsonArray }}
*/ -}}
{{- define "tempo.rules.subjects" -}}
{{- $subjects := list -}}
{{- $key := .check.key -}}
{{- if contains "[]" $key -}}
{{- $list := (include "tempo.util.valueAt" (dict "values" .place.node "path" (index (splitList "[]" $key) 0)) | fromJson).value -}}
{{- $rest := trimPrefix "." (index (splitList "[]" $key) 1) -}}
{{- if kindIs "slice" $list -}}
{{- range $index, $element := $list -}}
{{- $value := $element -}}
{{- if $rest -}}
{{- $value = (include "tempo.util.valueAt" (dict "values" $element "path" $rest) | fromJson).value -}}
{{- end -}}
{{- $subjects = append $subjects (dict "name" (printf "%s.%s[%d]%s" $.place.name (index (splitList "[]" $key) 0) $index (ternary (printf ".%s" $rest) "" (ne $rest ""))) "value" $value) -}}
{{- end -}}
{{- end -}}
{{- else -}}
{{- $found := include "tempo.util.valueAt" (dict "values" .place.node "path" $key) | fromJson -}}
{{- $name := printf "%s.%s" .place.name $key -}}
{{- range .place.owned -}}
{{- if or (eq $key .key) (hasPrefix (printf "%s." .key) $key) -}}
{{- $name = .value -}}
{{- end -}}
{{- end -}}
{{- if or $found.found (hasKey .check "default") -}}
{{- $subjects = append $subjects (dict "name" $name "value" (ternary $found.value .check.default $found.found)) -}}
{{- end -}}
{{- end -}}
{{- toJson $subjects -}}
{{- end -}}

{{- /*
tempo.rules.evaluate: whether a value passes a check, as JSON {ok, requirement (what it must be, in
words)}. Durations compare in seconds (Go's and Prometheus' units; a bare number of a duration key
is nanoseconds, as Tempo reads it); a key named by the check (thanKey) is read from the configuration,
its release default when absent, and scaled by factor.
Usage: {{ include "tempo.rules.evaluate" (dict "check" $check "value" $value "config" $config) | fromJson }}
*/ -}}
{{- define "tempo.rules.evaluate" -}}
{{- $check := .check -}}
{{- $must := $check.must -}}
{{- $ok := true -}}
{{- $requirement := "" -}}
{{- if has $must (list ">" ">=" "<" "<=" "==" "!=") -}}
{{- $than := $check.than -}}
{{- $thanText := toJson $check.than -}}
{{- if $check.thanKey -}}
{{- $found := include "tempo.util.valueAt" (dict "values" .config "path" $check.thanKey) | fromJson -}}
{{- $than = ternary $found.value $check.thanDefault $found.found -}}
{{- $thanText = printf "%s (%v)" $check.thanKey $than -}}
{{- end -}}
{{- if not (has $check.kind (list "integer" "number" "duration")) -}}
{{- $same := eq (toString .value) (toString $than) -}}
{{- $ok = ternary $same (not $same) (eq $must "==") -}}
{{- else -}}
{{- $a := include "tempo.rules.number" (dict "value" .value "kind" $check.kind) | float64 -}}
{{- $b := include "tempo.rules.number" (dict "value" $than "kind" $check.kind) | float64 -}}
{{- with $check.factor -}}
{{- $b = mulf $b . -}}
{{- $thanText = printf "%v x %s" . $thanText -}}
{{- end -}}
{{- $ok = get (dict ">" (gt $a $b) ">=" (ge $a $b) "<" (lt $a $b) "<=" (le $a $b) "==" (eq $a $b) "!=" (ne $a $b)) $must -}}
{{- end -}}
{{- $requirement = printf "%s %s" $must $thanText -}}
{{- else if eq $must "notEmpty" -}}
{{- $ok = not (empty .value) -}}
{{- $requirement = "set, and not empty" -}}
{{- else if eq $must "in" -}}
{{- $ok = has (toString .value) $check.than -}}
{{- $requirement = printf "one of %s" (join ", " $check.than) -}}
{{- else if eq $must "matches" -}}
{{- $ok = regexMatch $check.than (toString .value) -}}
{{- $requirement = printf "text matching %s" $check.than -}}
{{- else if eq $must "increasing" -}}
{{- $previous := "" -}}
{{- range .value | default list -}}
{{- if and (ne (toString $previous) "") (le (float64 .) (float64 $previous)) -}}
{{- $ok = false -}}
{{- end -}}
{{- $previous = . -}}
{{- end -}}
{{- $requirement = "a list of numbers that rises strictly" -}}
{{- else if eq $must "togetherWith" -}}
{{- $found := include "tempo.util.valueAt" (dict "values" .config "path" $check.thanKey) | fromJson -}}
{{- $other := ternary $found.value $check.thanDefault $found.found -}}
{{- $set := dict "this" .value "other" $other -}}
{{- range $name, $value := $set -}}
{{- $_ := set $set $name (not (has (toString $value) (list "" "0" "0s" "<nil>"))) -}}
{{- end -}}
{{- $ok = eq $set.this $set.other -}}
{{- $requirement = printf "set together with %s (%v), or both left unset" $check.thanKey $other -}}
{{- else if eq $must "exactlyOne" -}}
{{- $count := 0 -}}
{{- range $check.than -}}
{{- if and (kindIs "map" $.value) (not (empty (get $.value .))) -}}
{{- $count = add1 $count -}}
{{- end -}}
{{- end -}}
{{- $ok = eq $count 1 -}}
{{- $requirement = printf "a block with exactly one of %s" (join ", " $check.than) -}}
{{- end -}}
{{- toJson (dict "ok" $ok "requirement" $requirement) -}}
{{- end -}}

{{- /*
tempo.rules.number: a value of the configuration as a number: a duration in seconds
(tempo.util.seconds; a bare number of a duration key is nanoseconds), a boolean as 1 or 0, any other
number as itself.
Usage: {{ include "tempo.rules.number" (dict "value" "1m30s" "kind" "duration") | float64 }}
*/ -}}
{{- define "tempo.rules.number" -}}
{{- $value := .value -}}
{{- if kindIs "bool" $value -}}
{{- ternary 1 0 $value -}}
{{- else if kindIs "string" $value -}}
{{- ternary ($value | float64) (include "tempo.util.seconds" $value) (regexMatch "^-?[0-9.]+$" $value) -}}
{{- else if and (eq .kind "duration") (not (kindIs "invalid" $value)) -}}
{{- divf ($value | float64) 1000000000 -}}
{{- else -}}
{{- $value | default 0 | float64 -}}
{{- end -}}
{{- end -}}
