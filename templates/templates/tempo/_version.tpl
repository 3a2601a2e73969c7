{{- /*
tempo.version.nameUncached: computes tempo.version.name; _memoized.tpl, written by the
build, defines tempo.version.name around it, computed once per rendering (tempo.util.once).
tempo.version.name: the name of the Tempo series the release runs (MAJOR.MINOR), read from
tempo.version, or else from image.tag (whose default is the chart's appVersion); the default
series' name when that names no supported series (tempo.version then carries the problem). Computed
once per render (tempo.util.once): every use of the wiring table and of the series' data asks for it.
Usage: {{ include "tempo.version.name" . }}
*/ -}}
{{- define "tempo.version.nameUncached" -}}
{{- $given := .Values.tempo.version | default (include "tempo.image.tag" .) -}}
{{- $name := regexFind "^[0-9]+\\.[0-9]+" (regexFind "^v?[0-9]+\\.[0-9]+" $given | trimPrefix "v") -}}
{{- $supported := splitList " " (include "tempo.versions.names" .) -}}
{{- ternary $name (first $supported) (has $name $supported) -}}
{{- end -}}

{{- /*
tempo.versionUncached: computes tempo.version; _memoized.tpl, written by the
build, defines tempo.version around it, computed once per rendering (tempo.util.once).
tempo.version: the Tempo series the release runs, as JSON: its entry of tempo.versions.table ({name,
release, scalesOut, ...}) with given (the text it was read from) and source (the value that said it:
tempo.version, or else image.tag, whose default is the chart's appVersion). The series the
configuration is rendered for and the release the image runs must be one: a problem says why they
are not (an unsupported release, a tag Tempo does not publish, tempo.version and the image naming
different series, a digest or a tag of one's own that names none). With a problem the entry is the
default series', which tempo.validate.versions reports, so that every other helper can go on
rendering until the validation stops the release.
Usage: {{ (include "tempo.version" . | fromJson).scalesOut }}
*/ -}}
{{- define "tempo.versionUncached" -}}
{{- $source := ternary "tempo.version" "image.tag" (ne .Values.tempo.version "") -}}
{{- $tag := include "tempo.image.tag" . -}}
{{- $given := .Values.tempo.version | default $tag -}}
{{- $release := regexFind "^v?[0-9]+\\.[0-9]+(\\.[0-9]+)?" $given | trimPrefix "v" -}}
{{- $supported := splitList " " (include "tempo.versions.names" .) -}}
{{- $name := include "tempo.version.name" . -}}
{{- $entry := include (printf "tempo.versions.series.%s" $name) . | fromJson -}}
{{- /* The release the image's tag names, when it names one (X.Y.Z, with or without an architecture). */ -}}
{{- $tagRelease := regexFind "^[0-9]+\\.[0-9]+\\.[0-9]+" $tag -}}
{{- $tagSeries := regexFind "^[0-9]+\\.[0-9]+" $tagRelease -}}
{{- $result := dict "given" $given "source" $source -}}
{{- if and (regexMatch "^v?[0-9]+\\.[0-9]+$" $tag) (has (trimPrefix "v" $tag) $supported) -}}
{{- $release := (include (printf "tempo.versions.series.%s" (trimPrefix "v" $tag)) . | fromJson).release -}}
{{- $_ := set $result "problem" (printf "image.tag %q is not a tag Tempo publishes: its images are tagged with the whole release (X.Y.Z), so the pod could never pull it. Set image.tag to %s." $tag $release) -}}
{{- else if not (has (regexFind "^[0-9]+\\.[0-9]+" $release) $supported) -}}
{{- if eq $release "" -}}
{{- $_ := set $result "problem" (printf "%s %q does not say which Tempo release the image runs: set tempo.version to the release (%s), as the configuration and its checks differ between them." $source $given (join ", " $supported)) -}}
{{- else -}}
{{- $_ := set $result "problem" (printf "Tempo %s (%s %q) is not supported: the chart supports Tempo %s. Choose one of them with image.tag (or with tempo.version for an image pinned by digest or with a tag of its own)." (regexFind "^[0-9]+\\.[0-9]+" $release) $source $given (join ", " $supported)) -}}
{{- end -}}
{{- else if and .Values.tempo.version $tagRelease (ne $tagSeries $name) -}}
{{- if .Values.image.tag -}}
{{- $_ := set $result "problem" (printf "tempo.version is %s, but image.tag %s runs Tempo %s: the configuration would be rendered for one release and run by another. Make them agree, or remove tempo.version (the tag says the release)." .Values.tempo.version $tag $tagSeries) -}}
{{- else -}}
{{- $_ := set $result "problem" (printf "tempo.version is %s, but the image is the chart's default, Tempo %s: the configuration would be rendered for one release and run by another. Set image.tag to %s (and tempo.version is then not needed)." .Values.tempo.version $tag $entry.release) -}}
{{- end -}}
{{- else if and .Values.image.digest (not .Values.image.tag) (not .Values.tempo.version) -}}
{{- $_ := set $result "problem" "image.digest pins an image, but nothing says which Tempo release it runs (the default tag is only the chart's appVersion). Set image.tag to the digest's tag (3.0.3, say) or tempo.version to its release." -}}
{{- end -}}
{{- toJson (merge $result $entry) -}}
{{- end -}}

