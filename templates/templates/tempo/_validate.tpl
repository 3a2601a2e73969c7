{{- /*
tempo.validate.listeners: a receiver to receive traces with, and no two listeners on one port.
Usage: {{ include "tempo.validate.listeners" . | fromJsonArray }}
*/ -}}
{{- define "tempo.validate.listeners" -}}
{{- $messages := list -}}
{{- $allListeners := dict -}}
{{- include "tempo.util.parsed" (dict "root" . "name" "tempo.config.listeners" "into" $allListeners) -}}
{{- $listeners := $allListeners.value -}}
{{- $receiving := .Values.tempo.receivers.kafka.enabled -}}
{{- range $listeners -}}
{{- if .receiver -}}
{{- $receiving = true -}}
{{- end -}}
{{- end -}}
{{- if not $receiving -}}
{{- $switches := list -}}
{{- $wiring := dict -}}
{{- include "tempo.util.parsed" (dict "root" . "name" "tempo.wiring.table" "into" $wiring) -}}
{{- range $wiring.value.listeners -}}
{{- if .receiver -}}
{{- $switches = append $switches .enabledBy -}}
{{- end -}}
{{- end -}}
{{- $messages = append $messages (printf "ERROR: every receiver is disabled, so Tempo could not receive any trace. Set one of %s or tempo.receivers.kafka.enabled to true." (join ", " $switches)) -}}
{{- end -}}
{{- $seen := dict -}}
{{- range $listener := $listeners -}}
{{- $port := printf "%d/%s" (int $listener.port) $listener.protocol -}}
{{- with get $seen $port -}}
{{- $messages = append $messages (printf "ERROR: %s and %s are both %s, but two listeners cannot share a port: Tempo would stop at start-up with \"bind: address already in use\". Give one of them another port (defaults: %s %d, %s %d)." .setting $listener.setting (toString (int $listener.port)) .setting (int .default) $listener.setting (int $listener.default)) -}}
{{- end -}}
{{- $_ := set $seen $port $listener -}}
{{- end -}}
{{- toJson $messages -}}
{{- end -}}

{{- /*
tempo.validate.receivers: receiver settings that go together: TLS needs its Secret, Kafka its brokers,
and SASL both a mechanism and the Secret holding its credentials.
Usage: {{ include "tempo.validate.receivers" . | fromJsonArray }}
*/ -}}
{{- define "tempo.validate.receivers" -}}
{{- $messages := list -}}
{{- $receivers := .Values.tempo.receivers -}}
{{- if and $receivers.tls.enabled (not $receivers.tls.existingSecret) -}}
{{- $messages = append $messages "ERROR: tempo.receivers.tls.enabled is true, but tempo.receivers.tls.existingSecret is empty. Name a Secret of type kubernetes.io/tls (tls.crt, tls.key, and ca.crt for requireClientCertificate), for example one cert-manager issues." -}}
{{- end -}}
{{- if and $receivers.tls.requireClientCertificate (not $receivers.tls.enabled) -}}
{{- $messages = append $messages "ERROR: tempo.receivers.tls.requireClientCertificate is true, but tempo.receivers.tls.enabled is false. Enable TLS, or remove requireClientCertificate." -}}
{{- end -}}
{{- /* The collector's OpenCensus receiver shares its port between gRPC and HTTP (cmux): with TLS on it, real Tempo 2.5.0 completes neither a TLS nor a plain gRPC call. */ -}}
{{- if and $receivers.tls.enabled $receivers.opencensus.enabled -}}
{{- $messages = append $messages "ERROR: tempo.receivers.opencensus.enabled and tempo.receivers.tls.enabled are both true, but the OpenCensus receiver accepts neither TLS nor plain gRPC once TLS is set on its shared port. Send OpenCensus without receiver TLS (turn tempo.receivers.tls off), or move the clients to OTLP, which takes TLS." -}}
{{- end -}}
{{- /* Tempo takes a span's tenant from its request's X-Scope-OrgID header: a UDP datagram and a Kafka message carry none, and Tempo drops their spans with multitenancy on (from Tempo's receiver shim, which reads the tenant from the request's metadata). */ -}}
{{- if .Values.tempo.multitenancyEnabled -}}
{{- $allListeners := dict -}}
{{- include "tempo.util.parsed" (dict "root" . "name" "tempo.config.listeners" "into" $allListeners) -}}
{{- range $listener := $allListeners.value -}}
{{- if and $listener.receiver (eq $listener.protocol "UDP") -}}
{{- $messages = append $messages (printf "ERROR: %s is on with tempo.multitenancyEnabled, but a UDP datagram carries no X-Scope-OrgID, so Tempo would drop every span it receives. Send over a TCP receiver that carries the header (OTLP, Jaeger gRPC), or switch %s off." (trimSuffix ".port" $listener.setting | printf "%s.enabled") (trimSuffix ".port" $listener.setting | printf "%s.enabled")) -}}
{{- end -}}
{{- end -}}
{{- if $receivers.kafka.enabled -}}
{{- $messages = append $messages "ERROR: tempo.receivers.kafka.enabled is on with tempo.multitenancyEnabled, but a Kafka message carries no X-Scope-OrgID, so Tempo would drop every span it consumes. Send over a receiver that carries the header (OTLP), or switch tempo.receivers.kafka off." -}}
{{- end -}}
{{- end -}}
{{- $kafka := $receivers.kafka -}}
{{- if $kafka.enabled -}}
{{- if not $kafka.brokers -}}
{{- $messages = append $messages "ERROR: tempo.receivers.kafka.enabled is true, but tempo.receivers.kafka.brokers is empty. List the brokers as host:port, for example [kafka-0.kafka:9092]." -}}
{{- end -}}
{{- if and $kafka.sasl.mechanism (not $kafka.sasl.existingSecret) -}}
{{- $messages = append $messages (printf "ERROR: tempo.receivers.kafka.sasl.mechanism is %s, but tempo.receivers.kafka.sasl.existingSecret is empty. Name the Secret holding the username and password (keys %s and %s)." $kafka.sasl.mechanism $kafka.sasl.usernameKey $kafka.sasl.passwordKey) -}}
{{- end -}}
{{- if and $kafka.sasl.existingSecret (not $kafka.sasl.mechanism) -}}
{{- $messages = append $messages "ERROR: tempo.receivers.kafka.sasl.existingSecret is set, but tempo.receivers.kafka.sasl.mechanism is empty, so the credentials would not be used. Set the mechanism: PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512." -}}
{{- end -}}
{{- end -}}
{{- toJson $messages -}}
{{- end -}}

