{{- /*
tempo.pod.secretReferences: every credential the configuration takes from a Secret other than the
object store's, as JSON: {purpose: {variable, secret, key}}. The configuration holds ${variable} where
the credential goes, the pod fills the variable from the Secret, and Tempo expands it at start-up
(-config.expand-env), so no credential enters the ConfigMap. Purposes: kafka.username, kafka.password (the Kafka receiver's),
ingest.username, ingest.password (architecture distributed's Kafka), remoteWrite.<index>.username, remoteWrite.<index>.password, remoteWrite.<index>.token.
Usage: {{ (get (include "tempo.pod.secretReferences" . | fromJson) "kafka.password").variable }}
*/ -}}
{{- define "tempo.pod.secretReferences" -}}
{{- $references := dict -}}
{{- $kafka := .Values.tempo.receivers.kafka -}}
{{- if and $kafka.enabled $kafka.sasl.mechanism $kafka.sasl.existingSecret -}}
{{- $_ := set $references "kafka.username" (dict "variable" "KAFKA_SASL_USERNAME" "secret" $kafka.sasl.existingSecret "key" $kafka.sasl.usernameKey) -}}
{{- $_ := set $references "kafka.password" (dict "variable" "KAFKA_SASL_PASSWORD" "secret" $kafka.sasl.existingSecret "key" $kafka.sasl.passwordKey) -}}
{{- end -}}
{{- with .Values.kafka.sasl -}}
{{- if and .existingSecret (include "tempo.distributed.on" $) -}}
{{- $_ := set $references "ingest.username" (dict "variable" "TEMPO_KAFKA_USERNAME" "secret" .existingSecret "key" .usernameKey) -}}
{{- $_ := set $references "ingest.password" (dict "variable" "TEMPO_KAFKA_PASSWORD" "secret" .existingSecret "key" .passwordKey) -}}
{{- end -}}
{{- end -}}
{{- if .Values.tempo.metricsGenerator.enabled -}}
{{- range $index, $target := .Values.tempo.metricsGenerator.remoteWrite -}}
{{- with $target.basicAuth -}}
{{- $_ := set $references (printf "remoteWrite.%d.username" $index) (dict "variable" (printf "REMOTE_WRITE_%d_USERNAME" $index) "secret" .existingSecret "key" (.usernameKey | default "username")) -}}
{{- $_ := set $references (printf "remoteWrite.%d.password" $index) (dict "variable" (printf "REMOTE_WRITE_%d_PASSWORD" $index) "secret" .existingSecret "key" (.passwordKey | default "password")) -}}
{{- end -}}
{{- with $target.bearerToken -}}
{{- $_ := set $references (printf "remoteWrite.%d.token" $index) (dict "variable" (printf "REMOTE_WRITE_%d_TOKEN" $index) "secret" .existingSecret "key" (.key | default "token")) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- toJson $references -}}
{{- end -}}

