{{- /*
tempo.tests.script: the helm test script (POSIX sh and curl). It sends one span over OTLP/HTTP with a
known trace ID (retrying until it is accepted), reads the trace back from /api/traces/<id>, retrying while Tempo takes it in, and
finds it with /api/search. Everything it needs comes from the environment: TEMPO_URL, OTLP_URL,
TRACE_ID_PREFIX (the trace ID's first 24 hex digits; the script appends the time, so that a test run
never finds an earlier run's trace), SPAN_ID, TIMEOUT_SECONDS, and optionally TEMPO_USERNAME and TEMPO_PASSWORD (basic auth) and
TEMPO_TENANT (X-Scope-OrgID).
Usage: {{ include "tempo.tests.script" . | nindent 4 }}
*/ -}}
{{- define "tempo.tests.script" -}}
#!/bin/sh
set -eu

# curl with the credentials and tenant, when there are any.
call() {
  if [ -n "${TEMPO_USERNAME:-}" ]; then
    set -- --user "${TEMPO_USERNAME}:${TEMPO_PASSWORD}" "$@"
  fi
  if [ -n "${TEMPO_TENANT:-}" ]; then
    set -- --header "X-Scope-OrgID: ${TEMPO_TENANT}" "$@"
  fi
  curl --silent --show-error --fail --max-time 10 "$@"
}

now=$(date +%s)
TRACE_ID="${TRACE_ID_PREFIX}$(printf '%08x' "${now}")"
deadline=$((now + TIMEOUT_SECONDS))
start="${now}000000000"
end="$((now + 1))000000000"

cat > /tmp/request.json <<JSON
{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"helm-test"}}]},"scopeSpans":[{"spans":[{"traceId":"${TRACE_ID}","spanId":"${SPAN_ID}","name":"helm test","kind":1,"startTimeUnixNano":"${start}","endTimeUnixNano":"${end}"}]}]}]}
JSON

# Retried as an OTLP exporter retries: a distributed Tempo refuses writes until its live-stores have
# made every Kafka partition active, some seconds after its pods are ready.
echo "Sending trace ${TRACE_ID} to ${OTLP_URL}/v1/traces"
until call --header "Content-Type: application/json" --data-binary @/tmp/request.json "${OTLP_URL}/v1/traces"; do
  if [ "$(date +%s)" -ge "${deadline}" ]; then
    echo "FAIL: trace ${TRACE_ID} was not accepted within ${TIMEOUT_SECONDS} seconds"
    exit 1
  fi
  sleep 2
done
echo

echo "Reading it back from ${TEMPO_URL}/api/traces/${TRACE_ID}"
until call --output /tmp/trace.json "${TEMPO_URL}/api/traces/${TRACE_ID}" 2>/dev/null && grep -q "helm test" /tmp/trace.json; do
  if [ "$(date +%s)" -ge "${deadline}" ]; then
    echo "FAIL: trace ${TRACE_ID} was not readable within ${TIMEOUT_SECONDS} seconds"
    exit 1
  fi
  sleep 2
done

echo "Searching for it"
until call --output /tmp/search.json "${TEMPO_URL}/api/search?tags=service.name%3Dhelm-test&start=$((now - 60))&end=$((now + 60))" && grep -q "${TRACE_ID}" /tmp/search.json; do
  if [ "$(date +%s)" -ge "${deadline}" ]; then
    echo "FAIL: the search did not find trace ${TRACE_ID} within ${TIMEOUT_SECONDS} seconds"
    exit 1
  fi
  sleep 2
done
echo "OK: trace ${TRACE_ID} was written, read back and found"
{{- end -}}

{{- /*
tempo.tests.plan: what the helm test talks to, as JSON: {enabled (tests.enabled, OTLP/HTTP on and
receivers without TLS), queryUrl, otlpUrl, tenant, credentials ({secret, own} when the gateway is on),
traceIdPrefix and spanId (from the release and its revision; the script completes the trace ID with
the time, so each run of the test sends a trace of its own)}.
Usage: {{ include "tempo.tests.plan" . | fromJson }}
*/ -}}
{{- define "tempo.tests.plan" -}}
{{- $tempo := .Values.tempo -}}
{{- $namespace := include "tempo.names.namespace" . -}}
{{- $seed := printf "%s/%s/%d" $namespace .Release.Name (int .Release.Revision) | sha256sum -}}
{{- /* A first digit other than 0: Tempo's search prints trace IDs without leading zeros. */ -}}
{{- $plan := dict "enabled" (and .Values.tests.enabled $tempo.receivers.otlp.http.enabled (not $tempo.receivers.tls.enabled)) "traceIdPrefix" (printf "a%s" (substr 0 23 $seed)) "spanId" (printf "b%s" (substr 32 47 $seed)) "tenant" "" "credentials" dict -}}
{{- $endpoints := include "tempo.names.endpoints" . | fromJson -}}
{{- $_ := set $plan "queryUrl" $endpoints.clients.query.url -}}
{{- $_ := set $plan "otlpUrl" (dig "otlpHttp" "url" "" $endpoints.clients) -}}
{{- if $endpoints.viaGateway -}}
{{- $own := not .Values.tests.credentialsSecret -}}
{{- $_ := set $plan "credentials" (dict "secret" (.Values.tests.credentialsSecret | default (include "tempo.tests.name" .)) "own" $own) -}}
{{- else if $tempo.multitenancyEnabled -}}
{{- $_ := set $plan "tenant" "helm-test" -}}
{{- end -}}
{{- toJson $plan -}}
{{- end -}}

