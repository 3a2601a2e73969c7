{{- /*
tempo.config.generated: the Tempo configuration the chart derives from its values, as JSON: one helper
per section (tempo.configSection.<name>), each given {root, protection, wiring, version} (the
selected Tempo series' wiring table and its entry of the versions table, so that each writes that
series' keys) and returning its part of the file as JSON (nothing when the section has nothing to
set), and the keys the wiring table writes as the values stand (tempo.config.fromWiring). JSON rather than YAML between helpers: it is parsed and written several times faster, and only
the file itself (tempo.config.merged) is YAML.
Usage: {{ include "tempo.config.generated" . | fromJson }}
*/ -}}
{{- define "tempo.config.generated" -}}
{{- $wiring := dict -}}
{{- include "tempo.util.parsed" (dict "root" . "name" "tempo.wiring.table" "into" $wiring) -}}
{{- $context := dict "root" . "protection" (include "tempo.sizing.protection" . | fromJson) "wiring" $wiring.value "version" (include "tempo.version" . | fromJson) -}}
{{- $config := dict -}}
{{- range $section := list "target" "api" "distributor" "blocks" "metricsGenerator" "querier" "retention" "storage" "dataPaths" "smallPod" "memberlist" "overrides" "distributed" -}}
{{- $config = merge $config (include (printf "tempo.configSection.%s" $section) $context | default "{}" | fromJson) -}}
{{- end -}}
{{- /* The sections the wiring table writes as the values stand: the servers and logging, tenancy, usage reports. */ -}}
{{- range $under := list "tempo.server." "tempo.multitenancyEnabled" "tempo.reportingEnabled" -}}
{{- $config = merge $config (include "tempo.config.fromWiring" (dict "context" $context "under" $under) | fromJson) -}}
{{- end -}}
{{- toJson $config -}}
{{- end -}}

{{- /*
tempo.configSection.target: the modules Tempo runs. A scaled-out Tempo runs them all in each pod as
one scalable single binary; otherwise Tempo's default (all) stays implicit, as in the design.
Usage: {{ include "tempo.configSection.target" $context | fromJson }} (see tempo.config.generated)
*/ -}}
{{- define "tempo.configSection.target" -}}
{{- if include "tempo.workload.sharesRings" .root -}}
{{- toJson (dict "target" "scalable-single-binary") -}}
{{- end -}}
{{- end -}}