{{- /*
tempo.pod.dataVolume: the data volume at tempo.dataDir, as JSON: {volume (the pod's volume entry, or
none when a StatefulSet's volumeClaimTemplates provide it), claimTemplate (the StatefulSet's claim),
claim (the Deployment's own claim to create)}.
Usage: {{ include "tempo.pod.dataVolume" . | fromJson }}
*/ -}}
{{- define "tempo.pod.dataVolume" -}}
{{- $persistence := .Values.persistence -}}
{{- $claimSpec := dict "accessModes" $persistence.accessModes "resources" (dict "requests" (dict "storage" $persistence.size)) -}}
{{- with $persistence.storageClassName -}}
{{- /* "-" is the charts' convention for storageClassName "": a volume bound by hand, never provisioned. */ -}}
{{- $_ := set $claimSpec "storageClassName" (ternary "" . (eq . "-")) -}}
{{- end -}}
{{- $result := dict -}}
{{- if not $persistence.enabled -}}
{{- /* Ephemeral, as in the design: the data goes with the pod. */ -}}
{{- $emptyDir := dict -}}
{{- with $persistence.emptyDirSizeLimit -}}
{{- $_ := set $emptyDir "sizeLimit" . -}}
{{- end -}}
{{- $_ := set $result "volume" (dict "name" "storage" "emptyDir" $emptyDir) -}}
{{- else if include "tempo.workload.clustered" . -}}
{{- $_ := set $result "claimTemplate" (dict "metadata" (dict "name" "storage") "spec" $claimSpec) -}}
{{- else if $persistence.existingClaim -}}
{{- $_ := set $result "volume" (dict "name" "storage" "persistentVolumeClaim" (dict "claimName" $persistence.existingClaim)) -}}
{{- else -}}
{{- $name := include "tempo.names.fullname" . -}}
{{- $_ := set $result "volume" (dict "name" "storage" "persistentVolumeClaim" (dict "claimName" $name)) -}}
{{- $_ := set $result "claim" (dict "name" $name "spec" $claimSpec) -}}
{{- end -}}
{{- toJson $result -}}
{{- end -}}

{{- /*
tempo.pod.configFile: where Tempo reads its configuration: the ConfigMap's key, mounted read-only in
a directory of its own, as JSON {dir, key, path}.
Usage: {{ (include "tempo.pod.configFile" . | fromJson).path }}
*/ -}}
{{- define "tempo.pod.configFile" -}}
{{- $dir := "/conf" -}}
{{- $key := "tempo.yaml" -}}
{{- toJson (dict "dir" $dir "key" $key "path" (printf "%s/%s" $dir $key)) -}}
{{- end -}}

{{- /*
tempo.pod.mounts: every volume mount of the Tempo container, as JSON: [{name, mountPath, readOnly,
files (the file names a read-only mount holds for Tempo), extra (a tempo.extraVolumeMounts entry as
given)}]. The pod template mounts exactly these, and
the validation checks against them the paths Tempo writes and reads.
Usage: {{ include "tempo.pod.mounts" . | fromJsonArray }}
*/ -}}
{{- define "tempo.pod.mounts" -}}
{{- $configFile := include "tempo.pod.configFile" . | fromJson -}}
{{- $mounts := list
  (dict "name" "config" "mountPath" $configFile.dir "readOnly" true "files" (list $configFile.key))
  (dict "name" "storage" "mountPath" .Values.tempo.dataDir "readOnly" false)
-}}
{{- with include "tempo.overrides.perTenantFile" . | fromJson -}}
{{- $mounts = append $mounts (dict "name" "overrides" "mountPath" .dir "readOnly" true "files" (list .key)) -}}
{{- end -}}
{{- $mounts = concat $mounts (include "tempo.storage.credentials" . | fromJson).mounts (include "tempo.receivers.tls" . | fromJson).mounts -}}
{{- range .Values.tempo.extraVolumeMounts -}}
{{- $mounts = append $mounts (dict "name" .name "mountPath" .mountPath "readOnly" (.readOnly | default false) "extra" .) -}}
{{- end -}}
{{- toJson $mounts -}}
{{- end -}}

{{- /*
tempo.pod.writes: every path the Tempo container writes, as JSON [{key, path}]: each key of Tempo's
configuration that names a path it writes (build/tempo-config/facts.yaml), where the configuration
the pod runs sets it, or Tempo's default.
Usage: {{ range include "tempo.pod.writes" . | fromJsonArray }}{{ .path }}{{ end }}
*/ -}}
{{- define "tempo.pod.writes" -}}
{{- $config := include "tempo.config.merged" . | fromYaml -}}
{{- $writes := list -}}
{{- range $entry := (include "tempo.facts.paths" . | fromJson).writes -}}
{{- $path := include "tempo.util.valueAt" (dict "values" $config "path" $entry.key) | fromJson | dig "value" "" | default $entry.default -}}
{{- $applies := true -}}
{{- with $entry.when -}}
{{- $applies = eq (include "tempo.util.valueAt" (dict "values" $config "path" .key) | fromJson | dig "value" "" | toString) .equals -}}
{{- end -}}
{{- if and $applies (kindIs "string" $path) (ne $path "") -}}
{{- $writes = append $writes (dict "key" $entry.key "path" $path) -}}
{{- end -}}
{{- end -}}
{{- toJson $writes -}}
{{- end -}}