{{- /*
tempo.validate.structuredConfig: what tempo.structuredConfig may not do: set a key a value owns (one
way to set each key), remove a block holding such keys, choose the target, add receivers the pod does
not expose, mix the overrides layouts, hold credentials, reference the environment without expansion,
or give a duration as a bare number.
Usage: {{ include "tempo.validate.structuredConfig" . | fromJsonArray }}
*/ -}}
{{- define "tempo.validate.structuredConfig" -}}
{{- $messages := list -}}
{{- $structured := .Values.tempo.structuredConfig -}}
{{- $removed := dict -}}
{{- $wiring := dict -}}
{{- include "tempo.util.parsed" (dict "root" . "name" "tempo.wiring.table" "into" $wiring) -}}
{{- range $owned := $wiring.value.ownedKeys -}}
{{- $node := $structured -}}
{{- /* walking: the path so far exists; absent: it does not; removed: a null on the way removes the key. */ -}}
{{- $state := "walking" -}}
{{- $walked := list -}}
{{- $parts := splitList "." $owned.key -}}
{{- range $part := $parts -}}
{{- if eq $state "walking" -}}
{{- if and (kindIs "map" $node) (hasKey $node $part) -}}
{{- $node = get $node $part -}}
{{- $walked = append $walked $part -}}
{{- if and (kindIs "invalid" $node) (ne (len $walked) (len $parts)) -}}
{{- $state = "removed" -}}
{{- end -}}
{{- else -}}
{{- $state = "absent" -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- if eq $state "walking" -}}
{{- $messages = append $messages (printf "ERROR: tempo.structuredConfig.%s is set by the value %s, the one way to set it. Remove it from tempo.structuredConfig and set %s instead." $owned.key $owned.value $owned.value) -}}
{{- else if and (eq $state "removed") (not (hasKey $removed (join "." $walked))) -}}
{{- /* One message for a null, however many owned keys it would remove. */ -}}
{{- $_ := set $removed (join "." $walked) true -}}
{{- $messages = append $messages (printf "ERROR: tempo.structuredConfig.%s is null, which would remove %s, a key the chart sets from %s. Remove the null and change %s instead." (join "." $walked) $owned.key $owned.value $owned.value) -}}
{{- end -}}
{{- end -}}

{{- /* The chart chooses the modules: all of them in one pod, or scalable single binaries that share their rings. */ -}}
{{- if and (hasKey $structured "target") (not (kindIs "invalid" $structured.target)) -}}
{{- if or (ne (toString $structured.target) "all") (include "tempo.workload.sharesRings" .) -}}
{{- $messages = append $messages (printf "ERROR: tempo.structuredConfig.target is %v, but the chart chooses the target: all for one pod, scalable-single-binary for several pods on an object store. Remove tempo.structuredConfig.target." $structured.target) -}}
{{- end -}}
{{- end -}}

{{- /* A receiver or protocol switched on here would listen on a port no container or Service port exposes. */ -}}
{{- $enabled := list -}}
{{- $allListeners := dict -}}
{{- include "tempo.util.parsed" (dict "root" . "name" "tempo.config.listeners" "into" $allListeners) -}}
{{- range $allListeners.value -}}
{{- if .receiver -}}
{{- $enabled = append $enabled (trimSuffix ".endpoint" .tempoKey) -}}
{{- end -}}
{{- end -}}
{{- if .Values.tempo.receivers.kafka.enabled -}}
{{- $enabled = append $enabled "distributor.receivers.kafka" -}}
{{- end -}}
{{- $receivers := dict -}}
{{- $distributor := get $structured "distributor" -}}
{{- if and (kindIs "map" $distributor) (kindIs "map" (get $distributor "receivers")) -}}
{{- $receivers = get $distributor "receivers" -}}
{{- end -}}
{{- range $receiver, $settings := $receivers -}}
{{- $path := printf "distributor.receivers.%s" $receiver -}}
{{- $protocols := dict -}}
{{- if and (kindIs "map" $settings) (kindIs "map" (get $settings "protocols")) -}}
{{- $protocols = get $settings "protocols" -}}
{{- end -}}
{{- if $protocols -}}
{{- range $protocol, $_ := $protocols -}}
{{- if not (has (printf "%s.protocols.%s" $path $protocol) $enabled) -}}
{{- $messages = append $messages (printf "ERROR: tempo.structuredConfig.%s.protocols.%s configures a receiver the chart does not enable, so no container or Service port would expose it. Enable it under tempo.receivers (the values table lists every receiver)." $path $protocol) -}}
{{- end -}}
{{- end -}}
{{- else if not (has $path $enabled) -}}
{{- $prefix := printf "%s." $path -}}
{{- $some := false -}}
{{- range $enabled -}}
{{- if hasPrefix $prefix . -}}
{{- $some = true -}}
{{- end -}}
{{- end -}}
{{- if not $some -}}
{{- $messages = append $messages (printf "ERROR: tempo.structuredConfig.%s configures a receiver the chart does not enable, so no container or Service port would expose it. Enable it under tempo.receivers (the values table lists every receiver)." $path) -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- /* Tempo 2.5 refuses to start with both overrides layouts. */ -}}
{{- if or .Values.tempo.overrides.defaults .Values.tempo.overrides.perTenant .Values.tempo.overrides.existingConfigMap -}}
{{- with include "tempo.config.flatOverrides" . | fromJsonArray -}}
{{- $messages = append $messages (printf "ERROR: tempo.structuredConfig.overrides.%s belongs to the flat overrides layout, but tempo.overrides uses the nested one, and Tempo refuses to start with both. Move it to its place under tempo.overrides.defaults (see %sconfiguration/#overrides)." (first .) (include "tempo.version" $ | fromJson).docsUrl) -}}
{{- end -}}
{{- end -}}