{{- /*
tempo.validate.versions: what the selected Tempo series cannot run. An image and a series that are
not one (see tempo.version); a value set whose Tempo key the series lacks (a receiver it dropped,
say); keys the series warns about (its deprecatedKeys); the
flat overrides layout where the series refuses it, unless its opt-in is set; a flag its binary does
not define; replicas above 1 on a series that does not scale out; metrics-generator processors the
series does not have; a helm test that gives up before a series with a search cutoff (3.0) can find
its trace. The release's start-up rules are tempo.validate.releaseRules'.
Usage: {{ include "tempo.validate.versions" . | fromJsonArray }}
*/ -}}
{{- define "tempo.validate.versions" -}}
{{- $messages := list -}}
{{- $version := include "tempo.version" . | fromJson -}}
{{- $tempo := printf "Tempo %s" $version.name -}}
{{- with $version.problem -}}
{{- $messages = append $messages (printf "ERROR: %s" .) -}}
{{- end -}}
{{- $wiring := dict -}}
{{- include "tempo.util.parsed" (dict "root" . "name" "tempo.wiring.table" "into" $wiring) -}}
{{- range $wiring.value.unavailable -}}
{{- $inUse := false -}}
{{- if .enabledBy -}}
{{- $inUse = (include "tempo.util.valueAt" (dict "values" $.Values "path" .enabledBy) | fromJson).value -}}
{{- else -}}
{{- $inUse = ne (toJson (include "tempo.util.valueAt" (dict "values" $.Values "path" .value) | fromJson).value) (toJson .default) -}}
{{- end -}}
{{- if $inUse -}}
{{- $messages = append $messages (printf "ERROR: %s is set, but %s has no %s (Tempo %s has it). Unset it, or choose a Tempo that has it." (.enabledBy | default .value) $tempo .key (join ", " .series)) -}}
{{- end -}}
{{- end -}}
{{- $accepts := include "tempo.versions.accepts" . | fromJson -}}
{{- range $key, $instead := $version.deprecatedKeys -}}
{{- if (include "tempo.util.valueAt" (dict "values" $.Values.tempo.structuredConfig "path" $key) | fromJson).value -}}
{{- $messages = append $messages (printf "ERROR: tempo.structuredConfig.%s: %s." $key $instead) -}}
{{- end -}}
{{- end -}}
{{- if and (not $version.flatOverrides) (not (include "tempo.version.legacyOverrides" .)) -}}
{{- range include "tempo.config.flatOverrides" . | fromJsonArray -}}
{{- $messages = append $messages (printf "ERROR: tempo.structuredConfig.overrides.%s is in the flat (legacy) overrides layout, which %s refuses at start-up (legacy overrides are disabled by default). Set it in the nested layout, under tempo.overrides.defaults; or, to move later, opt back in for now with tempo.structuredConfig.%s: true (Tempo removes the flat layout in a future release)." . $tempo $version.legacyOverridesOptIn) -}}
{{- end -}}
{{- end -}}
{{- /* The binary stops at once on a flag it does not define ("flag provided but not defined"). */ -}}
{{- range $arg := .Values.tempo.extraArgs -}}
{{- $flag := regexReplaceAll "^--?([^=]*).*$" $arg "${1}" -}}
{{- if not (has $flag $accepts.flags) -}}
{{- $messages = append $messages (printf "ERROR: tempo.extraArgs has %s, but %s defines no flag -%s and would stop at start-up (flag provided but not defined). Remove it, or set what it did through tempo.structuredConfig." $arg $tempo $flag) -}}
{{- end -}}
{{- end -}}
{{- if and (not $version.scalesOut) (include "tempo.workload.manyPods" .) (not (include "tempo.distributed.on" .)) -}}
{{- $messages = append $messages (printf "ERROR: replicas is %d, but %s: %s." (int .Values.replicas) $version.scalingAdvice $tempo) -}}
{{- end -}}
{{- if .Values.tempo.metricsGenerator.enabled -}}
{{- range .Values.tempo.metricsGenerator.processors -}}
{{- if not (has . $version.generatorProcessors) -}}
{{- $messages = append $messages (printf "ERROR: tempo.metricsGenerator.processors has %s, which %s does not have (it has %s). Remove it, or choose a Tempo that has it." . $tempo (join ", " $version.generatorProcessors)) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- toJson $messages -}}
{{- end -}}

