{{- /*
tempo.routes.backends: what an Ingress or HTTPRoute exposes, as a JSON list of {path, exact, service,
port}: the query API (/api) and OTLP over HTTP (/v1/traces, while that receiver is on), at the gateway
when it is enabled, else at Tempo's Services.
Usage: {{ range include "tempo.routes.backends" . | fromJsonArray }}{{ .path }}{{ end }}
*/ -}}
{{- define "tempo.routes.backends" -}}
{{- $clients := (include "tempo.names.endpoints" . | fromJson).clients -}}
{{- $backends := list (dict "path" "/api" "exact" false "service" $clients.query.service "port" (int $clients.query.port)) -}}
{{- with $clients.otlpHttp -}}
{{- $backends = append $backends (dict "path" "/v1/traces" "exact" true "service" .service "port" (int .port)) -}}
{{- end -}}
{{- toJson $backends -}}
{{- end -}}

{{- /*
tempo.validate.exposure: an Ingress or HTTPRoute that can route: TLS with its certificate, a route
with a Gateway to attach to, and something to expose.
Usage: {{ include "tempo.validate.exposure" . | fromJsonArray }}
*/ -}}
{{- define "tempo.validate.exposure" -}}
{{- $messages := list -}}
{{- if and .Values.ingress.enabled .Values.ingress.tls.enabled (not .Values.ingress.tls.secretName) -}}
{{- $messages = append $messages "ERROR: ingress.tls.enabled is true, but ingress.tls.secretName is empty. Name the Secret holding the certificate (cert-manager creates it from an annotation such as cert-manager.io/cluster-issuer)." -}}
{{- end -}}
{{- if and .Values.httpRoute.enabled (not .Values.httpRoute.parentRefs) -}}
{{- $messages = append $messages "ERROR: httpRoute.enabled is true, but httpRoute.parentRefs is empty, so the route would attach to no Gateway. Name the Gateway: [{name: my-gateway, namespace: gateway-system}]." -}}
{{- end -}}
{{- /* The gateway is only a guard if nothing goes around it. */ -}}
{{- if .Values.gateway.enabled -}}
{{- range $service := list (dict "value" "service.type" "type" .Values.service.type) (dict "value" "service.ingest.type" "type" (ternary .Values.service.ingest.type "ClusterIP" .Values.service.ingest.enabled)) -}}
{{- if has $service.type (list "LoadBalancer" "NodePort") -}}
{{- $messages = append $messages (printf "ERROR: %s is %s while gateway.enabled is true: Tempo's own ports would be reachable from outside the cluster without the gateway's credentials. Expose the gateway instead (gateway.service.type, ingress or httpRoute) and set %s to ClusterIP." $service.value $service.type $service.value) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- $policy := .Values.networkPolicy -}}
{{- if $policy.enabled -}}
{{- /* Egress on allows DNS and Tempo's own pods; what these values reach elsewhere needs a rule of its own. */ -}}
{{- if and $policy.egress.enabled (not $policy.egress.extraRules) -}}
{{- $destinations := list -}}
{{- if include "tempo.storage.onObjectStore" . -}}
{{- $destinations = append $destinations (printf "the %s object store (storage.backend)" .Values.storage.backend) -}}
{{- end -}}
{{- if and .Values.tempo.metricsGenerator.enabled .Values.tempo.metricsGenerator.remoteWrite -}}
{{- $destinations = append $destinations "the remote-write targets (tempo.metricsGenerator.remoteWrite)" -}}
{{- end -}}
{{- if .Values.tempo.receivers.kafka.enabled -}}
{{- $destinations = append $destinations "the Kafka brokers (tempo.receivers.kafka.brokers)" -}}
{{- end -}}
{{- with $destinations -}}
{{- $messages = append $messages (printf "ERROR: networkPolicy.egress.enabled is true with no networkPolicy.egress.extraRules, so Tempo could not reach %s. Add an egress rule for them to networkPolicy.egress.extraRules (for example {to: [{ipBlock: {cidr: 0.0.0.0/0}}], ports: [{port: 443, protocol: TCP}]})." (join ", " .)) -}}
{{- end -}}
{{- end -}}
{{- /* Without the gateway an Ingress or route reaches Tempo itself, from the controller's namespace, which the default sources (the release namespace) leave out. */ -}}
{{- if and (not .Values.gateway.enabled) (or .Values.ingress.enabled .Values.httpRoute.enabled) (not $policy.queryFrom) -}}
{{- $messages = append $messages (printf "ERROR: %s routes to Tempo while networkPolicy.enabled is true, but networkPolicy.queryFrom is empty, which admits only the release namespace, not the controller's. Add the controller's namespace to networkPolicy.queryFrom (and networkPolicy.ingestFrom for OTLP through the route), for example [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ingress-nginx}}}]." (ternary "ingress" "httpRoute" .Values.ingress.enabled)) -}}
{{- end -}}
{{- end -}}
{{- toJson $messages -}}
{{- end -}}
