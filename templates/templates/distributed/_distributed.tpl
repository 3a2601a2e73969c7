{{- /*
tempo.distributed.on: "true" with architecture distributed: Tempo 3.0's components each a workload of
their own, writing through Kafka (docs/distributed.md); "" for the monolithic workload of the design.
Usage: {{ if include "tempo.distributed.on" . }}
*/ -}}
{{- define "tempo.distributed.on" -}}
{{- if eq .Values.architecture "distributed" }}true{{ end -}}
{{- end -}}

{{- /*
tempo.distributed.components: Tempo 3.0's components as data, one entry per -target, as JSON [{key
(its components.<key> values), target, kind and why, gossip (it keeps a ring over memberlist; the
query-frontend and the backend scheduler have none, measured: they never joined), receives (the
receivers listen on it), partitioned (one pod per Kafka partition, in zones), enabledBy (the value
that switches it on; always on without)}]. Measured on real 3.0.3 processes
(../shared/docs/tempo-distributed.md, test/e2e.test.ts).
Usage: {{ range include "tempo.distributed.components" . | fromJsonArray }}
*/ -}}
{{- define "tempo.distributed.components" -}}
[
  {"key": "distributor", "target": "distributor", "kind": "Deployment", "gossip": true, "receives": true,
   "why": "stateless: it writes what it receives to Kafka"},
  {"key": "liveStore", "target": "live-store", "kind": "StatefulSet", "gossip": true, "partitioned": true,
   "why": "its instance ID is its pod's name, which must end in the Kafka partition it owns: the StatefulSet's ordinal"},
  {"key": "blockBuilder", "target": "block-builder", "kind": "StatefulSet", "gossip": true,
   "why": "its instance ID is its pod's name, whose ordinal says which Kafka partitions it consumes"},
  {"key": "querier", "target": "querier", "kind": "Deployment", "gossip": true,
   "why": "stateless: it runs the jobs the query-frontend hands it"},
  {"key": "queryFrontend", "target": "query-frontend", "kind": "Deployment",
   "why": "stateless: it splits queries into jobs for the queriers"},
  {"key": "backendScheduler", "target": "backend-scheduler", "kind": "StatefulSet",
   "why": "a singleton: a StatefulSet never runs a second pod beside the first, even during a rollout"},
  {"key": "backendWorker", "target": "backend-worker", "kind": "Deployment", "gossip": true,
   "why": "stateless: it takes its jobs from the backend scheduler"},
  {"key": "metricsGenerator", "target": "metrics-generator", "kind": "StatefulSet", "gossip": true, "enabledBy": "tempo.metricsGenerator.enabled",
   "why": "its instance ID is its pod's name, and its write-ahead log stays with the pod"}
]
{{- end -}}

{{- /*
tempo.distributed.replicas: how many pods a component runs, as JSON {replicas, fewest (the fewest the
autoscaler leaves, or replicas)}: the live-stores one per Kafka partition in each zone and the
block-builders as many as cover every partition unless their values say otherwise (the rules refuse
counts that do not cover them).
Usage: {{ (include "tempo.distributed.replicas" (dict "root" . "key" "liveStore") | fromJson).replicas }}
*/ -}}
{{- define "tempo.distributed.replicas" -}}
{{- $settings := get .root.Values.components .key -}}
{{- $partitions := int .root.Values.kafka.partitions -}}
{{- $replicas := $settings.replicas -}}
{{- if kindIs "invalid" $replicas -}}
{{- if eq .key "liveStore" -}}
{{- $replicas = $partitions -}}
{{- else if eq .key "blockBuilder" -}}
{{- $perInstance := int $settings.partitionsPerInstance -}}
{{- $replicas = div (add $partitions $perInstance -1) $perInstance -}}
{{- end -}}
{{- end -}}
{{- $fewest := int $replicas -}}
{{- if and (hasKey $settings "autoscaling") $settings.autoscaling.enabled -}}
{{- $fewest = int $settings.autoscaling.minReplicas -}}
{{- end -}}
{{- toJson (dict "replicas" (int $replicas) "fewest" $fewest) -}}
{{- end -}}