{{- /*
tempo.configSection.distributor: the enabled receivers (the listeners of the wiring table whose Tempo
key lies under distributor.receivers), each bound on 0.0.0.0 and, with tempo.receivers.tls, served
over TLS when it runs over TCP; and the Kafka consumer.
Usage: {{ include "tempo.configSection.distributor" $context | fromJson }} (see tempo.config.generated)
*/ -}}
{{- define "tempo.configSection.distributor" -}}
{{- $receivers := .root.Values.tempo.receivers -}}
{{- $tls := include "tempo.receivers.tls" .root | fromJson -}}
{{- $config := dict -}}
{{- $allListeners := dict -}}
{{- include "tempo.util.parsed" (dict "root" .root "name" "tempo.config.listeners" "into" $allListeners) -}}
{{- range $listener := $allListeners.value -}}
{{- if $listener.receiver -}}
{{- /* Set explicitly: Tempo 2.5 binds 0.0.0.0 by default, but later releases bind localhost only. */ -}}
{{- $settings := dict "endpoint" (printf "0.0.0.0:%d" (int $listener.port)) -}}
{{- if and $tls.settings (eq $listener.protocol "TCP") -}}
{{- $_ := set $settings "tls" $tls.settings -}}
{{- end -}}
{{- include "tempo.util.deepMerge" (dict "dst" $config "src" (include "tempo.util.nested" (dict "path" (trimSuffix ".endpoint" $listener.tempoKey) "value" $settings) | fromJson)) -}}
{{- end -}}
{{- end -}}
{{- with $receivers.kafka -}}
{{- if .enabled -}}
{{- $kafka := (include "tempo.config.fromWiring" (dict "context" $ "under" "tempo.receivers.kafka.") | fromJson).distributor.receivers.kafka -}}
{{- /* The topic is the series' key (the wiring table's): a string, or the one entry of a list of topics. */ -}}
{{- range $.wiring.ownedKeys -}}
{{- if eq .value "tempo.receivers.kafka.topic" -}}
{{- $topic := ternary (list $receivers.kafka.topic) $receivers.kafka.topic (hasSuffix ".topics" .key) -}}
{{- include "tempo.util.deepMerge" (dict "dst" $kafka "src" (include "tempo.util.nested" (dict "path" (trimPrefix "distributor.receivers.kafka." .key) "value" $topic) | fromJson)) -}}
{{- end -}}
{{- end -}}
{{- $auth := dict -}}
{{- if .sasl.mechanism -}}
{{- /* Filled from the Secret through the environment (tempo.pod.secretEnv). */ -}}
{{- $_ := set $auth "sasl" (dict "mechanism" .sasl.mechanism "username" "${KAFKA_SASL_USERNAME}" "password" "${KAFKA_SASL_PASSWORD}") -}}
{{- end -}}
{{- if .tls.enabled -}}
{{- $_ := set $auth "tls" (dict "insecure" false "insecure_skip_verify" .tls.insecureSkipVerify) -}}
{{- end -}}
{{- with $auth -}}
{{- $_ := set $kafka "auth" . -}}
{{- end -}}
{{- include "tempo.util.deepMerge" (dict "dst" $config "src" (dict "distributor" (dict "receivers" (dict "kafka" $kafka)))) -}}
{{- end -}}
{{- end -}}
{{- with $config -}}
{{- toJson . -}}
{{- end -}}
{{- end -}}

{{- /*
tempo.configSection.blocks: how long the live traces are gathered into a block, the block size that
fits the memory limit (the series' derived key maxBlockBytes: the ingester's before 3.0, the
live-store's from 3.0 on) and, where the series bounds them in bytes, the live traces' bytes (its
maxLiveTracesBytes: 3.0's live-store), whether the pod flushes its write-ahead log into blocks as it stops (the
series' flushAllOnShutdown: from 2.10 on, so that the step to 3.0 loses nothing) and, for pods that
share rings, the ingesters' ring over memberlist with tempo.workload.replicationFactor copies of each
trace.
Usage: {{ include "tempo.configSection.blocks" $context | fromJson }} (see tempo.config.generated)
*/ -}}
{{- define "tempo.configSection.blocks" -}}
{{- $config := include "tempo.config.fromWiring" (dict "context" . "under" "tempo.maxBlockDuration") | fromJson -}}
{{- range $setting := list "maxBlockBytes" "maxLiveTracesBytes" -}}
{{- $key := get $.version.derivedKeys $setting -}}
{{- if and $key (get $.protection $setting) -}}
{{- include "tempo.util.deepMerge" (dict "dst" $config "src" (include "tempo.util.nested" (dict "path" $key "value" (get $.protection $setting | int64)) | fromJson)) -}}
{{- end -}}
{{- end -}}
{{- with .version.derivedKeys.flushAllOnShutdown -}}
{{- include "tempo.util.deepMerge" (dict "dst" $config "src" (include "tempo.util.nested" (dict "path" . "value" true) | fromJson)) -}}
{{- end -}}
{{- if include "tempo.workload.sharesRings" .root -}}
{{- include "tempo.util.deepMerge" (dict "dst" $config "src" (dict "ingester" (dict "lifecycler" (dict "ring" (dict "kvstore" (dict "store" "memberlist") "replication_factor" (include "tempo.workload.replicationFactor" .root | int)))))) -}}
{{- end -}}
{{- toJson $config -}}
{{- end -}}