{{- /* The configuration is stored in a ConfigMap, which anyone who can read the namespace can read. */ -}}
{{- if eq .Values.tempo.configIn "ConfigMap" -}}
{{- with include "tempo.config.literalCredentials" (dict "node" $structured "path" "" "credentials" (include "tempo.facts.credentials" . | fromJson)) | fromJsonArray -}}
{{- $messages = append $messages (printf "ERROR: tempo.structuredConfig.%s holds a credential, which would be stored in a ConfigMap. Set tempo.configIn to Secret to keep the configuration in a Secret, or write an environment reference such as ${TOKEN} there, add -config.expand-env=true to tempo.extraArgs, and set the variable from a Secret in tempo.extraEnv (valueFrom.secretKeyRef); object store keys have values of their own under storage." (first .)) -}}
{{- end -}}
{{- end -}}
{{- if and (not (has "-config.expand-env=true" (include "tempo.pod.args" (dict "root" .) | fromJsonArray))) (contains "${" (toYaml $structured)) -}}
{{- $messages = append $messages "ERROR: tempo.structuredConfig holds ${...} environment references, which Tempo replaces only when started with -config.expand-env=true. Add it to tempo.extraArgs." -}}
{{- end -}}

{{- /* Tempo reads a bare number as nanoseconds: trace_idle_period: 10 is 10ns. */ -}}
{{- $durations := dict -}}
{{- if $structured -}}
{{- $durations = include "tempo.facts.durations" . | fromJson -}}
{{- end -}}
{{- range $leaf := include "tempo.config.leavesAt" (dict "node" $structured "path" "" "keys" $durations) | fromJsonArray -}}
{{- if and (or (kindIs "float64" $leaf.value) (kindIs "int" $leaf.value) (kindIs "int64" $leaf.value)) (ne (float64 $leaf.value) 0.0) -}}
{{- $messages = append $messages (printf "ERROR: tempo.structuredConfig.%s is a number without a unit, which Tempo reads as nanoseconds. Add a unit, e.g. 30s (0 alone needs none)." $leaf.path) -}}
{{- end -}}
{{- end -}}
{{- toJson $messages -}}
{{- end -}}

{{- /*
tempo.validate.tenants: tenant IDs Tempo accepts (letters, digits and !-_.*'() up to 150 characters,
not . or ..), one source for the per-tenant file, an ingestion burst that admits the largest request,
and the processors set in one place.
Usage: {{ include "tempo.validate.tenants" . | fromJsonArray }}
*/ -}}
{{- define "tempo.validate.tenants" -}}
{{- $messages := list -}}
{{- $overrides := .Values.tempo.overrides -}}
{{- range $tenant, $_ := $overrides.perTenant -}}
{{- if or (not (regexMatch "^[a-zA-Z0-9!._*'()-]{1,150}$" $tenant)) (eq $tenant ".") (eq $tenant "..") -}}
{{- $messages = append $messages (printf "ERROR: tempo.overrides.perTenant has the tenant ID %q, which Tempo refuses: a tenant ID is 1 to 150 letters, digits and !-_.*'() and neither . nor ..; it is the X-Scope-OrgID header's value." $tenant) -}}
{{- end -}}
{{- end -}}
{{- if and $overrides.perTenant $overrides.existingConfigMap -}}
{{- $messages = append $messages (printf "ERROR: tempo.overrides.perTenant and tempo.overrides.existingConfigMap (%s) both give the per-tenant overrides file. Keep one: put the tenants in your ConfigMap, or remove tempo.overrides.existingConfigMap." $overrides.existingConfigMap) -}}
{{- end -}}
{{- /* Tempo refuses a request larger than the burst on every retry: the burst must admit the largest one a receiver accepts. */ -}}
{{- $largest := include "tempo.receivers.largestRequest" . | int64 -}}
{{- $bursts := dict -}}
{{- with (include "tempo.overrides.defaults" . | fromJson).ingestion -}}
{{- $_ := set $bursts "tempo.overrides.defaults.ingestion.burst_size_bytes" .burst_size_bytes -}}
{{- end -}}
{{- $flat := get .Values.tempo.structuredConfig "overrides" | default dict -}}
{{- if and (kindIs "map" $flat) (hasKey $flat "ingestion_burst_size_bytes") -}}
{{- $_ := set $bursts "tempo.structuredConfig.overrides.ingestion_burst_size_bytes" $flat.ingestion_burst_size_bytes -}}
{{- end -}}
{{- range $tenant, $own := $overrides.perTenant -}}
{{- $ingestion := get ($own | default dict) "ingestion" | default dict -}}
{{- if hasKey $ingestion "burst_size_bytes" -}}
{{- $_ := set $bursts (printf "tempo.overrides.perTenant.%s.ingestion.burst_size_bytes" $tenant) $ingestion.burst_size_bytes -}}
{{- end -}}
{{- end -}}
{{- range $path, $burst := $bursts -}}
{{- if and (not (kindIs "invalid" $burst)) (lt (int64 $burst) $largest) -}}
{{- $messages = append $messages (printf "ERROR: %s is %d bytes, below the largest request an enabled receiver accepts (%d bytes), and Tempo refuses a request larger than the burst on every retry. Set it to at least %d (the rate limit is what protects the pod), or leave it out for the chart's %d." $path (int64 $burst) $largest $largest $largest) -}}
{{- end -}}
{{- end -}}
{{- /* Remote-write headers per tenant are written to the overrides, which a ConfigMap holds. */ -}}
{{- range $place := include "tempo.overrides.places" . | fromJsonArray -}}
{{- range $name, $_ := dig "metrics_generator" "remote_write_headers" dict $place.value -}}
{{- if include "tempo.util.credentialHeader" $name -}}
{{- $messages = append $messages (printf "ERROR: %s.metrics_generator.remote_write_headers.%s carries a credential, which would be stored in a ConfigMap. Authenticate the remote write with tempo.metricsGenerator.remoteWrite[].basicAuth or .bearerToken and an existing Secret." $place.name $name) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- /* Per-tenant settings of a module that does not run are read by no one. */ -}}
{{- if not .Values.tempo.metricsGenerator.enabled -}}
{{- range $tenant, $own := $overrides.perTenant -}}
{{- if hasKey ($own | default dict) "metrics_generator" -}}
{{- $messages = append $messages (printf "ERROR: tempo.overrides.perTenant.%s.metrics_generator is set, but tempo.metricsGenerator.enabled is false, so no metrics-generator runs to read it. Enable tempo.metricsGenerator, or remove the setting." $tenant) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- $generator := get $overrides.defaults "metrics_generator" | default dict -}}
{{- if and .Values.tempo.metricsGenerator.enabled (kindIs "map" $generator) (hasKey $generator "processors") -}}
{{- $messages = append $messages "ERROR: tempo.overrides.defaults.metrics_generator.processors is set while tempo.metricsGenerator.enabled is true, which derives it from tempo.metricsGenerator.processors. Set the processors there (per tenant: tempo.overrides.perTenant)." -}}
{{- end -}}
{{- toJson $messages -}}
{{- end -}}