{{- /*
tempo.distributed.selector: the labels that select one component's pods (one zone's, for the
live-stores in zones), as YAML: Tempo's selector and the component's name.
Usage: {{ include "tempo.distributed.selector" (dict "root" . "component" "live-store-zone-a") }}
*/ -}}
{{- define "tempo.distributed.selector" -}}
{{- include "tempo.labels.selector" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- /*
tempo.component.distributed: the rows of the components table (see tempo.components.table) for
architecture distributed, as a JSON list: one per component that runs, and one per zone for the
live-stores in zones, each running the same Tempo configuration with its own -target (and zone). Their
Services: each its own, named after it (<fullname>-<component>: the backend workers reach the
scheduler through its own, the monitors scrape them all); the query-frontend's is also the release's
main Service (the query API) and its headless discovery Service, through which each querier finds
every query-frontend; the distributors' also the ingest one (the receivers), and the headless Service
through which the pods gossip and that governs the StatefulSets.
Usage: {{ include "tempo.component.distributed" . | fromJsonArray }}
*/ -}}
{{- define "tempo.component.distributed" -}}
{{- if include "tempo.distributed.on" . -}}
{{- $root := . -}}
{{- $rows := list -}}
{{- $writes := list -}}
{{- range include "tempo.pod.writes" . | fromJsonArray -}}
{{- $writes = append $writes .path -}}
{{- end -}}
{{- $allListeners := dict -}}
{{- include "tempo.util.parsed" (dict "root" . "name" "tempo.config.listeners" "into" $allListeners) -}}
{{- $listeners := $allListeners.value -}}
{{- range $component := include "tempo.distributed.components" . | fromJsonArray -}}
{{- $enabled := true -}}
{{- with $component.enabledBy -}}
{{- $enabled = (include "tempo.util.valueAt" (dict "values" $root.Values "path" .) | fromJson).value -}}
{{- end -}}
{{- if $enabled -}}
{{- $settings := get $root.Values.components $component.key -}}
{{- $groups := list (dict "name" $component.target "zone" "" "nodeSelector" dict) -}}
{{- if and $component.partitioned $settings.zones -}}
{{- $groups = list -}}
{{- range $settings.zones -}}
{{- $groups = append $groups (dict "name" (printf "%s-%s" $component.target .name) "zone" .name "nodeSelector" (.nodeSelector | default dict)) -}}
{{- end -}}
{{- end -}}
{{- $count := include "tempo.distributed.replicas" (dict "root" $root "key" $component.key) | fromJson -}}
{{- range $group := $groups -}}
{{- $selector := include "tempo.distributed.selector" (dict "root" $root "component" $group.name) -}}
{{- $labels := include "tempo.labels.with" (dict "root" $root "labels" (dict "app.kubernetes.io/component" $group.name)) -}}
{{- $resourceName := include "tempo.names.suffixed" (dict "root" $root "suffix" $group.name) -}}
{{- $row := dict "name" $group.name "kind" $component.kind "why" $component.why "resourceName" $resourceName "labels" $labels "selector" $selector "replicas" (int $count.replicas) "podTemplate" "tempo.pod.template" -}}
{{- /* What it is to Tempo: its target, the ports it binds, its ring, the paths it writes. */ -}}
{{- $bound := list -}}
{{- range $listeners -}}
{{- if or (has .name (list "http" "grpc")) (and .receiver $component.receives) (and (eq .name "gossip") $component.gossip) -}}
{{- $bound = append $bound .name -}}
{{- end -}}
{{- end -}}
{{- $args := list (printf "-target=%s" $component.target) -}}
{{- with $group.zone -}}
{{- $args = append $args (printf "-live-store.instance-availability-zone=%s" .) -}}
{{- end -}}
{{- $spread := include "tempo.pod.topologySpread" (dict "constraints" $settings.topologySpreadConstraints "manyPods" (gt (int $count.fewest) 1) "selector" $selector) | fromJsonArray -}}
{{- $placement := dict "nodeSelector" (merge (deepCopy $group.nodeSelector) $settings.nodeSelector) "affinity" $settings.affinity "tolerations" $settings.tolerations "topologySpreadConstraints" $spread -}}
{{- $persistence := $settings.persistence | default dict -}}
{{- $claimed := false -}}
{{- if and (eq $component.kind "StatefulSet") $persistence.enabled -}}
{{- $claimed = true -}}
{{- end -}}
{{- $goMemLimit := "" -}}
{{- with dig "limits" "memory" "" $settings.resources -}}
{{- $goMemLimit = include "tempo.sizing.goMemLimit" (dict "root" $root "limit" .) -}}
{{- end -}}
{{- $_ := set $row "tempo" (dict "key" $component.key "target" $component.target "listeners" $bound "ports" (without $bound "gossip") "rings" (ternary "memberlist, shared by the components" "none" (eq (toString $component.gossip) "true")) "writes" $writes "args" $args "resources" $settings.resources "goMemLimit" $goMemLimit "placement" $placement "podLabels" (merge (ternary (dict "app.kubernetes.io/component" $group.name "app.kubernetes.io/part-of" "memberlist") (dict "app.kubernetes.io/component" $group.name) (eq (toString $component.gossip) "true")) $root.Values.podLabels) "podAnnotations" (merge (deepCopy ($settings.podAnnotations | default dict)) $root.Values.podAnnotations) "dataVolume" (ternary nil (dict "name" "storage" "emptyDir" dict) $claimed) "gossip" (eq (toString $component.gossip) "true")) -}}
{{- if eq $component.kind "StatefulSet" -}}
{{- /* Every pod starts at once: none needs another to be ready first, and a live-store's partition waits for it alone. */ -}}
{{- $statefulSet := dict "serviceName" (include "tempo.names.headless" $root) "podManagementPolicy" "Parallel" -}}
{{- if $claimed -}}
{{- $spec := dict "accessModes" (list "ReadWriteOnce") "resources" (dict "requests" (dict "storage" $persistence.size)) -}}
{{- with $persistence.storageClassName -}}
{{- $_ := set $spec "storageClassName" . -}}
{{- end -}}
{{- $_ := set $statefulSet "claimTemplates" (list (dict "metadata" (dict "name" "storage") "spec" $spec)) -}}
{{- $_ := set $statefulSet "claimRetention" (dict "whenDeleted" "Retain" "whenScaled" "Retain") -}}
{{- end -}}
{{- $_ := set $row "statefulSet" $statefulSet -}}
{{- else -}}
{{- $_ := set $row "deployment" (dict "revisionHistoryLimit" $root.Values.revisionHistoryLimit) -}}
{{- end -}}
{{- if and (hasKey $settings "autoscaling") $settings.autoscaling.enabled -}}
{{- $_ := set $row "autoscaling" (pick $settings.autoscaling "minReplicas" "maxReplicas" "targetCPUUtilizationPercentage") -}}
{{- end -}}
{{- if and $settings.podDisruptionBudget.enabled (gt (int $count.fewest) 1) -}}
{{- $_ := set $row "disruption" (dict "maxUnavailable" $settings.podDisruptionBudget.maxUnavailable) -}}
{{- end -}}
{{- $_ := set $row "services" (include "tempo.distributed.services" (dict "root" $root "target" $component.target "name" $group.name "selector" $selector "labels" $labels) | fromJsonArray) -}}
{{- $rows = append $rows $row -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- toJson $rows -}}
{{- end -}}
{{- end -}}