{{- /*
tempo.configSection.querier: in a scaled-out Tempo each pod's querier works for its own
query-frontend, so a query sent to any pod is answered there (from every pod's ingesters, through the
ring, and from the shared object store). Set explicitly because the default names port 9095.
Usage: {{ include "tempo.configSection.querier" $context | fromJson }} (see tempo.config.generated)
*/ -}}
{{- define "tempo.configSection.querier" -}}
{{- if include "tempo.workload.sharesRings" .root -}}
{{- toJson (dict "querier" (dict "frontend_worker" (dict "frontend_address" (printf "127.0.0.1:%d" (include "tempo.config.port" (dict "root" .root "name" "grpc") | int))))) -}}
{{- end -}}
{{- end -}}

{{- /*
tempo.configSection.retention: how long blocks are kept (the compactor's setting before 3.0, the
backend worker's from 3.0 on); pods that share rings share compaction work over a ring.
Usage: {{ include "tempo.configSection.retention" $context | fromJson }} (see tempo.config.generated)
*/ -}}
{{- define "tempo.configSection.retention" -}}
{{- $config := include "tempo.config.fromWiring" (dict "context" . "under" "tempo.retention") | fromJson -}}
{{- if include "tempo.workload.sharesRings" .root -}}
{{- include "tempo.util.deepMerge" (dict "dst" $config "src" (dict "compactor" (dict "ring" (dict "kvstore" (dict "store" "memberlist"))))) -}}
{{- end -}}
{{- toJson $config -}}
{{- end -}}

{{- /*
tempo.configSection.smallPod: the selected series' settings for a small pod (its smallPod: on 3.0, the
set a 256Mi pod survived saturation with), when the container's memory limit is at most its
memoryAtMost. Like the protective settings, with sizing.preset none or without a memory limit
nothing is set, and tempo.structuredConfig wins.
Usage: {{ include "tempo.configSection.smallPod" $context | fromJson }} (see tempo.config.generated)
*/ -}}
{{- define "tempo.configSection.smallPod" -}}
{{- $config := dict -}}
{{- $limit := ((include "tempo.sizing.resources" .root | fromJson).limits | default dict).memory -}}
{{- with .version.smallPod -}}
{{- if and $limit (not (include "tempo.distributed.on" $.root)) (ne (include "tempo.sizing.preset" $.root) "none") (le (include "tempo.util.quantity" $limit | float64) (include "tempo.util.quantity" .memoryAtMost | float64)) -}}
{{- range $key, $setting := .settings -}}
{{- include "tempo.util.deepMerge" (dict "dst" $config "src" (include "tempo.util.nested" (dict "path" $key "value" $setting) | fromJson)) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- toJson $config -}}
{{- end -}}

{{- /*
tempo.configSection.dataPaths: the folders the selected series writes whatever the values (its
dataPaths: the write-ahead log; from 3.0 on the live-store's and the backend scheduler's too), each
under tempo.dataDir on the data volume.
Usage: {{ include "tempo.configSection.dataPaths" $context | fromJson }} (see tempo.config.generated)
*/ -}}
{{- define "tempo.configSection.dataPaths" -}}
{{- $config := dict -}}
{{- range $key, $folder := .version.dataPaths -}}
{{- include "tempo.util.deepMerge" (dict "dst" $config "src" (include "tempo.util.nested" (dict "path" $key "value" (printf "%s/%s" $.root.Values.tempo.dataDir $folder)) | fromJson)) -}}
{{- end -}}
{{- toJson $config -}}
{{- end -}}

{{- /*
tempo.configSection.memberlist: gossip. Pods that share their rings join through the headless
Service, under a cluster label of their own, so that another Tempo, Loki or Mimir gossiping in the
same namespace cannot merge rings with it. Each pod advertises the port it binds: once an advertised
address is set (memberlist.advertise_addr, as meshes and dual-stack clusters need), Tempo advertises
advertise_port, 7946 unless told, and peers that dial 7946 on a pod bound elsewhere never reach it
(test/real-tempo.test.ts). A single pod gossips with no one: the port is set only when it is not
Tempo's own 7946 (the design's configuration has no memberlist block).
Usage: {{ include "tempo.configSection.memberlist" $context | fromJson }} (see tempo.config.generated)
*/ -}}
{{- define "tempo.configSection.memberlist" -}}
{{- $root := .root -}}
{{- $port := int $root.Values.tempo.memberlist.bindPort -}}
{{- if include "tempo.workload.sharesRings" $root -}}
{{- $join := printf "dns+%s:%d" (include "tempo.names.host" (dict "root" $root "service" (include "tempo.names.headless" $root))) $port -}}
{{- /* The first pods of a new cluster have no one to join yet: abort_if_cluster_join_fails is off. */ -}}
{{- toJson (dict "memberlist" (dict "bind_port" $port "advertise_port" $port "cluster_label" (printf "%s.%s" (include "tempo.names.fullname" $root) (include "tempo.names.namespace" $root)) "join_members" (list $join) "abort_if_cluster_join_fails" false)) -}}
{{- else if ne $port 7946 -}}
{{- toJson (dict "memberlist" (dict "bind_port" $port "advertise_port" $port)) -}}
{{- end -}}
{{- end -}}