{{- /*
tempo.validate.metricsGenerator: a metrics-generator whose series have somewhere to go, and one way to
authenticate to each remote-write target.
Usage: {{ include "tempo.validate.metricsGenerator" . | fromJsonArray }}
*/ -}}
{{- define "tempo.validate.metricsGenerator" -}}
{{- $messages := list -}}
{{- $generator := .Values.tempo.metricsGenerator -}}
{{- /* The remote-write settings go to the configuration, which is stored in a ConfigMap: a credential must come from a Secret. */ -}}
{{- range $index, $target := $generator.remoteWrite -}}
{{- if regexMatch "^[a-zA-Z][a-zA-Z0-9+.-]*://[^/?#]*@" $target.url -}}
{{- $messages = append $messages (printf "ERROR: tempo.metricsGenerator.remoteWrite[%d].url holds a user name or password before its host, which would be stored in a ConfigMap. Remove it from the URL and use tempo.metricsGenerator.remoteWrite[%d].basicAuth with an existing Secret." $index $index) -}}
{{- end -}}
{{- range $name, $_ := $target.headers -}}
{{- if include "tempo.util.credentialHeader" $name -}}
{{- $messages = append $messages (printf "ERROR: tempo.metricsGenerator.remoteWrite[%d].headers.%s carries a credential, which would be stored in a ConfigMap. Use tempo.metricsGenerator.remoteWrite[%d].basicAuth or .bearerToken with an existing Secret instead." $index $name $index) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- if $generator.enabled -}}
{{- if and (not $generator.remoteWrite) (or (has "service-graphs" $generator.processors) (has "span-metrics" $generator.processors)) -}}
{{- $messages = append $messages "ERROR: tempo.metricsGenerator.processors has service-graphs or span-metrics, but tempo.metricsGenerator.remoteWrite is empty, so their series would go nowhere. Add a remote-write target (Prometheus, Mimir), or keep only local-blocks." -}}
{{- end -}}
{{- range $index, $target := $generator.remoteWrite -}}
{{- if and $target.basicAuth $target.bearerToken -}}
{{- $messages = append $messages (printf "ERROR: tempo.metricsGenerator.remoteWrite[%d] has both basicAuth and bearerToken, but a remote-write target takes one way to authenticate. Remove one." $index) -}}
{{- end -}}
{{- end -}}
{{- else if or $generator.remoteWrite $generator.externalLabels -}}
{{- $messages = append $messages "ERROR: tempo.metricsGenerator.remoteWrite or externalLabels is set, but tempo.metricsGenerator.enabled is false, so nothing would use them. Set tempo.metricsGenerator.enabled to true, or remove them." -}}
{{- end -}}
{{- toJson $messages -}}
{{- end -}}

{{- /*
tempo.validate.service: Service settings that apply only to some Service types, and node ports of ports
that exist.
Usage: {{ include "tempo.validate.service" . | fromJsonArray }}
*/ -}}
{{- define "tempo.validate.service" -}}
{{- $messages := list -}}
{{- $service := .Values.service -}}
{{- range $entry := list (dict "path" "service" "settings" $service "ingest" false) (dict "path" "service.ingest" "settings" $service.ingest "ingest" true) -}}
{{- $settings := $entry.settings -}}
{{- if or (not $entry.ingest) $service.ingest.enabled -}}
{{- if and $settings.loadBalancerSourceRanges (ne $settings.type "LoadBalancer") -}}
{{- $messages = append $messages (printf "ERROR: %s.loadBalancerSourceRanges is set, but %s.type is %s; the ranges apply to a LoadBalancer only. Set %s.type to LoadBalancer, or remove them." $entry.path $entry.path $settings.type $entry.path) -}}
{{- end -}}
{{- if and $settings.externalTrafficPolicy (eq $settings.type "ClusterIP") -}}
{{- $messages = append $messages (printf "ERROR: %s.externalTrafficPolicy is set, but %s.type is ClusterIP, which the API server refuses. Set %s.type to NodePort or LoadBalancer, or remove it." $entry.path $entry.path $entry.path) -}}
{{- end -}}
{{- range include "tempo.service.ports" (dict "root" $ "ingest" $entry.ingest) | fromJsonArray -}}
{{- if and .nodePort (eq $settings.type "ClusterIP") -}}
{{- $messages = append $messages (printf "ERROR: service.nodePorts.%s is set, but the Service carrying it (%s) has type ClusterIP, which the API server refuses. Set %s.type to NodePort or LoadBalancer, or remove the node port." .name $entry.path $entry.path) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- $carried := list -}}
{{- $allListeners := dict -}}
{{- include "tempo.util.parsed" (dict "root" . "name" "tempo.config.listeners" "into" $allListeners) -}}
{{- range $allListeners.value -}}
{{- if .exposed -}}
{{- $carried = append $carried .name -}}
{{- end -}}
{{- end -}}
{{- range $name, $_ := $service.nodePorts -}}
{{- if not (has $name $carried) -}}
{{- $messages = append $messages (printf "ERROR: service.nodePorts.%s names no port the Services carry (%s). Use one of those names, or enable the receiver." $name (join ", " $carried)) -}}
{{- end -}}
{{- end -}}
{{- toJson $messages -}}
{{- end -}}