{{- /*
tempo.distributed.services: the Services of one component of architecture distributed (one zone's,
for the live-stores in zones: name), as a JSON list of {name, labels, annotations, spec} (see
tempo.kit.services), from the component's selector and labels (YAML).
Usage: {{ include "tempo.distributed.services" (dict "root" . "target" "query-frontend" "name" "query-frontend" "selector" $selector "labels" $labels) | fromJsonArray }}
*/ -}}
{{- define "tempo.distributed.services" -}}
{{- $root := .root -}}
{{- $selector := .selector | fromYaml -}}
{{- $grpc := dict "name" "grpc" "port" (include "tempo.config.port" (dict "root" $root "name" "grpc") | int) "targetPort" "grpc" "protocol" "TCP" "appProtocol" "grpc" -}}
{{- $http := dict "name" "http" "port" (include "tempo.config.port" (dict "root" $root "name" "http") | int) "targetPort" "http" "protocol" "TCP" "appProtocol" "http" -}}
{{- /* Its own Service, named after it and labelled with it: its HTTP port (metrics, status pages) and its gRPC port, for the monitors and for what calls it. */ -}}
{{- $services := list (dict "name" (include "tempo.names.suffixed" (dict "root" $root "suffix" .name)) "labels" .labels "spec" (dict "type" "ClusterIP" "selector" $selector "ports" (list $http $grpc))) -}}
{{- if eq .target "query-frontend" -}}
{{- $services = append $services (dict "name" (include "tempo.names.fullname" $root) "labels" (include "tempo.labels.with" (dict "root" $root "labels" $root.Values.service.labels)) "annotations" $root.Values.service.annotations "spec" (include "tempo.service.spec" (dict "root" $root "settings" $root.Values.service "ingest" false "selector" .selector) | fromYaml)) -}}
{{- /* Each querier connects to every query-frontend: the headless Service's DNS names them all, ready or not. */ -}}
{{- $services = append $services (dict "name" (include "tempo.names.suffixed" (dict "root" $root "suffix" "query-frontend-discovery")) "labels" (include "tempo.labels.standard" $root) "spec" (dict "clusterIP" "None" "publishNotReadyAddresses" true "selector" $selector "ports" (list $grpc))) -}}
{{- else if eq .target "distributor" -}}
{{- $services = append $services (dict "name" (include "tempo.names.ingest" $root) "labels" (include "tempo.labels.with" (dict "root" $root "labels" $root.Values.service.ingest.labels)) "annotations" $root.Values.service.ingest.annotations "spec" (include "tempo.service.spec" (dict "root" $root "settings" $root.Values.service.ingest "ingest" true "selector" .selector) | fromYaml)) -}}
{{- /* The Service the pods gossip through and the StatefulSets' governing one: every Tempo pod that binds the gossip port (labelled part-of memberlist, as Grafana's charts label them), ready or not (a starting pod joins the ring before it is ready). */ -}}
{{- $gossip := dict "name" "gossip" "port" (include "tempo.config.port" (dict "root" $root "name" "gossip") | int) "targetPort" "gossip" "protocol" "TCP" -}}
{{- $services = append $services (dict "name" (include "tempo.names.headless" $root) "labels" (include "tempo.labels.standard" $root) "spec" (dict "clusterIP" "None" "publishNotReadyAddresses" true "selector" (merge (include "tempo.labels.selector" $root | fromYaml) (dict "app.kubernetes.io/part-of" "memberlist")) "ports" (list $gossip))) -}}
{{- end -}}
{{- toJson $services -}}
{{- end -}}