{{- /*
tempo.pod.args: the Tempo container's arguments: the configuration file, environment expansion when
the chart's own configuration needs it (tempo.pod.sharedFacts), the component's own (its -target and
zone, from its row), then tempo.extraArgs.
Usage: {{ include "tempo.pod.args" (dict "root" . "component" $row.tempo.args) | fromJsonArray }}
*/ -}}
{{- define "tempo.pod.args" -}}
{{- $shared := dict -}}
{{- include "tempo.util.parsed" (dict "root" .root "name" "tempo.pod.sharedFacts" "into" $shared) -}}
{{- toJson (concat $shared.value.configArgs (.component | default list) .root.Values.tempo.extraArgs) -}}
{{- end -}}

{{- /*
tempo.pod.sharedFactsUncached: computes tempo.pod.sharedFacts; _memoized.tpl, written by the build,
defines tempo.pod.sharedFacts around it, computed once per rendering (tempo.util.once).
tempo.pod.sharedFacts: what every Tempo pod of a release takes from the values, as JSON: {image,
configArgs (the configuration file, and environment expansion when the chart's own configuration
holds ${VAR} references: credentials from Secrets), credentialLabels (the pod labels the object
store's identity needs, tempo.storage.credentials)}.
Usage: {{- $shared := dict }}{{- include "tempo.util.parsed" (dict "root" . "name" "tempo.pod.sharedFacts" "into" $shared) }}{{ $shared.value.image }}
*/ -}}
{{- define "tempo.pod.sharedFactsUncached" -}}
{{- $credentials := include "tempo.storage.credentials" . | fromJson -}}
{{- $configArgs := list (printf "-config.file=%s" (include "tempo.pod.configFile" . | fromJson).path) -}}
{{- $expandEnv := or $credentials.expandEnv (include "tempo.pod.secretReferences" . | fromJson) -}}
{{- if and $expandEnv (not (has "-config.expand-env=true" .Values.tempo.extraArgs)) -}}
{{- $configArgs = append $configArgs "-config.expand-env=true" -}}
{{- end -}}
{{- toJson (dict "image" (include "tempo.image.reference" .) "configArgs" $configArgs "credentialLabels" $credentials.podLabels) -}}
{{- end -}}