{{- /*
tempo.component.test: the helm test's row of the components table (see tempo.components.table) when
the test runs: a bare Pod, a helm test hook deleted once it passed, never restarted.
Usage: {{ include "tempo.component.test" . | fromJson }}
*/ -}}
{{- define "tempo.component.test" -}}
{{- if (include "tempo.tests.plan" . | fromJson).enabled -}}
{{- toJson (dict "name" "test" "kind" "Pod" "why" "a helm test hook: runs once, never restarted" "resourceName" (include "tempo.tests.name" .) "labels" (include "tempo.labels.component" (dict "root" . "component" "test" "version" .Values.tests.image.tag "pod" false)) "replicas" 1 "podTemplate" "tempo.tests.podTemplate" "pod" (dict "annotations" (include "tempo.tests.hook" . | fromJson))) -}}
{{- end -}}
{{- end -}}

{{- /*
tempo.tests.hook: the annotations that make an object a helm test hook, as JSON: created for the
test, deleted once it passed (or before the next run).
Usage: {{ include "tempo.tests.hook" . | fromJson }}
*/ -}}
{{- define "tempo.tests.hook" -}}
{{- toJson (dict "helm.sh/hook" "test" "helm.sh/hook-delete-policy" "before-hook-creation,hook-succeeded") -}}
{{- end -}}

{{- /*
tempo.tests.name: the name of the helm test's Pod and of its ConfigMap and Secret.
Usage: {{ include "tempo.tests.name" . }}
*/ -}}
{{- define "tempo.tests.name" -}}
{{- include "tempo.names.suffixed" (dict "root" . "suffix" "test") -}}
{{- end -}}

{{- /*
tempo.tests.podTemplate: the helm test's pod template (its spec), as YAML.
Usage: {{ include "tempo.tests.podTemplate" (dict "root" . "row" $row) | fromYaml }} (the kit, tempo.kit.workload)
*/ -}}
{{- define "tempo.tests.podTemplate" -}}
{{- with .root -}}
{{- $plan := include "tempo.tests.plan" . | fromJson -}}
spec:
  restartPolicy: Never
  {{- include "tempo.pod.commonSpec" (dict "root" . "securityContext" .Values.tests.podSecurityContext) | nindent 2 }}
  containers:
    - name: test
      image: {{ include "tempo.image.of" (dict "root" . "image" .Values.tests.image "tag" .Values.tests.image.tag) }}
      command: [sh, /scripts/test.sh]
      env:
        - { name: TEMPO_URL, value: {{ $plan.queryUrl | quote }} }
        - { name: OTLP_URL, value: {{ $plan.otlpUrl | quote }} }
        - { name: TRACE_ID_PREFIX, value: {{ $plan.traceIdPrefix | quote }} }
        - { name: SPAN_ID, value: {{ $plan.spanId | quote }} }
        - { name: TIMEOUT_SECONDS, value: {{ .Values.tests.timeoutSeconds | quote }} }
        {{- with $plan.tenant }}
        - { name: TEMPO_TENANT, value: {{ . | quote }} }
        {{- end }}
        {{- with $plan.credentials.secret }}
        - name: TEMPO_USERNAME
          valueFrom: { secretKeyRef: { name: {{ . }}, key: username } }
        - name: TEMPO_PASSWORD
          valueFrom: { secretKeyRef: { name: {{ . }}, key: password } }
        {{- end }}
      resources:
        requests: { cpu: 10m, memory: 16Mi }
        limits: { memory: 64Mi }
      {{- with .Values.tests.securityContext }}
      securityContext:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      volumeMounts:
        - name: scripts
          mountPath: /scripts
          readOnly: true
        - name: tmp
          mountPath: /tmp
  volumes:
    - name: scripts
      configMap:
        name: {{ include "tempo.tests.name" . }}
    - name: tmp
      emptyDir: {}
{{- end }}
{{- end -}}

{{- /*
tempo.validate.tests: a helm test that can pass: a password to sign in to the gateway with, and time
for the Tempo release's search to see the trace.
Usage: {{ include "tempo.validate.tests" . | fromJsonArray }}
*/ -}}
{{- define "tempo.validate.tests" -}}
{{- $messages := list -}}
{{- if .Values.tests.enabled -}}
{{- $auth := .Values.gateway.basicAuth -}}
{{- if and .Values.gateway.enabled (not .Values.tests.credentialsSecret) $auth.existingSecret -}}
{{- $messages = append $messages (printf "ERROR: gateway.basicAuth.existingSecret (%s) holds only hashes, so helm test has no password to sign in with. Set tests.credentialsSecret to a Secret with the keys username and password of one of its users, or set tests.enabled to false." $auth.existingSecret) -}}
{{- end -}}
{{- $version := include "tempo.version" . | fromJson -}}
{{- $cutoff := include "tempo.util.seconds" $version.searchCutoff | float64 | int -}}
{{- if and $cutoff (include "tempo.tests.plan" . | fromJson).enabled (lt (int .Values.tests.timeoutSeconds) (add $cutoff 30 | int)) -}}
{{- $messages = append $messages (printf "ERROR: tests.timeoutSeconds is %d, but Tempo %s finds a trace by search only %s after it arrives: give the helm test at least %d seconds." (int .Values.tests.timeoutSeconds) $version.name $version.searchCutoff (add $cutoff 30)) -}}
{{- end -}}
{{- end -}}
{{- toJson $messages -}}
{{- end -}}