{{- /*
tempo.configSection.distributed: with architecture distributed, what the components need beyond the
monolithic configuration they share (measured on real 3.0.3 processes, docs/distributed.md): Kafka
(brokers, topic, the partitions Tempo creates it with, SASL credentials as ${VAR} references from
tempo.pod.secretReferences), every ring on memberlist joined through the headless Service under a
cluster label of the release's, the block-builders' partitions per pod, write-ahead log under
tempo.dataDir and the bytes they consume before writing blocks, from their memory limit, where the queriers find the query-frontends and the backend workers the scheduler
(their gRPC ports), and a live-store ready only once it is within 30 s of its partition's end (Tempo's
default reports it ready at once, while it may be far behind: measured), so a rollout waits for it
and reads go to a live-store that has the recent traces. Instance IDs stay Tempo's default, the pod's hostname: a StatefulSet pod's name,
ending in its ordinal, which is the partition a live-store owns.
Usage: {{ include "tempo.configSection.distributed" $context | fromJson }} (see tempo.config.generated)
*/ -}}
{{- define "tempo.configSection.distributed" -}}
{{- $root := .root -}}
{{- if include "tempo.distributed.on" $root -}}
{{- $kafka := dict "address" (join "," $root.Values.kafka.brokers) "topic" $root.Values.kafka.topic "auto_create_topic_default_partitions" (int $root.Values.kafka.partitions) -}}
{{- $references := include "tempo.pod.secretReferences" $root | fromJson -}}
{{- with get $references "ingest.password" -}}
{{- $_ := set $kafka "sasl_username" (printf "${%s}" (get $references "ingest.username").variable) -}}
{{- $_ := set $kafka "sasl_password" (printf "${%s}" .variable) -}}
{{- end -}}
{{- $memberlist := dict "kvstore" (dict "store" "memberlist") -}}
{{- $port := include "tempo.config.port" (dict "root" $root "name" "gossip") | int -}}
{{- $grpc := include "tempo.config.port" (dict "root" $root "name" "grpc") | int -}}
{{- $config := dict
  "ingest" (dict "kafka" $kafka)
  "memberlist" (dict "bind_port" $port "advertise_port" $port "cluster_label" (printf "%s.%s" (include "tempo.names.fullname" $root) (include "tempo.names.namespace" $root)) "join_members" (list (printf "dns+%s:%d" (include "tempo.names.host" (dict "root" $root "service" (include "tempo.names.headless" $root))) $port)) "abort_if_cluster_join_fails" false)
  "distributor" (dict "ring" $memberlist)
  "live_store" (dict "ring" $memberlist "partition_ring" $memberlist "readiness_target_lag" "30s")
  "block_builder" (dict "partitions_per_instance" (int $root.Values.components.blockBuilder.partitionsPerInstance) "wal" (dict "path" (printf "%s/block-builder/traces" $root.Values.tempo.dataDir)))
  "querier" (dict "frontend_worker" (dict "frontend_address" (printf "%s:%d" (include "tempo.names.host" (dict "root" $root "service" (include "tempo.names.suffixed" (dict "root" $root "suffix" "query-frontend-discovery")))) $grpc)))
  "backend_worker" (dict "ring" $memberlist "backend_scheduler_addr" (printf "%s:%d" (include "tempo.names.host" (dict "root" $root "service" (include "tempo.names.suffixed" (dict "root" $root "suffix" "backend-scheduler")))) $grpc))
-}}
{{- if $root.Values.tempo.metricsGenerator.enabled -}}
{{- $_ := set $config "metrics_generator" (dict "ring" $memberlist) -}}
{{- end -}}
{{- /* A block-builder holds the section it consumes in memory: bounded by its own memory limit (presets.yaml, consumingBytesDivisor). */ -}}
{{- with (($root.Values.components.blockBuilder.resources | default dict).limits | default dict).memory -}}
{{- $divisor := (include "tempo.sizing.table" $root | fromJson).protection.consumingBytesDivisor -}}
{{- $_ := set $config.block_builder "max_consuming_bytes" (int64 (mulf (maxf (floor (divf (include "tempo.util.quantity" . | float64) $divisor 1000000.0)) 1) 1000000.0)) -}}
{{- end -}}
{{- toJson $config -}}
{{- end -}}
{{- end -}}