{{- /*
tempo.pod.template: the pod template (metadata and spec) of every Tempo workload, the monolithic
Deployment or StatefulSet and each component of architecture distributed, from its row of the
components table: what differs between them is row.tempo (its target's arguments, ports, resources,
placement, labels and data volume). The rest is the same in every Tempo pod of a release, written once
per rendering by the tempo.pod.shared* helpers below, rather than again for each of a distributed
release's components.
Usage: {{ include "tempo.pod.template" (dict "root" . "row" $row) | nindent 4 }} (the kit, tempo.kit.workload)
*/ -}}
{{- define "tempo.pod.template" -}}
{{- $tempo := .row.tempo -}}
{{- $shared := dict -}}
{{- include "tempo.util.parsed" (dict "root" .root "name" "tempo.pod.sharedFacts" "into" $shared) -}}
{{- with .root -}}
metadata:
  labels:
    {{- include "tempo.labels.with" (dict "root" . "labels" (merge (deepCopy ($tempo.podLabels | default dict)) $shared.value.credentialLabels) "pod" true) | nindent 4 }}
  annotations:
    {{- include "tempo.pod.sharedAnnotations" . | nindent 4 }}
    {{- with $tempo.podAnnotations }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  {{- include "tempo.pod.sharedSpec" . | nindent 2 }}
  containers:
    - name: tempo
      image: {{ $shared.value.image }}
      imagePullPolicy: {{ .Values.image.pullPolicy }}
      args:
        {{- range include "tempo.pod.args" (dict "root" . "component" $tempo.args) | fromJsonArray }}
        - {{ . | quote }}
        {{- end }}
      {{- $goMemLimit := $tempo.goMemLimit }}
      {{- /* A GOMEMLIMIT of the user's own wins over the derived one; two would be ambiguous. */}}
      {{- range .Values.tempo.extraEnv }}
      {{- if eq .name "GOMEMLIMIT" }}
      {{- $goMemLimit = "" }}
      {{- end }}
      {{- end }}
      {{- $sharedEnv := include "tempo.pod.sharedEnv" . }}
      {{- if or $goMemLimit $sharedEnv }}
      env:
        {{- with $goMemLimit }}
        - name: GOMEMLIMIT
          value: {{ . | quote }}
        {{- end }}
        {{- with $sharedEnv }}
        {{- . | nindent 8 }}
        {{- end }}
      {{- end }}
      {{- with .Values.tempo.extraEnvFrom }}
      envFrom:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      ports:
        {{- $allListeners := dict }}
        {{- include "tempo.util.parsed" (dict "root" . "name" "tempo.config.listeners" "into" $allListeners) }}
        {{- range $listener := $allListeners.value }}
        {{- if has $listener.name $tempo.ports }}
        - name: {{ $listener.name }}
          containerPort: {{ int $listener.port }}
          protocol: {{ $listener.protocol }}
        {{- end }}
        {{- end }}
        {{- /* Gossip is internal, but a scaled-out Tempo's headless Service targets it by name. */}}
        {{- if $tempo.gossip }}
        - name: gossip
          containerPort: {{ int .Values.tempo.memberlist.bindPort }}
          protocol: TCP
        {{- end }}
      resources:
        {{- toYaml $tempo.resources | nindent 8 }}
      {{- include "tempo.pod.sharedContainer" . | trim | nindent 6 }}
    {{- with include "tempo.pod.sharedSidecars" . }}
    {{- . | nindent 4 }}
    {{- end }}
  {{- with include "tempo.kit.placement" $tempo.placement }}
  {{- . | nindent 2 }}
  {{- end }}
  volumes:
    - name: config
      {{- if eq .Values.tempo.configIn "Secret" }}
      secret:
        secretName: {{ include "tempo.names.fullname" . }}
      {{- else }}
      configMap:
        name: {{ include "tempo.names.fullname" . }}
      {{- end }}
    {{- with $tempo.dataVolume }}
    - name: {{ .name }}
      {{- omit . "name" | toYaml | nindent 6 }}
    {{- end }}
    {{- with include "tempo.pod.sharedVolumes" . }}
    {{- . | nindent 4 }}
    {{- end }}
{{- end }}
{{- end -}}

{{- /*
tempo.pod.sharedAnnotationsUncached: computes tempo.pod.sharedAnnotations; _memoized.tpl, written by
the build, defines tempo.pod.sharedAnnotations around it, computed once per rendering (tempo.util.once).
tempo.pod.sharedAnnotations: the annotations of every Tempo pod, as YAML: a changed configuration or
credential rolls the pods, since Tempo reads both only at start-up. The per-tenant overrides are left
out on purpose: Tempo reloads them while it runs.
Usage: {{ include "tempo.pod.sharedAnnotations" . | nindent 4 }}
*/ -}}
{{- define "tempo.pod.sharedAnnotationsUncached" -}}
checksum/config: {{ include "tempo.config.merged" . | sha256sum }}
{{- with (include "tempo.storage.credentials" . | fromJson).secretData }}
checksum/storage-credentials: {{ toJson . | sha256sum }}
{{- end }}
{{- end -}}

{{- /*
tempo.pod.sharedSpecUncached: computes tempo.pod.sharedSpec; _memoized.tpl, written by the build,
defines tempo.pod.sharedSpec around it, computed once per rendering (tempo.util.once).
tempo.pod.sharedSpec: the pod-level settings of every Tempo pod, as pod-spec YAML: the chart's common
spec (tempo.pod.commonSpec) with Tempo's service account, its grace period (Tempo's own flush time
unless terminationGracePeriodSeconds is set), hostAliases, dnsConfig and initContainers.
Usage: {{ include "tempo.pod.sharedSpec" . | nindent 2 }}
*/ -}}
{{- define "tempo.pod.sharedSpecUncached" -}}
{{- include "tempo.pod.commonSpec" (dict "root" . "securityContext" .Values.podSecurityContext "priorityClassName" .Values.priorityClassName "serviceAccount" (dict "name" (include "tempo.names.serviceAccount" .) "automountToken" .Values.serviceAccount.automountToken)) }}
{{- $gracePeriod := .Values.terminationGracePeriodSeconds }}
{{- if kindIs "invalid" $gracePeriod }}
{{- $gracePeriod = (include "tempo.version" . | fromJson).terminationGracePeriodSeconds }}
{{- end }}
terminationGracePeriodSeconds: {{ int $gracePeriod }}
{{- with .Values.hostAliases }}
hostAliases:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.dnsConfig }}
dnsConfig:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with include "tempo.pod.extraContainers" (dict "root" . "containers" .Values.initContainers) | fromJsonArray }}
initContainers:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{- /*
tempo.pod.sharedEnvUncached: computes tempo.pod.sharedEnv; _memoized.tpl, written by the build,
defines tempo.pod.sharedEnv around it, computed once per rendering (tempo.util.once).
tempo.pod.sharedEnv: the Tempo container's environment but GOMEMLIMIT (a component's own), as the
entries of a YAML list, "" when there are none: the credentials from Secrets
(tempo.pod.secretReferences), the object store's, then tempo.extraEnv.
Usage: {{ with include "tempo.pod.sharedEnv" . }}{{ . | nindent 8 }}{{ end }}
*/ -}}
{{- define "tempo.pod.sharedEnvUncached" -}}
{{- $env := list -}}
{{- range $reference := include "tempo.pod.secretReferences" . | fromJson -}}
{{- $env = append $env (dict "name" $reference.variable "valueFrom" (dict "secretKeyRef" (dict "name" $reference.secret "key" $reference.key))) -}}
{{- end -}}
{{- with concat $env (include "tempo.storage.credentials" . | fromJson).env .Values.tempo.extraEnv -}}
{{- toYaml . -}}
{{- end -}}
{{- end -}}

