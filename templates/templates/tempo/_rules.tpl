{{- /*
tempo.validate.releaseRules: the start-up rules of the selected release that the chart mirrors
(build/tempo-config/rules.yaml, resolved per series by the build into tempo.versions.accepts'
checks), run on the configuration the chart renders, tempo.structuredConfig merged in, and on the
overrides; each rule that would fire is refused with Tempo's own message, naming the value to change.
This runs on every render for every rule of the release, so it reads each place through one index of
its dotted keys (tempo.util.flatten) and compares the release's defaults as the numbers the build
wrote for them (a check's numbers): a render converts only the durations it sets.
Usage: {{ include "tempo.validate.releaseRules" . | fromJsonArray }}
*/ -}}
{{- define "tempo.validate.releaseRules" -}}
{{- $messages := list -}}
{{- $version := include "tempo.version" . | fromJson -}}
{{- $config := include "tempo.config.merged" . | fromYaml -}}
{{- $wiring := dict -}}
{{- include "tempo.util.parsed" (dict "root" . "name" "tempo.wiring.table" "into" $wiring) -}}
{{- $configPlace := dict "value" $config "flat" dict "name" "tempo.structuredConfig" "owned" $wiring.value.ownedKeys -}}
{{- include "tempo.util.flatten" (dict "node" $config "into" $configPlace.flat "at" "") -}}
{{- $overridesPlaces := include "tempo.overrides.places" . | fromJsonArray -}}
{{- range $overridesPlaces -}}
{{- $_ := set . "flat" dict -}}
{{- include "tempo.util.flatten" (dict "node" .value "into" .flat "at" "") -}}
{{- end -}}
{{- $verbs := dict "W" "warns about at start-up (and its -config.verify fails)" "O" "refuses in the per-tenant overrides" -}}
{{- range $check := (include "tempo.versions.accepts" . | fromJson).checks -}}
{{- $places := ternary $overridesPlaces (list $configPlace) (eq ($check.scope | default "") "overrides") -}}
{{- $when := $check.when | default dict -}}
{{- range $place := $places -}}
{{- /* Whether the check's condition holds: a value of the chart that must be true, or a key (its release default when absent) that must equal, differ from, or be set. */ -}}
{{- $holds := true -}}
{{- if $when.value -}}
{{- $holds = (include "tempo.util.valueAt" (dict "values" $.Values "path" $when.value) | fromJson).value | default false -}}
{{- else if $when.key -}}
{{- $value := ternary (get $place.flat $when.key) $when.default (hasKey $place.flat $when.key) -}}
{{- if hasKey $when "equals" -}}
{{- $holds = eq (toString $value) (toString $when.equals) -}}
{{- else if hasKey $when "notEquals" -}}
{{- $holds = ne (toString $value) (toString $when.notEquals) -}}
{{- else if $when.set -}}
{{- $holds = not (has (toString $value) (list "" "0" "0s" "<nil>" "false")) -}}
{{- end -}}
{{- end -}}
{{- if $holds -}}
{{- $subjects := list -}}
{{- if contains "[]" $check.key -}}
{{- $subjects = include "tempo.rules.elements" (dict "check" $check "place" $place) | fromJsonArray -}}
{{- else if hasKey $place.flat $check.key -}}
{{- $subjects = list (dict "value" (get $place.flat $check.key)) -}}
{{- else if hasKey $check "default" -}}
{{- /* The release's default, with its number from the build. */ -}}
{{- $subjects = list (dict "value" $check.default "number" ($check.numbers | default dict).default) -}}
{{- end -}}
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
{{- $outcome := include "tempo.rules.evaluate" (merge (dict "check" $check "flat" $place.flat) $subject) | fromJson -}}
{{- if not $outcome.ok -}}
{{- /* The value to change: the element's own name, the chart's value where it owns the key, else the key under the place's name. */ -}}
{{- $name := $subject.name | default (printf "%s.%s" $place.name $check.key) -}}
{{- range $place.owned -}}
{{- if and (not $subject.name) (or (eq $check.key .key) (hasPrefix (printf "%s." .key) $check.key)) -}}
{{- $name = .value -}}
{{- end -}}
{{- end -}}
{{- $messages = append $messages (printf "ERROR: %s is %s, but Tempo %s %s: %q. It must be %s." $name (toJson $subject.value) $version.name (get $verbs $check.phase | default "stops at start-up") $check.message $outcome.requirement) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- toJson $messages -}}
{{- end -}}

