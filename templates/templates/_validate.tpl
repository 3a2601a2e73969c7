{{- /*
tempo.validate: every rule that spans more than one value, in one place. Renders nothing; stops the
release with an ERROR: message naming the values to change when a rule is broken. The schema
(values.schema.json) already refused wrong types, unknown keys and out-of-range values.
Usage: {{- include "tempo.validate" . -}}
*/ -}}
{{- define "tempo.validate" -}}
{{- $tempo := .Values.tempo -}}

{{- if gt (int .Values.replicas) 1 -}}
{{- fail (printf "ERROR: replicas is %d, but with the local storage backend every pod keeps its own traces, so queries would see only part of them. Set replicas to 1 (or 0 to stop Tempo)." (int .Values.replicas)) -}}
{{- end -}}

{{- if not (or $tempo.receivers.otlp.grpc.enabled $tempo.receivers.otlp.http.enabled) -}}
{{- fail "ERROR: every receiver is disabled, so Tempo could not receive any trace. Set tempo.receivers.otlp.grpc.enabled or tempo.receivers.otlp.http.enabled to true." -}}
{{- end -}}

{{- /* Keys whose value also shapes the pod (ports, volumes) come from values only, or the two would drift. */ -}}
{{- $owned := list
  (list "server.http_listen_port" "tempo.server.httpListenPort")
  (list "server.grpc_listen_port" "tempo.server.grpcListenPort")
  (list "distributor.receivers.otlp.protocols.grpc.endpoint" "tempo.receivers.otlp.grpc.port")
  (list "distributor.receivers.otlp.protocols.http.endpoint" "tempo.receivers.otlp.http.port")
  (list "storage.trace.local.path" "tempo.dataDir")
  (list "storage.trace.wal.path" "tempo.dataDir")
-}}
{{- range $pair := $owned -}}
{{- $key := index $pair 0 -}}
{{- $node := $tempo.structuredConfig -}}
{{- /* walking: the path so far exists; absent: it does not; removed: a null on the way removes the key. */ -}}
{{- $state := "walking" -}}
{{- $walked := list -}}
{{- range $part := splitList "." $key -}}
{{- if eq $state "walking" -}}
{{- if and (kindIs "map" $node) (hasKey $node $part) -}}
{{- $node = get $node $part -}}
{{- $walked = append $walked $part -}}
{{- if and (kindIs "invalid" $node) (ne (len $walked) (len (splitList "." $key))) -}}
{{- $state = "removed" -}}
{{- end -}}
{{- else -}}
{{- $state = "absent" -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- if eq $state "walking" -}}
{{- fail (printf "ERROR: tempo.structuredConfig.%s is set by the chart, which also wires it into the pod. Remove it and set %s instead." $key (index $pair 1)) -}}
{{- else if eq $state "removed" -}}
{{- fail (printf "ERROR: tempo.structuredConfig.%s is null, which would remove %s, a key the chart wires into the pod. Remove the null and change %s instead." (join "." $walked) $key (index $pair 1)) -}}
{{- end -}}
{{- end -}}

{{- /* One Deployment runs every module; another target would leave modules (and listeners) unrun. */ -}}
{{- $target := get $tempo.structuredConfig "target" -}}
{{- if and (hasKey $tempo.structuredConfig "target") (not (kindIs "invalid" $target)) (ne (toString $target) "all") -}}
{{- fail (printf "ERROR: tempo.structuredConfig.target is %v, but this chart runs Tempo as a single process with every module (target all). Remove tempo.structuredConfig.target." $target) -}}
{{- end -}}

{{- /* A receiver or protocol switched on here would listen on a port no container or Service port exposes. */ -}}
{{- $receivers := dict -}}
{{- $distributor := get $tempo.structuredConfig "distributor" -}}
{{- if and (kindIs "map" $distributor) (kindIs "map" (get $distributor "receivers")) -}}
{{- $receivers = get $distributor "receivers" -}}
{{- end -}}
{{- $otlpProtocols := dict -}}
{{- if and (kindIs "map" (get $receivers "otlp")) (kindIs "map" (get (get $receivers "otlp") "protocols")) -}}
{{- $otlpProtocols = get (get $receivers "otlp") "protocols" -}}
{{- end -}}
{{- range $receiver, $_ := $receivers -}}
{{- if ne $receiver "otlp" -}}
{{- fail (printf "ERROR: tempo.structuredConfig.distributor.receivers.%s would listen on a port the chart does not expose. This chart version wires the OTLP receiver only: send OTLP to tempo.receivers.otlp.grpc or tempo.receivers.otlp.http." $receiver) -}}
{{- end -}}
{{- end -}}
{{- range $protocol, $_ := $otlpProtocols -}}
{{- if not (get (get $tempo.receivers.otlp $protocol | default dict) "enabled") -}}
{{- fail (printf "ERROR: tempo.structuredConfig.distributor.receivers.otlp.protocols.%s configures a protocol the chart does not enable. Set tempo.receivers.otlp.%s.enabled to true (the only OTLP protocols are grpc and http)." $protocol $protocol) -}}
{{- end -}}
{{- end -}}