{{- /*
tempo.pod.sharedContainerUncached: computes tempo.pod.sharedContainer; _memoized.tpl, written by the
build, defines tempo.pod.sharedContainer around it, computed once per rendering (tempo.util.once).
tempo.pod.sharedContainer: the Tempo container's settings that are the same in every Tempo pod, as
container YAML: its probes, lifecycle, security context and volume mounts (tempo.pod.mounts).
Usage: {{ include "tempo.pod.sharedContainer" . | nindent 6 }}
*/ -}}
{{- define "tempo.pod.sharedContainerUncached" -}}
{{- range $probe := list "startupProbe" "readinessProbe" "livenessProbe" }}
{{- with get $.Values $probe }}
{{ $probe }}:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}
{{- with .Values.lifecycle }}
lifecycle:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.securityContext }}
securityContext:
  {{- toYaml . | nindent 2 }}
{{- end }}
volumeMounts:
  {{- range include "tempo.pod.mounts" . | fromJsonArray }}
  {{- if .extra }}
  - {{- toYaml .extra | nindent 4 }}
  {{- else }}
  - name: {{ .name }}
    mountPath: {{ .mountPath }}
    {{- if .readOnly }}
    readOnly: true
    {{- end }}
  {{- end }}
  {{- end }}
{{- end -}}