{{- /*
tempo.schema.tempoConfig: tempo.structuredConfig, tempo.overrides.defaults and each tenant's overrides
against the selected series' configuration schema (tempo.versions.configSchema): every key
its strict loader accepts, with its type and value list, read from the release itself. Tempo stops at
start-up on a key it does not have ("field ... not found") or a value it cannot decode. A key or a
value the other supported series take is named with them. The schema is read only when one of these
holds something: the defaults pay nothing for it.
A value of the wrong type stops the release before the rules read it (stop); the rest is refused
beside what the rules find (refuse).
Usage: {{ include "tempo.schema.tempoConfig" . | fromJson }}
*/ -}}
{{- define "tempo.schema.tempoConfig" -}}
{{- $messages := list -}}
{{- $stop := list -}}
{{- $places := list -}}
{{- with .Values.tempo.structuredConfig -}}
{{- $places = append $places (dict "value" . "name" "tempo.structuredConfig" "overrides" false) -}}
{{- end -}}
{{- range include "tempo.overrides.places" . | fromJsonArray -}}
{{- if .value -}}
{{- $places = append $places (set . "overrides" true) -}}
{{- end -}}
{{- end -}}
{{- if $places -}}
{{- $selected := include "tempo.version.name" . -}}
{{- $tempo := printf "Tempo %s" $selected -}}
{{- $schema := include "tempo.versions.configSchema" (dict "root" . "series" $selected) | fromJson -}}
{{- $words := dict "object" "a mapping" "array" "a list" "string" "text" "boolean" "true or false" "integer" "a whole number" "number" "a number" -}}
{{- range $place := $places -}}
{{- $problems := include "tempo.version.configProblems" (dict "schema" $schema "place" $place) | fromJsonArray -}}
{{- /* Only when something is wrong: what each other series makes of the same place, to name the ones that take a key or value this one lacks. */ -}}
{{- $others := list -}}
{{- if $problems -}}
{{- range $series := splitList " " (include "tempo.versions.names" $) -}}
{{- if ne $series $selected -}}
{{- $theirSchema := include "tempo.versions.configSchema" (dict "root" $ "series" $series) | fromJson -}}
{{- $refused := dict -}}
{{- range include "tempo.version.configProblems" (dict "schema" $theirSchema "place" $place) | fromJsonArray -}}
{{- $_ := set $refused .at true -}}
{{- end -}}
{{- $others = append $others (dict "series" $series "refused" $refused) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- range $problem := $problems -}}
{{- $where := printf "%s.%s" $place.name $problem.at -}}
{{- $elsewhere := list -}}
{{- /* The place and each place above it (a.b[0].c: a, a.b, a.b[0], a.b[0].c): another series takes the value when it refuses none of them. */ -}}
{{- $above := list -}}
{{- $path := "" -}}
{{- range $part := splitList "." $problem.at -}}
{{- $path = ternary $part (printf "%s.%s" $path $part) (eq $path "") -}}
{{- $above = concat $above (list (regexReplaceAll "\\[[0-9]+\\]$" $path "") $path) -}}
{{- end -}}
{{- range $other := $others -}}
{{- $taken := true -}}
{{- range $above -}}
{{- if hasKey $other.refused . -}}
{{- $taken = false -}}
{{- end -}}
{{- end -}}
{{- if $taken -}}
{{- $elsewhere = append $elsewhere $other.series -}}
{{- end -}}
{{- end -}}
{{- $choose := ternary (printf ", or a Tempo release that has it (%s)" (include "tempo.util.inWords" $elsewhere)) "" (gt (len $elsewhere) 0) -}}
{{- if eq $problem.problem "unknownKey" -}}
{{- $what := ternary (printf "overrides key %s" $problem.at) $problem.at $place.overrides -}}
{{- if $elsewhere -}}
{{- $messages = append $messages (printf "ERROR: %s: %s has no %s, and its strict loader would stop at start-up (field not found). Remove it, or choose a Tempo release that has it (%s)." $where $tempo $what (include "tempo.util.inWords" $elsewhere)) -}}
{{- else -}}
{{- $parent := regexReplaceAll "\\.?[^.]*$" $problem.at "" -}}
{{- $messages = append $messages (printf "ERROR: %s: no Tempo release the chart supports has this key, and the strict loader of %s would stop at start-up (field not found). %s takes: %s." $where $tempo (ternary $place.name (printf "%s.%s" $place.name $parent) (eq $parent "")) (join ", " $problem.keys)) -}}
{{- end -}}
{{- else if eq $problem.problem "type" -}}
{{- $want := list -}}
{{- range $problem.want -}}
{{- if hasKey $words . -}}
{{- $want = append $want (get $words .) -}}
{{- end -}}
{{- end -}}
{{- $given := toJson $problem.given -}}
{{- if kindIs "map" $problem.given -}}
{{- $given = "a mapping" -}}
{{- else if kindIs "slice" $problem.given -}}
{{- $given = "a list" -}}
{{- end -}}
{{- $stop = append $stop (printf "ERROR: %s is %s, but %s reads %s there, and would stop at start-up." $where $given $tempo (include "tempo.util.inWords" $want)) -}}
{{- else if eq $problem.problem "enum" -}}
{{- $allowed := list -}}
{{- range $problem.allowed -}}
{{- $allowed = append $allowed (ternary (quote "") (toString .) (eq (toString .) "")) -}}
{{- end -}}
{{- $messages = append $messages (printf "ERROR: %s is %s, which %s does not have (its list: %s). Choose one of those%s." $where (toString $problem.value) $tempo (join ", " $allowed) $choose) -}}
{{- else if eq $problem.problem "pattern" -}}
{{- $messages = append $messages (printf "ERROR: %s is %s, which %s cannot read: it takes %s." $where (toJson $problem.value) $tempo $problem.description) -}}
{{- else if eq $problem.problem "reservedKey" -}}
{{- $messages = append $messages (printf "ERROR: %s: %s sets this key itself before it reads the file, and its strict loader refuses it set again (key already set in map). Remove it." $where $tempo) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- toJson (dict "stop" $stop "refuse" $messages) -}}
{{- end -}}