{{- /*
tempo.configSection.api: search results streamed over the HTTP port (gRPC), which Grafana's Tempo data
source uses when it talks to Tempo directly (grafana.datasource without the gateway).
Usage: {{ include "tempo.configSection.api" $context | fromJson }} (see tempo.config.generated)
*/ -}}
{{- define "tempo.configSection.api" -}}
{{- if and .root.Values.grafana.datasource.enabled (not .root.Values.gateway.enabled) -}}
{{- toJson (dict "stream_over_http_enabled" true) -}}
{{- end -}}
{{- end -}}

{{- /*
tempo.configSection.metricsGenerator: with tempo.metricsGenerator on, where the generator keeps its
write-ahead log and local blocks (on the data volume), where it sends the series (remote write, with
credentials as ${VAR} references from tempo.pod.secretReferences) and the labels it adds; in a
scaled-out Tempo its ring over memberlist. The processors themselves are per-tenant overrides.
Usage: {{ include "tempo.configSection.metricsGenerator" $context | fromJson }} (see tempo.config.generated)
*/ -}}
{{- define "tempo.configSection.metricsGenerator" -}}
{{- $generator := .root.Values.tempo.metricsGenerator -}}
{{- if $generator.enabled -}}
{{- $references := include "tempo.pod.secretReferences" .root | fromJson -}}
{{- $remoteWrite := list -}}
{{- range $index, $target := $generator.remoteWrite -}}
{{- $entry := dict "url" $target.url -}}
{{- with $target.name -}}
{{- $_ := set $entry "name" . -}}
{{- end -}}
{{- with $target.headers -}}
{{- $_ := set $entry "headers" . -}}
{{- end -}}
{{- if $target.sendExemplars -}}
{{- $_ := set $entry "send_exemplars" true -}}
{{- end -}}
{{- if $target.insecureSkipVerify -}}
{{- $_ := set $entry "tls_config" (dict "insecure_skip_verify" true) -}}
{{- end -}}
{{- with get $references (printf "remoteWrite.%d.password" $index) -}}
{{- $_ := set $entry "basic_auth" (dict "username" (printf "${%s}" (get $references (printf "remoteWrite.%d.username" $index)).variable) "password" (printf "${%s}" .variable)) -}}
{{- end -}}
{{- with get $references (printf "remoteWrite.%d.token" $index) -}}
{{- $_ := set $entry "authorization" (dict "type" "Bearer" "credentials" (printf "${%s}" .variable)) -}}
{{- end -}}
{{- $remoteWrite = append $remoteWrite $entry -}}
{{- end -}}
{{- $dir := printf "%s/generator" .root.Values.tempo.dataDir -}}
{{- $config := dict "storage" (dict "path" (printf "%s/wal" $dir) "remote_write" $remoteWrite) -}}
{{- if has "local-blocks" $generator.processors -}}
{{- $_ := set $config "traces_storage" (dict "path" (printf "%s/traces" $dir)) -}}
{{- end -}}
{{- include "tempo.util.deepMerge" (dict "dst" $config "src" ((include "tempo.config.fromWiring" (dict "context" $ "under" "tempo.metricsGenerator.externalLabels") | fromJson).metrics_generator | default dict)) -}}
{{- if include "tempo.workload.sharesRings" .root -}}
{{- $_ := set $config "ring" (dict "kvstore" (dict "store" "memberlist")) -}}
{{- end -}}
{{- toJson (dict "metrics_generator" $config) -}}
{{- end -}}
{{- end -}}