{{- /*
tempo.pod.sharedSidecarsUncached: computes tempo.pod.sharedSidecars; _memoized.tpl, written by the
build, defines tempo.pod.sharedSidecars around it, computed once per rendering (tempo.util.once).
tempo.pod.sharedSidecars: extraContainers beside Tempo in every Tempo pod, as the entries of a YAML
list, "" when there are none.
Usage: {{ with include "tempo.pod.sharedSidecars" . }}{{ . | nindent 4 }}{{ end }}
*/ -}}
{{- define "tempo.pod.sharedSidecarsUncached" -}}
{{- with include "tempo.pod.extraContainers" (dict "root" . "containers" .Values.extraContainers) | fromJsonArray -}}
{{- toYaml . -}}
{{- end -}}
{{- end -}}

{{- /*
tempo.pod.sharedVolumesUncached: computes tempo.pod.sharedVolumes; _memoized.tpl, written by the
build, defines tempo.pod.sharedVolumes around it, computed once per rendering (tempo.util.once).
tempo.pod.sharedVolumes: the volumes of every Tempo pod after its configuration and data, as the
entries of a YAML list, "" when there are none: the per-tenant overrides, the object store's and the
receivers' credentials, then extraVolumes.
Usage: {{ with include "tempo.pod.sharedVolumes" . }}{{ . | nindent 4 }}{{ end }}
*/ -}}
{{- define "tempo.pod.sharedVolumesUncached" -}}
{{- $volumes := list -}}
{{- with include "tempo.overrides.perTenantFile" . | fromJson -}}
{{- $volumes = list (dict "name" "overrides" "configMap" (dict "name" .configMap)) -}}
{{- end -}}
{{- with concat $volumes (include "tempo.storage.credentials" . | fromJson).volumes (include "tempo.receivers.tls" . | fromJson).volumes .Values.extraVolumes -}}
{{- toYaml . -}}
{{- end -}}
{{- end -}}

{{- /*
tempo.pod.extraContainers: user-given init or sidecar containers, as a JSON list, each with
securityContext (the Tempo container's) beneath its own, key by key, so that a container that says
nothing about security still meets Pod Security "restricted".
Usage: {{ include "tempo.pod.extraContainers" (dict "root" . "containers" .Values.extraContainers) | fromJsonArray }}
*/ -}}
{{- define "tempo.pod.extraContainers" -}}
{{- $containers := list -}}
{{- range $container := .containers -}}
{{- $container = deepCopy $container -}}
{{- $_ := set $container "securityContext" (merge ($container.securityContext | default dict) (deepCopy ($.root.Values.securityContext | default dict))) -}}
{{- $containers = append $containers $container -}}
{{- end -}}
{{- toJson $containers -}}
{{- end -}}

{{- /*
tempo.pod.topologySpread: a Tempo workload's topologySpreadConstraints: the user's (constraints), or
when it runs more than one pod (manyPods) the chart's default spread of the pods its selector (YAML)
picks over nodes and zones, which never blocks scheduling (ScheduleAnyway). The monolithic pods and
each distributed component use it.
Usage: {{ include "tempo.pod.topologySpread" (dict "constraints" .Values.topologySpreadConstraints "manyPods" true "selector" $selector) | fromJsonArray }}
*/ -}}
{{- define "tempo.pod.topologySpread" -}}
{{- $constraints := .constraints -}}
{{- if and (not $constraints) .manyPods -}}
{{- $selector := dict "matchLabels" (.selector | fromYaml) -}}
{{- range $topologyKey := list "kubernetes.io/hostname" "topology.kubernetes.io/zone" -}}
{{- $constraints = append $constraints (dict "maxSkew" 1 "topologyKey" $topologyKey "whenUnsatisfiable" "ScheduleAnyway" "labelSelector" $selector) -}}
{{- end -}}
{{- end -}}
{{- toJson ($constraints | default list) -}}
{{- end -}}