{{- /*
tempo.validate.pod: values that would leave the pod unable to start, or that the API server refuses:
selector labels in podLabels, the data directory inside the configuration mount, a request above
its limit, flags the chart sets itself, a security context that contradicts itself, and a probe
aimed where nothing listens.
Usage: {{ include "tempo.validate.pod" . | fromJsonArray }}
*/ -}}
{{- define "tempo.validate.pod" -}}
{{- $messages := list -}}
{{- $tempo := .Values.tempo -}}

{{- /*
The first two rules are about one value each, but stay here: as schema (propertyNames/not, not/pattern)
Helm 4 reports the podLabels one at '' without naming podLabels, and both helms say only that "not"
failed, never what to set instead.
*/ -}}
{{- range $label, $_ := include "tempo.labels.selector" . | fromYaml -}}
{{- range $value := list "podLabels" "commonLabels" -}}
{{- if hasKey (get $.Values $value) $label -}}
{{- $messages = append $messages (printf "ERROR: %s sets %s, which the chart uses to select Tempo's pods. Remove it from %s (use nameOverride to change the name)." $value $label $value) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- $configFile := include "tempo.pod.configFile" . | fromJson -}}
{{- if or (eq $tempo.dataDir $configFile.dir) (hasPrefix (printf "%s/" $configFile.dir) $tempo.dataDir) -}}
{{- $messages = append $messages (printf "ERROR: tempo.dataDir is %s, inside %s where the read-only configuration is mounted. Choose another directory, for example /var/tempo." $tempo.dataDir $configFile.dir) -}}
{{- end -}}

{{- /* The API server refuses a request above its limit; with a preset in play, say where each one comes from. */ -}}
{{- $resources := include "tempo.sizing.resources" . | fromJson -}}
{{- range $name, $limit := $resources.limits | default dict -}}
{{- $request := get ($resources.requests | default dict) $name -}}
{{- if and $request (gt (include "tempo.util.quantity" $request | float64) (include "tempo.util.quantity" $limit | float64)) -}}
{{- $messages = append $messages (printf "ERROR: the %s request (%v) is above its limit (%v), which Kubernetes refuses. With sizing.preset %s, set resources.limits.%s at least as high, or lower resources.requests.%s." $name $request $limit (include "tempo.sizing.preset" $) $name $name) -}}
{{- end -}}
{{- end -}}

{{- /* Flags the chart sets: a second one would leave two sources of the same setting. */ -}}
{{- range $arg := $tempo.extraArgs -}}
{{- if regexMatch "^--?config\\.file(=|$)" $arg -}}
{{- $messages = append $messages (printf "ERROR: tempo.extraArgs has %s, but the chart starts Tempo with -config.file=%s, from its ConfigMap. Remove it, and add to the configuration through tempo.structuredConfig." $arg (include "tempo.pod.configFile" $ | fromJson).path) -}}
{{- else if regexMatch "^--?target(=|$)" $arg -}}
{{- $messages = append $messages (printf "ERROR: tempo.extraArgs has %s, but the chart chooses the target: all for one pod, scalable-single-binary for several pods on an object store. Remove it." $arg) -}}
{{- end -}}
{{- end -}}

{{- /* The kubelet refuses to start a container whose security context contradicts itself. */ -}}
{{- $pod := .Values.podSecurityContext | default dict -}}
{{- $container := .Values.securityContext | default dict -}}
{{- $nonRootFrom := ternary "securityContext.runAsNonRoot" "podSecurityContext.runAsNonRoot" (hasKey $container "runAsNonRoot") -}}
{{- $userFrom := ternary "securityContext.runAsUser" "podSecurityContext.runAsUser" (hasKey $container "runAsUser") -}}
{{- $nonRoot := ternary $container.runAsNonRoot $pod.runAsNonRoot (hasKey $container "runAsNonRoot") -}}
{{- $user := ternary $container.runAsUser $pod.runAsUser (hasKey $container "runAsUser") -}}
{{- if and $nonRoot (not (kindIs "invalid" $user)) (eq (int $user) 0) -}}
{{- $messages = append $messages (printf "ERROR: %s is 0 (root) while %s is true, so the kubelet would refuse to start the container. Run as Tempo's user: set %s to 10001." $userFrom $nonRootFrom $userFrom) -}}
{{- end -}}
{{- /* The chart's securityContext lies beneath each extra container's own: root there is refused the same way. */ -}}
{{- range $kind := list "initContainers" "extraContainers" -}}
{{- range $index, $extra := get $.Values $kind -}}
{{- $own := $extra.securityContext | default dict -}}
{{- $extraNonRoot := ternary $own.runAsNonRoot $nonRoot (hasKey $own "runAsNonRoot") -}}
{{- $extraUser := ternary $own.runAsUser $user (hasKey $own "runAsUser") -}}
{{- if and $extraNonRoot (not (kindIs "invalid" $extraUser)) (eq (int $extraUser) 0) -}}
{{- $messages = append $messages (printf "ERROR: %s[%d] (%s) runs as user 0 (root) in a pod that must not run as root (runAsNonRoot), so the kubelet would refuse to start it. Run it as a user other than 0, for example 10001." $kind $index $extra.name) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- if and $container.privileged (hasKey $container "allowPrivilegeEscalation") (not $container.allowPrivilegeEscalation) -}}
{{- $messages = append $messages "ERROR: securityContext.privileged is true while securityContext.allowPrivilegeEscalation is false, which the API server refuses. Tempo needs no privileges: remove securityContext.privileged." -}}
{{- end -}}

{{- /* A write needs a majority of a trace's copies: a drain may take no more pods than the copies beyond that majority (with one copy there is no majority to keep, and the budget's least, 1, stands). */ -}}
{{- $copies := include "tempo.workload.replicationFactor" . | int -}}
{{- $quorum := add (div $copies 2) 1 -}}
{{- if and (include "tempo.workload.sharesRings" .) .Values.podDisruptionBudget.enabled (gt $copies 1) (gt (int .Values.podDisruptionBudget.maxUnavailable) (sub $copies $quorum)) -}}
{{- $messages = append $messages (printf "ERROR: podDisruptionBudget.maxUnavailable is %d, but with %d replicas Tempo keeps %d copies of each trace and a write needs %d of them: a drain that takes %d pods at once refuses writes. Set podDisruptionBudget.maxUnavailable to %d." (int .Values.podDisruptionBudget.maxUnavailable) (int .Values.replicas) $copies $quorum (int .Values.podDisruptionBudget.maxUnavailable) (sub $copies $quorum)) -}}
{{- end -}}