{{- $seen := dict -}}
{{- range $listener := include "tempo.config.listeners" . | fromJsonArray -}}
{{- $port := toString (int $listener.port) -}}
{{- with get $seen $port -}}
{{- fail (printf "ERROR: %s and %s are both %s, but two listeners cannot share a port: Tempo would stop at start-up with \"bind: address already in use\". Give one of them another port (defaults: %s %d, %s %d)." .setting $listener.setting $port .setting (int .default) $listener.setting (int $listener.default)) -}}
{{- end -}}
{{- $_ := set $seen $port $listener -}}
{{- end -}}

{{- /* Tempo 2.5 refuses to start with both overrides layouts. */ -}}
{{- $overrides := get $tempo.structuredConfig "overrides" -}}
{{- if and (kindIs "map" $overrides) (hasKey $overrides "defaults") -}}
{{- with include "tempo.config.flatOverrides" . | fromJsonArray -}}
{{- fail (printf "ERROR: tempo.structuredConfig.overrides.%s belongs to the flat overrides layout, but overrides.defaults uses the nested one, and Tempo refuses to start with both. Move it to its place under overrides.defaults (see https://grafana.com/docs/tempo/v2.5.x/configuration/#overrides)." (first .)) -}}
{{- end -}}
{{- end -}}

{{- /* The configuration is stored in a ConfigMap, which anyone who can read the namespace can read. */ -}}
{{- with include "tempo.config.literalCredentials" (dict "node" $tempo.structuredConfig "path" "") | fromJsonArray -}}
{{- fail (printf "ERROR: tempo.structuredConfig.%s holds a credential, which would be stored in a ConfigMap. Write an environment reference such as ${S3_SECRET_KEY} there, add -config.expand-env=true to tempo.extraArgs, and set the variable from a Secret in tempo.extraEnv (valueFrom.secretKeyRef)." (first .)) -}}
{{- end -}}
{{- $expandsEnv := false -}}
{{- range $arg := $tempo.extraArgs -}}
{{- if regexMatch "^--?config\\.expand-env(=true)?$" $arg -}}
{{- $expandsEnv = true -}}
{{- end -}}
{{- end -}}
{{- if and (not $expandsEnv) (contains "${" (toYaml $tempo.structuredConfig)) -}}
{{- fail "ERROR: tempo.structuredConfig holds ${...} environment references, which Tempo replaces only when started with -config.expand-env=true. Add it to tempo.extraArgs." -}}
{{- end -}}

{{- range $label := list "app.kubernetes.io/name" "app.kubernetes.io/instance" -}}
{{- if hasKey $.Values.podLabels $label -}}
{{- fail (printf "ERROR: podLabels sets %s, which the chart uses to select Tempo's pods. Remove it from podLabels (use nameOverride to change the name)." $label) -}}
{{- end -}}
{{- end -}}

{{- /* The API server refuses a request above its limit; with a preset in play, say where each one comes from. */ -}}
{{- $resources := include "tempo.sizing.resources" . | fromJson -}}
{{- range $name, $limit := $resources.limits | default dict -}}
{{- $request := get ($resources.requests | default dict) $name -}}
{{- if and $request (gt (include "tempo.util.quantity" $request | float64) (include "tempo.util.quantity" $limit | float64)) -}}
{{- fail (printf "ERROR: the %s request (%v) is above its limit (%v), which Kubernetes refuses. With sizing.preset %s, set resources.limits.%s at least as high, or lower resources.requests.%s." $name $request $limit $.Values.sizing.preset $name $name) -}}
{{- end -}}
{{- end -}}

{{- if or (eq $tempo.dataDir "/conf") (hasPrefix "/conf/" $tempo.dataDir) -}}
{{- fail (printf "ERROR: tempo.dataDir is %s, inside /conf where the read-only configuration is mounted. Choose another directory, for example /var/tempo." $tempo.dataDir) -}}
{{- end -}}
{{- end -}}