{{- /*
tempo.util.flatten: every key of a tree under its dotted path, written into a dict (into), maps as well
as the values below them; a null is left out, as where it removes a key. The dict is filled in place,
so that the rules look a key up without walking or copying the tree for each one.
Usage: {{- include "tempo.util.flatten" (dict "node" $config "into" $flat "at" "") -}}
*/ -}}
{{- define "tempo.util.flatten" -}}
{{- range $key, $value := .node -}}
{{- $path := ternary $key (printf "%s.%s" $.at $key) (eq $.at "") -}}
{{- if not (kindIs "invalid" $value) -}}
{{- $_ := set $.into $path $value -}}
{{- if kindIs "map" $value -}}
{{- include "tempo.util.flatten" (dict "node" $value "into" $.into "at" $path) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- /*
tempo.rules.elements: what a check of a key with [] in it (cache.caches[].roles) looks at in a place:
each element's value, as a JSON list of {name: the element's own path under the place's name, value};
nothing where the place has no such list.
Usage: {{ include "tempo.rules.elements" (dict "check" $check "place" $place) | fromJsonArray }}
*/ -}}
{{- define "tempo.rules.elements" -}}
{{- $subjects := list -}}
{{- $listKey := index (splitList "[]" .check.key) 0 -}}
{{- $rest := trimPrefix "." (index (splitList "[]" .check.key) 1) -}}
{{- $list := get .place.flat $listKey -}}
{{- if kindIs "slice" $list -}}
{{- range $index, $element := $list -}}
{{- $value := $element -}}
{{- if $rest -}}
{{- $value = (include "tempo.util.valueAt" (dict "values" $element "path" $rest) | fromJson).value -}}
{{- end -}}
{{- $subjects = append $subjects (dict "name" (printf "%s.%s[%d]%s" $.place.name $listKey $index (ternary (printf ".%s" $rest) "" (ne $rest ""))) "value" $value) -}}
{{- end -}}
{{- end -}}
{{- toJson $subjects -}}
{{- end -}}

{{- /*
tempo.rules.evaluate: whether a value passes a check, as JSON {ok, requirement (what it must be, in
words)}. Durations compare in seconds (Go's and Prometheus' units; a bare number of a duration key
is nanoseconds, as Tempo reads it); a key named by the check (thanKey) is read from the place's index
(flat), its release default when absent, and scaled by factor. Where the build wrote a number for a
release default (the check's numbers; number for the value), it is taken as it stands.
Usage: {{ include "tempo.rules.evaluate" (dict "check" $check "value" $value "flat" $flat) | fromJson }}
*/ -}}
{{- define "tempo.rules.evaluate" -}}
{{- $check := .check -}}
{{- $numbers := $check.numbers | default dict -}}
{{- $must := $check.must -}}
{{- $ok := true -}}
{{- $requirement := "" -}}
{{- if has $must (list ">" ">=" "<" "<=" "==" "!=") -}}
{{- $than := $check.than -}}
{{- $thanText := toJson $check.than -}}
{{- $thanNumber := $numbers.than -}}
{{- if $check.thanKey -}}
{{- $found := hasKey .flat $check.thanKey -}}
{{- $than = ternary (get .flat $check.thanKey) $check.thanDefault $found -}}
{{- $thanNumber = ternary nil $numbers.thanDefault $found -}}
{{- $thanText = printf "%s (%v)" $check.thanKey $than -}}
{{- end -}}
{{- if not (has $check.kind (list "integer" "number" "duration")) -}}
{{- $same := eq (toString .value) (toString $than) -}}
{{- $ok = ternary $same (not $same) (eq $must "==") -}}
{{- else -}}
{{- $a := .number -}}
{{- if kindIs "invalid" $a -}}
{{- $a = include "tempo.rules.number" (dict "value" .value "kind" $check.kind) -}}
{{- end -}}
{{- $b := $thanNumber -}}
{{- if kindIs "invalid" $b -}}
{{- $b = include "tempo.rules.number" (dict "value" $than "kind" $check.kind) -}}
{{- end -}}
{{- $a = float64 $a -}}
{{- $b = float64 $b -}}
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
{{- $other := ternary (get .flat $check.thanKey) $check.thanDefault (hasKey .flat $check.thanKey) -}}
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