{{- /* The Deployment's strategy; a StatefulSet rolls its pods one by one. */ -}}
{{- if .Values.strategy -}}
{{- if include "tempo.workload.clustered" . -}}
{{- $messages = append $messages (printf "ERROR: strategy is set, but with storage.backend %s Tempo runs as a StatefulSet, which has no Deployment strategy (it replaces one pod at a time). Remove strategy." .Values.storage.backend) -}}
{{- else if and .Values.persistence.enabled (ne (toString .Values.strategy.type) "Recreate") -}}
{{- $messages = append $messages "ERROR: strategy.type is not Recreate, but persistence.enabled is true: the new pod could not attach the old pod's ReadWriteOnce volume, and the rollout would hang. Set strategy.type to Recreate, or remove strategy." -}}
{{- end -}}
{{- end -}}

{{- /* The API server refuses a mount of a volume the pod does not have, and two volumes of one name. */ -}}
{{- $volumes := list -}}
{{- range include "tempo.pod.mounts" . | fromJsonArray -}}
{{- if not .extra -}}
{{- $volumes = append $volumes .name -}}
{{- end -}}
{{- end -}}
{{- range $index, $volume := .Values.extraVolumes -}}
{{- if has $volume.name $volumes -}}
{{- $messages = append $messages (printf "ERROR: extraVolumes[%d] is named %s, but another volume of Tempo's pod has that name (its volumes so far: %s). Choose another name." $index $volume.name (join ", " $volumes)) -}}
{{- end -}}
{{- $volumes = append $volumes $volume.name -}}
{{- end -}}
{{- range $index, $mount := .Values.tempo.extraVolumeMounts -}}
{{- if not (has $mount.name $volumes) -}}
{{- $messages = append $messages (printf "ERROR: tempo.extraVolumeMounts[%d] mounts the volume %s, which the pod does not have. Add it to extraVolumes." $index $mount.name) -}}
{{- end -}}
{{- end -}}
{{- /* The API server refuses two mounts at one path in a container. */ -}}
{{- $mountPaths := dict -}}
{{- range include "tempo.pod.mounts" . | fromJsonArray -}}
{{- $path := trimSuffix "/" .mountPath -}}
{{- if hasKey $mountPaths $path -}}
{{- $messages = append $messages (printf "ERROR: tempo.extraVolumeMounts mounts %s at %s, where the volume %s is already mounted. Choose another mountPath." .name .mountPath (get $mountPaths $path)) -}}
{{- end -}}
{{- $_ := set $mountPaths $path .name -}}
{{- end -}}

{{- /* An EnvVar takes value or valueFrom: the API server refuses both. */ -}}
{{- range $index, $variable := $tempo.extraEnv -}}
{{- if and (hasKey $variable "value") (hasKey $variable "valueFrom") -}}
{{- $messages = append $messages (printf "ERROR: tempo.extraEnv[%d] (%s) has both value and valueFrom, which the API server refuses. Keep one." $index $variable.name) -}}
{{- end -}}
{{- /* Go ignores a GOMEMLIMIT it cannot parse, and one above the container's limit protects nothing: the kernel kills the pod first. */ -}}
{{- if and (eq $variable.name "GOMEMLIMIT") (kindIs "string" $variable.value) (ne $variable.value "off") -}}
{{- if not (regexMatch "^[0-9]+(B|KiB|MiB|GiB|TiB)?$" $variable.value) -}}
{{- $messages = append $messages (printf "ERROR: tempo.extraEnv GOMEMLIMIT is %s, which Go does not read: it takes a number of bytes with B, KiB, MiB, GiB or TiB (not Mi or Gi), for example 900MiB." $variable.value) -}}
{{- else -}}
{{- $memoryLimit := dig "limits" "memory" "" $resources -}}
{{- $bytes := mulf (regexFind "^[0-9]+" $variable.value | float64) (get (dict "" 1.0 "B" 1.0 "KiB" 1024.0 "MiB" 1048576.0 "GiB" 1073741824.0 "TiB" 1099511627776.0) (regexFind "[A-Za-z]+$" $variable.value)) -}}
{{- if and $memoryLimit (gt $bytes (include "tempo.util.quantity" $memoryLimit | float64)) -}}
{{- $messages = append $messages (printf "ERROR: tempo.extraEnv GOMEMLIMIT is %s, above the container's memory limit (%s): the kernel would kill Tempo before Go collects harder. Set it below the limit, or remove it for the chart's %d%% of the limit (sizing.goMemLimitPercent)." $variable.value $memoryLimit (int $.Values.sizing.goMemLimitPercent)) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- /* A probe aimed where nothing listens fails for ever: the pod is never ready, or is restarted in a loop. */ -}}
{{- $allListeners := dict -}}
{{- include "tempo.util.parsed" (dict "root" . "name" "tempo.config.listeners" "into" $allListeners) -}}
{{- $listeners := $allListeners.value -}}
{{- $names := list -}}
{{- $ports := list -}}
{{- $described := list -}}
{{- range $listeners -}}
{{- if .exposed -}}
{{- $names = append $names .name -}}
{{- end -}}
{{- $ports = append $ports (int .port) -}}
{{- $described = append $described (printf "%s %d" .name (int .port)) -}}
{{- end -}}
{{- /* Containers of one pod share its network: an extra container's port must be free of Tempo's. */ -}}
{{- $taken := dict -}}
{{- range $listeners -}}
{{- $_ := set $taken (printf "%d/%s" (int .port) .protocol) (printf "Tempo's %s" .name) -}}
{{- end -}}
{{- range $index, $extra := .Values.extraContainers -}}
{{- range $extra.ports -}}
{{- $key := printf "%d/%s" (int .containerPort) (.protocol | default "TCP") -}}
{{- if hasKey $taken $key -}}
{{- $messages = append $messages (printf "ERROR: extraContainers[%d] (%s) declares port %s, which %s already uses: containers of one pod share its network, so one of them could not bind it. Choose another port." $index $extra.name $key (get $taken $key)) -}}
{{- end -}}
{{- $_ := set $taken $key (printf "extraContainers[%d]" $index) -}}
{{- end -}}
{{- end -}}
{{- $servedPaths := list "/ready" "/api/echo" "/metrics" "/status" "/status/version" "/status/services" "/api/status/buildinfo" -}}
{{- range $probe := list "startupProbe" "readinessProbe" "livenessProbe" -}}
{{- /* Tempo answers a path it does not serve with 404, and the probe fails for ever (test/real-tempo.test.ts asks a real Tempo for each path listed here). */ -}}
{{- with get (get $.Values $probe | default dict) "httpGet" -}}
{{- if and .path (not (has (regexReplaceAll "[?].*$" (toString .path) "") $servedPaths)) -}}
{{- $messages = append $messages (printf "ERROR: %s.httpGet.path is %s, which Tempo does not serve, so the probe would fail for ever. Use /ready (readiness, startup) or /api/echo (liveness); Tempo serves %s." $probe .path (join ", " $servedPaths)) -}}
{{- end -}}
{{- end -}}
{{- range $handler := list "httpGet" "tcpSocket" "grpc" -}}
{{- $action := get (get $.Values $probe | default dict) $handler -}}
{{- if and (kindIs "map" $action) (hasKey $action "port") -}}
{{- $port := $action.port -}}
{{- $listens := ternary (has $port $names) (has (int $port) $ports) (kindIs "string" $port) -}}
{{- if not $listens -}}
{{- $messages = append $messages (printf "ERROR: %s.%s.port is %v, but nothing in the pod listens there (Tempo's ports: %s). Aim it at http, Tempo's HTTP API." $probe $handler $port (join ", " $described)) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- toJson $messages -}}
{{- end -}}