{{- /*
tempo.version.configProblems: the problems (tempo.util.schemaProblems) of one place of
tempo.schema.tempoConfig under a series' configuration schema (tempo.versions.configSchema.<series>,
parsed): tempo.structuredConfig against the whole file, the overrides against its overrides.defaults
block.
Usage: {{ include "tempo.version.configProblems" (dict "schema" $schema "place" $place) | fromJsonArray }}
*/ -}}
{{- define "tempo.version.configProblems" -}}
{{- /* A $ref there is followed by tempo.util.schemaProblems. */ -}}
{{- $node := ternary .schema.properties.overrides.properties.defaults .schema .place.overrides -}}
{{- include "tempo.util.schemaProblems" (dict "value" .place.value "schema" $node "definitions" .schema.definitions "at" "") -}}
{{- end -}}

{{- /*
tempo.version.legacyOverrides: "true" when a series that refuses the flat (legacy) overrides layout
is told to read it all the same, by its documented opt-in (tempo.structuredConfig's
legacyOverridesOptIn key, or the flag -config.enable-legacy-overrides); empty otherwise.
Usage: {{ if include "tempo.version.legacyOverrides" . }}...{{ end }}
*/ -}}
{{- define "tempo.version.legacyOverrides" -}}
{{- $version := include "tempo.version" . | fromJson -}}
{{- if $version.legacyOverridesOptIn -}}
{{- $key := (include "tempo.util.valueAt" (dict "values" .Values.tempo.structuredConfig "path" $version.legacyOverridesOptIn) | fromJson).value -}}
{{- $flag := false -}}
{{- range .Values.tempo.extraArgs -}}
{{- if regexMatch "^--?config\\.enable-legacy-overrides(=(true|1|t|T|TRUE|True))?$" . -}}
{{- $flag = true -}}
{{- end -}}
{{- end -}}
{{- if or (eq (toString $key) "true") $flag -}}true{{- end -}}
{{- end -}}
{{- end -}}