{{- /*
tempo.validate.distributed: what architecture distributed needs to work, each refused with its
reason: a Tempo series that runs it (versions.yaml: distributed), an object store every component
shares, the Kafka it writes through, live-stores and block-builders that cover every partition, zones
of distinct names, and none of the monolithic pod's own values, which size and place a pod that does
not run (each component has its own under components).
Usage: {{ include "tempo.validate.distributed" . | fromJsonArray }}
*/ -}}
{{- define "tempo.validate.distributed" -}}
{{- $messages := list -}}
{{- $values := .Values -}}
{{- if include "tempo.distributed.on" . -}}
{{- $version := include "tempo.version" . | fromJson -}}
{{- if not $version.distributed -}}
{{- $messages = append $messages (printf "ERROR: architecture is distributed, but the image runs Tempo %s. %s." (include "tempo.image.tag" .) $version.distributedAdvice) -}}
{{- end -}}
{{- if not (include "tempo.storage.onObjectStore" .) -}}
{{- $messages = append $messages "ERROR: architecture is distributed with storage.backend local, but its components run in pods of their own that share no disk: the block-builders write the blocks that the queriers and backend workers read (Tempo itself warns that the local backend \"will not correctly retrieve traces with a distributed deployment\"). Choose s3, gcs or azure." -}}
{{- end -}}
{{- if not $values.kafka.brokers -}}
{{- $messages = append $messages "ERROR: architecture is distributed, but kafka.brokers is empty: the distributors write every span to Kafka, and Tempo stops at start-up without it (\"the Kafka address has not been configured\"). Name your Kafka's bootstrap brokers, for example [kafka-bootstrap.kafka.svc:9092]: the chart deploys no Kafka (docs/distributed.md)." -}}
{{- end -}}
{{- $partitions := int $values.kafka.partitions -}}
{{- with $values.components.liveStore.replicas -}}
{{- if ne (int .) $partitions -}}
{{- $messages = append $messages (printf "ERROR: components.liveStore.replicas is %d, but kafka.partitions is %d: live-store n owns partition n (its pod's ordinal), so each zone needs exactly one live-store per partition. With fewer, the distributors never write to the partitions no live-store has made active; with more, live-stores own partitions the topic does not have. Leave it empty (one per partition), or set it to %d." (int .) $partitions $partitions) -}}
{{- end -}}
{{- end -}}
{{- $perInstance := int $values.components.blockBuilder.partitionsPerInstance -}}
{{- with $values.components.blockBuilder.replicas -}}
{{- if lt (mul (int .) $perInstance) $partitions -}}
{{- $messages = append $messages (printf "ERROR: components.blockBuilder.replicas is %d with partitionsPerInstance %d, which covers %d partitions, but kafka.partitions is %d: block-builder n consumes partitions n×%d to n×%d+%d, so the spans of the other partitions would never reach a block in the object store. Leave replicas empty (as many as cover every partition), or set it to at least %d." (int .) $perInstance (mul (int .) $perInstance) $partitions $perInstance $perInstance (sub $perInstance 1) (div (add $partitions $perInstance -1) $perInstance)) -}}
{{- end -}}
{{- end -}}
{{- $zones := dict -}}
{{- range $values.components.liveStore.zones -}}
{{- if hasKey $zones .name -}}
{{- $messages = append $messages (printf "ERROR: components.liveStore.zones names %s twice, but each zone is a StatefulSet of its own, named after it. Give each zone a name of its own." .name) -}}
{{- end -}}
{{- $_ := set $zones .name true -}}
{{- end -}}
{{- if ne (int $values.replicas) 1 -}}
{{- $messages = append $messages (printf "ERROR: replicas is %d, but with architecture distributed each component has its own count (components.<name>.replicas); replicas counts the monolithic pods. Leave it at 1." (int $values.replicas)) -}}
{{- end -}}
{{- range $value := list "resources" "nodeSelector" "tolerations" "affinity" "topologySpreadConstraints" "strategy" -}}
{{- $set := get $values $value -}}
{{- if eq $value "resources" -}}
{{- $set = or $set.requests $set.limits -}}
{{- end -}}
{{- if $set -}}
{{- $messages = append $messages (printf "ERROR: %s is set, but with architecture distributed it would size or place a pod that does not run: set it for each component, under components.<name>.%s." $value $value) -}}
{{- end -}}
{{- end -}}
{{- if $values.sizing.preset -}}
{{- $messages = append $messages (printf "ERROR: sizing.preset is %s, but with architecture distributed there is no monolithic pod to size: set each component's resources (components.<name>.resources; docs/distributed.md has their starting points)." $values.sizing.preset) -}}
{{- end -}}
{{- if $values.persistence.enabled -}}
{{- $messages = append $messages "ERROR: persistence.enabled is true, but with architecture distributed the monolithic pod's claim is not used: give the live-stores, block-builders and metrics-generator claims of their own (components.<name>.persistence)." -}}
{{- end -}}
{{- else if $values.kafka.brokers -}}
{{- $messages = append $messages "ERROR: kafka.brokers is set, but architecture is monolithic, which writes through no Kafka. Set architecture: distributed (Tempo 3.0 on an object store), or remove kafka.brokers." -}}
{{- end -}}
{{- toJson $messages -}}
{{- end -}}