{{- /*
tempo.validate.storage: a storage setup that can work: scaling out needs an object store, each object
store its bucket, credentials in one place, and a claim that fits the workload.
Usage: {{ include "tempo.validate.storage" . | fromJsonArray }}
*/ -}}
{{- define "tempo.validate.storage" -}}
{{- $messages := list -}}
{{- $storage := .Values.storage -}}
{{- $persistence := .Values.persistence -}}
{{- if and (not (include "tempo.storage.onObjectStore" .)) (include "tempo.workload.manyPods" .) -}}
{{- $messages = append $messages (printf "ERROR: replicas is %d, but storage.backend is local: each pod would keep its own traces, and queries would see only part of them. To scale out, set storage.backend to s3, gcs or azure with its bucket; otherwise set replicas to 1 (0 stops Tempo)." (int .Values.replicas)) -}}
{{- end -}}
{{- if eq $storage.backend "s3" -}}
{{- $s3 := $storage.s3 -}}
{{- if not $s3.bucket -}}
{{- $messages = append $messages "ERROR: storage.backend is s3, but storage.s3.bucket is empty. Set storage.s3.bucket (and storage.s3.endpoint and storage.s3.region for a store other than AWS's default endpoint)." -}}
{{- end -}}
{{- if not $s3.endpoint -}}
{{- $messages = append $messages "ERROR: storage.backend is s3, but storage.s3.endpoint is empty. Set it to host[:port], for example s3.eu-west-1.amazonaws.com." -}}
{{- end -}}
{{- if ne (empty $s3.accessKey) (empty $s3.secretKey) -}}
{{- $messages = append $messages "ERROR: storage.s3.accessKey and storage.s3.secretKey go together: set both, or neither (and use storage.s3.existingSecret, an IAM role or AWS_* variables)." -}}
{{- end -}}
{{- /* An AWS endpoint that names a region signs for that region only: another region in storage.s3.region fails every request. */ -}}
{{- with regexFind "^s3[.-](dualstack[.])?[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]+[.]amazonaws[.]com" $s3.endpoint -}}
{{- $endpointRegion := regexReplaceAll "^s3[.-](dualstack[.])?([a-z0-9-]+)[.]amazonaws[.]com.*$" . "${2}" -}}
{{- if and $s3.region (ne $s3.region $endpointRegion) -}}
{{- $messages = append $messages (printf "ERROR: storage.s3.endpoint %s is in region %s, but storage.s3.region is %s, and S3 refuses requests signed for another region. Set storage.s3.region to %s, or the endpoint of region %s." $s3.endpoint $endpointRegion $s3.region $endpointRegion $s3.region) -}}
{{- end -}}
{{- end -}}
{{- if and $s3.existingSecret (or $s3.accessKey $s3.secretKey) -}}
{{- $messages = append $messages (printf "ERROR: storage.s3.accessKey and storage.s3.secretKey are set together with storage.s3.existingSecret (%s). Keep the keys in one place: remove them from the values, or remove storage.s3.existingSecret." $s3.existingSecret) -}}
{{- end -}}
{{- else if eq $storage.backend "gcs" -}}
{{- $gcs := $storage.gcs -}}
{{- if not $gcs.bucketName -}}
{{- $messages = append $messages "ERROR: storage.backend is gcs, but storage.gcs.bucketName is empty. Set storage.gcs.bucketName." -}}
{{- end -}}
{{- /* The chart encodes the key for its Secret: a key pasted already encoded reaches Google's loader as base64, which it cannot read. */ -}}
{{- with trim $gcs.serviceAccountKey -}}
{{- if not (hasPrefix "{" .) -}}
{{- if hasPrefix "{" (trim (b64dec .)) -}}
{{- $messages = append $messages "ERROR: storage.gcs.serviceAccountKey is base64-encoded: it decodes to the JSON key, which the chart would encode a second time, and Google's credential loader could not read the file. Give the JSON key itself, as Google Cloud downloads it ({\"type\": \"service_account\", ...}); the chart encodes it for its Secret." -}}
{{- else -}}
{{- $messages = append $messages "ERROR: storage.gcs.serviceAccountKey is not a service account's JSON key (it does not start with {). Give the JSON key as Google Cloud downloads it, or use storage.gcs.existingSecret or workload identity (serviceAccount.annotations)." -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- if and $gcs.existingSecret $gcs.serviceAccountKey -}}
{{- $messages = append $messages (printf "ERROR: storage.gcs.serviceAccountKey is set together with storage.gcs.existingSecret (%s). Keep the key in one place: remove one of them." $gcs.existingSecret) -}}
{{- end -}}
{{- else if eq $storage.backend "azure" -}}
{{- $azure := $storage.azure -}}
{{- range $field := list "containerName" "storageAccountName" -}}
{{- if not (get $azure $field) -}}
{{- $messages = append $messages (printf "ERROR: storage.backend is azure, but storage.azure.%s is empty. Set storage.azure.%s." $field $field) -}}
{{- end -}}
{{- end -}}
{{- /* An account key is 64 bytes, 88 characters of base64: one that decodes to such text was encoded twice, and the chart's Secret encodes it once more. */ -}}
{{- if regexMatch "^[A-Za-z0-9+/]{86}==$" (b64dec $azure.storageAccountKey) -}}
{{- $messages = append $messages "ERROR: storage.azure.storageAccountKey is base64 of another base64 text: the key was encoded before it was pasted. Give the key as the Azure portal shows it (88 characters ending in ==); the chart encodes it for its Secret." -}}
{{- end -}}
{{- /* A connection string's EndpointSuffix names the cloud, not its blob service: Tempo would address <account>.core.windows.net. */ -}}
{{- if regexMatch "^core\\.(windows\\.net|chinacloudapi\\.cn|usgovcloudapi\\.net|cloudapi\\.de)$" $azure.endpointSuffix -}}
{{- $messages = append $messages (printf "ERROR: storage.azure.endpointSuffix is %s, a connection string's EndpointSuffix, which names the cloud and not its blob service: Tempo would address %s.%s, which is not the Blob endpoint. Set it to blob.%s." $azure.endpointSuffix ($azure.storageAccountName | default "<account>") $azure.endpointSuffix $azure.endpointSuffix) -}}
{{- end -}}
{{- if and $azure.existingSecret $azure.storageAccountKey -}}
{{- $messages = append $messages (printf "ERROR: storage.azure.storageAccountKey is set together with storage.azure.existingSecret (%s). Keep the key in one place: remove one of them." $azure.existingSecret) -}}
{{- end -}}
{{- if and $azure.useFederatedToken (or $azure.existingSecret $azure.storageAccountKey) -}}
{{- $messages = append $messages "ERROR: storage.azure.useFederatedToken is true together with an account key (storage.azure.storageAccountKey or storage.azure.existingSecret). Choose one way to authenticate: remove the key, or set storage.azure.useFederatedToken to false." -}}
{{- end -}}
{{- end -}}
{{- if $persistence.existingClaim -}}
{{- if not $persistence.enabled -}}
{{- $messages = append $messages (printf "ERROR: persistence.existingClaim is %s, but persistence.enabled is false, so the claim would not be used. Set persistence.enabled to true, or remove persistence.existingClaim." $persistence.existingClaim) -}}
{{- else if include "tempo.workload.clustered" . -}}
{{- $messages = append $messages (printf "ERROR: persistence.existingClaim names one claim, but with storage.backend %s each of Tempo's pods gets a claim of its own. Remove persistence.existingClaim." $storage.backend) -}}
{{- end -}}
{{- end -}}
{{- toJson $messages -}}
{{- end -}}