{{- /*
tempo.config.fromWiring: the Tempo keys of the wiring table that values under a path (a value, or a
prefix ending in ".") write as they stand (x-tempo-written), nested, as JSON; a "whenSet" value only
when it is set (not false, empty or null). Every other owned key is derived by its section's helper.
Usage: {{ include "tempo.config.fromWiring" (dict "context" $context "under" "tempo.server.") | fromJson }}
*/ -}}
{{- define "tempo.config.fromWiring" -}}
{{- $config := dict -}}
{{- $values := .context.root.Values -}}
{{- range $owned := .context.wiring.ownedKeys -}}
{{- if and $owned.written (or (eq $owned.value $.under) (and (hasSuffix "." $.under) (hasPrefix $.under $owned.value))) -}}
{{- $setting := $values -}}
{{- range $part := splitList "." $owned.value -}}
{{- $setting = get $setting $part -}}
{{- end -}}
{{- if or (eq $owned.written "always") (and (not (kindIs "invalid" $setting)) (not (empty $setting))) -}}
{{- include "tempo.util.deepMerge" (dict "dst" $config "src" (include "tempo.util.nested" (dict "path" $owned.key "value" $setting) | fromJson)) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- toJson $config -}}
{{- end -}}

{{- /*
tempo.config.mergedUncached: computes tempo.config.merged; _memoized.tpl, written by the
build, defines tempo.config.merged around it, computed once per rendering (tempo.util.once).
tempo.config.merged: the Tempo configuration file: the generated configuration with
tempo.structuredConfig deep-merged over it, serialised once.
Usage: {{ include "tempo.config.merged" . }}
*/ -}}
{{- define "tempo.config.mergedUncached" -}}
{{- $config := include "tempo.config.generated" . | fromJson -}}
{{- include "tempo.util.deepMerge" (dict "dst" $config "src" (deepCopy .Values.tempo.structuredConfig)) -}}
{{- toYaml $config -}}
{{- end -}}

{{- /*
tempo.config.listenersUncached: computes tempo.config.listeners; _memoized.tpl, written by the
build, defines tempo.config.listeners around it, computed once per rendering (tempo.util.once).
tempo.config.listeners: every port Tempo binds, from the wiring table (the x-listener values of
values.schema.json), as a JSON list of {name, port, setting (the value), default, exposed, protocol,
appProtocol, tempoKey}; a listener switched off by its enabledBy value is left out. Exposed listeners
become container and Service ports; no two may share a port and protocol.
Usage: {{- $allListeners := dict }}{{- include "tempo.util.parsed" (dict "root" . "name" "tempo.config.listeners" "into" $allListeners) }}{{ range $allListeners.value }}
*/ -}}
{{- define "tempo.config.listenersUncached" -}}
{{- $listeners := list -}}
{{- $wiring := dict -}}
{{- include "tempo.util.parsed" (dict "root" . "name" "tempo.wiring.table" "into" $wiring) -}}
{{- range $listener := $wiring.value.listeners -}}
{{- /* Walked inline rather than through tempo.util.valueAt: this runs for every listener on every use, and the schema guarantees each path. */ -}}
{{- $enabled := true -}}
{{- with $listener.enabledBy -}}
{{- $node := $.Values -}}
{{- range $part := splitList "." . -}}
{{- $node = get $node $part -}}
{{- end -}}
{{- $enabled = $node -}}
{{- end -}}
{{- if $enabled -}}
{{- $port := $.Values -}}
{{- range $part := splitList "." $listener.value -}}
{{- $port = get $port $part -}}
{{- end -}}
{{- $listeners = append $listeners (merge (dict "port" (int $port) "setting" $listener.value "default" (int $listener.default)) (omit $listener "value" "default" "enabledBy")) -}}
{{- end -}}
{{- end -}}
{{- toJson $listeners -}}
{{- end -}}

{{- /*
tempo.config.port: the port of one of Tempo's listeners by its name in the wiring table (http, grpc,
gossip, otlp-grpc...), so that no template reads a listener's value itself; 0 for a listener that is
switched off.
Usage: {{ include "tempo.config.port" (dict "root" . "name" "grpc") | int }}
*/ -}}
{{- define "tempo.config.port" -}}
{{- $port := 0 -}}
{{- $allListeners := dict -}}
{{- include "tempo.util.parsed" (dict "root" .root "name" "tempo.config.listeners" "into" $allListeners) -}}
{{- range $allListeners.value -}}
{{- if eq .name $.name -}}
{{- $port = .port -}}
{{- end -}}
{{- end -}}
{{- $port -}}
{{- end -}}

{{- /*
tempo.config.literalCredentials: the dotted paths in (part of) a Tempo configuration where a
credential key (tempo.facts.credentials) holds a literal value rather than an environment reference
such as ${S3_SECRET_KEY}, as a JSON list.
Usage: {{ include "tempo.config.literalCredentials" (dict "node" $config "path" "" "credentials" (include "tempo.facts.credentials" . | fromJson)) | fromJsonArray }}
*/ -}}
{{- define "tempo.config.literalCredentials" -}}
{{- $found := list -}}
{{- $credentials := .credentials -}}
{{- if kindIs "map" .node -}}
{{- range $key, $value := .node -}}
{{- $path := ternary $key (printf "%s.%s" $.path $key) (eq $.path "") -}}
{{- if and (has $key $credentials.keys) (not (kindIs "map" $value)) (not (kindIs "slice" $value)) (not (kindIs "invalid" $value)) -}}
{{- $text := toString $value -}}
{{- if and (ne $text "") (not (regexMatch $credentials.environmentReference $text)) -}}
{{- $found = append $found $path -}}
{{- end -}}
{{- else -}}
{{- $found = concat $found (include "tempo.config.literalCredentials" (dict "node" $value "path" $path "credentials" $credentials) | fromJsonArray) -}}
{{- end -}}
{{- end -}}
{{- else if kindIs "slice" .node -}}
{{- range $index, $item := .node -}}
{{- $found = concat $found (include "tempo.config.literalCredentials" (dict "node" $item "path" (printf "%s.%d" $.path $index) "credentials" $credentials) | fromJsonArray) -}}
{{- end -}}
{{- end -}}
{{- toJson $found -}}
{{- end -}}

{{- /*
tempo.config.leavesAt: the leaves (neither maps nor lists) under node whose key has patterns in keys
(a facts table {NAME: [regular expression of the dotted path]}) and whose dotted path matches one, as
a JSON list of {path, value}.
Usage: {{ include "tempo.config.leavesAt" (dict "node" $config "path" "" "keys" (include "tempo.facts.durations" . | fromJson)) | fromJsonArray }}
*/ -}}
{{- define "tempo.config.leavesAt" -}}
{{- $found := list -}}
{{- $children := dict -}}
{{- if kindIs "map" .node -}}
{{- $children = .node -}}
{{- else if kindIs "slice" .node -}}
{{- range $index, $item := .node -}}
{{- $_ := set $children (toString $index) $item -}}
{{- end -}}
{{- end -}}
{{- range $key, $value := $children -}}
{{- $path := ternary $key (printf "%s.%s" $.path $key) (eq $.path "") -}}
{{- if or (kindIs "map" $value) (kindIs "slice" $value) -}}
{{- $found = concat $found (include "tempo.config.leavesAt" (dict "node" $value "path" $path "keys" $.keys) | fromJsonArray) -}}
{{- else -}}
{{- $matches := false -}}
{{- range $pattern := get $.keys $key | default list -}}
{{- if regexMatch $pattern $path -}}
{{- $matches = true -}}
{{- end -}}
{{- end -}}
{{- if $matches -}}
{{- $found = append $found (dict "path" $path "value" $value) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- toJson $found -}}
{{- end -}}