{{- /*
tempo.validate.paths: every path Tempo writes lies on a writable volume the chart mounts (the root
filesystem is read-only), and every file it reads is one the chart mounts (build/tempo-config/facts.yaml
lists both kinds of keys).
Usage: {{ include "tempo.validate.paths" . | fromJsonArray }}
*/ -}}
{{- define "tempo.validate.paths" -}}
{{- $messages := list -}}
{{- /* The paths the chart itself writes lie on its volumes by construction: only structuredConfig can stray. */ -}}
{{- if .Values.tempo.structuredConfig -}}
{{- $config := include "tempo.config.merged" . | fromYaml -}}
{{- $mounts := include "tempo.pod.mounts" . | fromJsonArray -}}
{{- $writable := list -}}
{{- $files := list -}}
{{- $extraDirs := list -}}
{{- range $mount := $mounts -}}
{{- if not $mount.readOnly -}}
{{- $writable = append $writable $mount.mountPath -}}
{{- end -}}
{{- range $file := $mount.files | default list -}}
{{- $files = append $files (printf "%s/%s" $mount.mountPath $file) -}}
{{- end -}}
{{- if $mount.extra -}}
{{- $extraDirs = append $extraDirs $mount.mountPath -}}
{{- end -}}
{{- end -}}
{{- range $entry := include "tempo.pod.writes" . | fromJsonArray -}}
{{- $path := $entry.path -}}
{{- $under := false -}}
{{- range $dir := $writable -}}
{{- if or (eq $path $dir) (hasPrefix (printf "%s/" (trimSuffix "/" $dir)) $path) -}}
{{- $under = true -}}
{{- end -}}
{{- end -}}
{{- if not $under -}}
{{- $messages = append $messages (printf "ERROR: tempo.structuredConfig.%s is %s, where Tempo cannot write: the container's root filesystem is read-only. Put it under a writable volume: %s (tempo.dataDir)." $entry.key $path (join ", " $writable)) -}}
{{- end -}}
{{- end -}}
{{- range $leaf := include "tempo.config.leavesAt" (dict "node" $config "path" "" "keys" (include "tempo.facts.readFiles" . | fromJson)) | fromJsonArray -}}
{{- $path := $leaf.value -}}
{{- $underExtra := false -}}
{{- range $dir := $extraDirs -}}
{{- if hasPrefix (printf "%s/" (trimSuffix "/" $dir)) (toString $path) -}}
{{- $underExtra = true -}}
{{- end -}}
{{- end -}}
{{- if and (kindIs "string" $path) (ne $path "") (not (has $path $files)) (not $underExtra) -}}
{{- $messages = append $messages (printf "ERROR: tempo.structuredConfig.%s is %s, but the pod has no such file: the chart mounts %s. Mount the file with extraVolumes and tempo.extraVolumeMounts, or remove the setting." $leaf.path $path (join ", " $files)) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- toJson $messages -}}
{{- end -}}
