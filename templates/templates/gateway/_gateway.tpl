{{- /*
tempo.gateway.name: the gateway's name, for its resources and its app.kubernetes.io/name label (a name
of its own, so that Tempo's Service, which selects by name and instance, never sends traffic to it).
Usage: {{ include "tempo.gateway.name" . }}
*/ -}}
{{- define "tempo.gateway.name" -}}
{{- include "tempo.names.suffixed" (dict "root" . "suffix" "gateway") -}}
{{- end -}}

{{- /*
tempo.gateway.selector: the labels that select the gateway's pods, as YAML.
Usage: {{ include "tempo.gateway.selector" . | nindent 6 }}
*/ -}}
{{- define "tempo.gateway.selector" -}}
{{- include "tempo.labels.componentSelector" (dict "root" . "component" "gateway") -}}
{{- end -}}

{{- /*
tempo.gateway.labels: the labels of a gateway resource (pod true: of its pods), as YAML.
Usage: {{ include "tempo.gateway.labels" (dict "root" . "pod" false) | nindent 4 }}
*/ -}}
{{- define "tempo.gateway.labels" -}}
{{- include "tempo.labels.component" (dict "root" .root "component" "gateway" "version" .root.Values.gateway.image.tag "pod" .pod) -}}
{{- end -}}


{{- /*
tempo.gateway.htpasswdLine: one user's htpasswd line, "<username>:{SSHA}<base64 of SHA-1(password +
salt) followed by the salt>", the salted SHA-1 scheme nginx reads itself. Helm's htpasswd (bcrypt)
draws a new salt on every render, so GitOps tools would never settle; here the salt is 16 characters
of a SHA-256 over the release, the user and the password: the line changes only when one of them does.
Templates cannot turn a hex digest into bytes, so the base64 is written from the hex directly, three
hex digits (12 bits) into two base64 characters: 20 digest bytes and 16 salt bytes are 72 digits, 48
characters, with no padding. The password itself is in Helm's release record in any case; for bcrypt,
users bring their own file (gateway.basicAuth.existingSecret).
Usage: {{ include "tempo.gateway.htpasswdLine" (dict "root" $ "user" (dict "username" "u" "password" "p")) }}
*/ -}}
{{- define "tempo.gateway.htpasswdLine" -}}
{{- $user := .user -}}
{{- $salt := printf "%s\n%s\n%s\n%s" (include "tempo.names.namespace" .root) (include "tempo.names.fullname" .root) $user.username $user.password | sha256sum | trunc 16 -}}
{{- $hex := printf "%s%x" (printf "%s%s" $user.password $salt | sha1sum) $salt -}}
{{- $digits := dict "0" 0 "1" 1 "2" 2 "3" 3 "4" 4 "5" 5 "6" 6 "7" 7 "8" 8 "9" 9 "a" 10 "b" 11 "c" 12 "d" 13 "e" 14 "f" 15 -}}
{{- $alphabet := "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/" -}}
{{- $base64 := "" -}}
{{- range $group := until (div (len $hex) 3 | int) -}}
{{- $at := mul $group 3 | int -}}
{{- $bits := add (mul (get $digits (substr $at (add $at 1 | int) $hex)) 256) (mul (get $digits (substr (add $at 1 | int) (add $at 2 | int) $hex)) 16) (get $digits (substr (add $at 2 | int) (add $at 3 | int) $hex)) -}}
{{- $high := div $bits 64 | int -}}
{{- $low := mod $bits 64 | int -}}
{{- $base64 = printf "%s%s%s" $base64 (substr $high (add $high 1 | int) $alphabet) (substr $low (add $low 1 | int) $alphabet) -}}
{{- end -}}
{{- printf "%s:{SSHA}%s" $user.username $base64 -}}
{{- end -}}

{{- /*
tempo.component.gateway: the gateway's row of the components table (see tempo.components.table) when
gateway.enabled: a Deployment (stateless; nginx reads its files from a ConfigMap and a Secret), its
Service, a disruption budget from two replicas on, and with gateway.autoscaling a
HorizontalPodAutoscaler.
Usage: {{ include "tempo.component.gateway" . | fromJson }}
*/ -}}
{{- define "tempo.component.gateway" -}}
{{- $gateway := .Values.gateway -}}
{{- if $gateway.enabled -}}
{{- $name := include "tempo.gateway.name" . -}}
{{- $labels := include "tempo.gateway.labels" (dict "root" . "pod" false) -}}
{{- $selector := include "tempo.gateway.selector" . -}}
{{- $row := dict "name" "gateway" "kind" "Deployment" "why" "stateless: nginx reads its configuration and users from a ConfigMap and a Secret" "resourceName" $name "labels" $labels "selector" $selector "replicas" (int $gateway.replicas) "podTemplate" "tempo.gateway.podTemplate" "deployment" (dict "revisionHistoryLimit" .Values.revisionHistoryLimit) -}}
{{- $fewest := int $gateway.replicas -}}
{{- if $gateway.autoscaling.enabled -}}
{{- $_ := set $row "autoscaling" (pick $gateway.autoscaling "minReplicas" "maxReplicas" "targetCPUUtilizationPercentage") -}}
{{- $fewest = int $gateway.autoscaling.minReplicas -}}
{{- end -}}
{{- if and $gateway.podDisruptionBudget.enabled (gt $fewest 1) -}}
{{- $_ := set $row "disruption" (dict "maxUnavailable" $gateway.podDisruptionBudget.maxUnavailable) -}}
{{- end -}}
{{- $ports := list -}}
{{- range include "tempo.gateway.ports" . | fromJsonArray -}}
{{- $ports = append $ports (dict "name" .name "port" (int .port) "targetPort" .name "protocol" "TCP" "appProtocol" .appProtocol) -}}
{{- end -}}
{{- $spec := dict "type" $gateway.service.type "selector" ($selector | fromYaml) "ports" $ports -}}
{{- with .Values.service.ipFamilyPolicy -}}
{{- $_ := set $spec "ipFamilyPolicy" . -}}
{{- end -}}
{{- $_ := set $row "services" (list (dict "name" $name "labels" $labels "annotations" $gateway.service.annotations "spec" $spec)) -}}
{{- toJson $row -}}
{{- end -}}
{{- end -}}

{{- /*
tempo.gateway.podTemplate: the gateway's pod template (metadata and spec), as YAML.
Usage: {{ include "tempo.gateway.podTemplate" (dict "root" . "row" $row) | fromYaml }} (the kit, tempo.kit.workload)
*/ -}}
{{- define "tempo.gateway.podTemplate" -}}
{{- with .root -}}
{{- $gateway := .Values.gateway -}}
{{- $files := include "tempo.gateway.files" . | fromJson -}}
metadata:
  labels:
    {{- include "tempo.gateway.labels" (dict "root" . "pod" true) | nindent 4 }}
  annotations:
    {{- /* nginx reads its configuration only at start-up; the htpasswd file it reads on each request. */}}
    checksum/config: {{ include "tempo.gateway.nginxConfig" . | sha256sum }}
    {{- with $gateway.podAnnotations }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  {{- include "tempo.pod.commonSpec" (dict "root" . "securityContext" $gateway.podSecurityContext "priorityClassName" .Values.priorityClassName) | nindent 2 }}
  containers:
    - name: nginx
      image: {{ include "tempo.image.of" (dict "root" . "image" $gateway.image "tag" $gateway.image.tag) }}
      imagePullPolicy: {{ $gateway.image.pullPolicy }}
      {{- /* nginx itself, not the image's entrypoint scripts, which would try to edit the read-only /etc/nginx. */}}
      command: [nginx]
      args: [-c, {{ $files.config | quote }}]
      ports:
        {{- range include "tempo.gateway.ports" . | fromJsonArray }}
        - name: {{ .name }}
          containerPort: {{ int .port }}
          protocol: TCP
        {{- end }}
      {{- range $probe := list "readinessProbe" "livenessProbe" }}
      {{- with get $gateway $probe }}
      {{ $probe }}:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- end }}
      resources:
        {{- toYaml $gateway.resources | nindent 8 }}
      {{- with $gateway.securityContext }}
      securityContext:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      volumeMounts:
        - name: config
          mountPath: {{ $files.configDir }}
          readOnly: true
        - name: htpasswd
          mountPath: {{ $files.htpasswdDir }}
          readOnly: true
        - name: tmp
          mountPath: {{ $files.temp }}
  {{- with include "tempo.kit.placement" $gateway }}
  {{- . | nindent 2 }}
  {{- end }}
  volumes:
    - name: config
      configMap:
        name: {{ include "tempo.gateway.name" . }}
    - name: htpasswd
      secret:
        secretName: {{ $files.secretName }}
    - name: tmp
      emptyDir: {}
{{- end }}
{{- end -}}

{{- /*
tempo.gateway.files: where the gateway's files are, as JSON: {config (nginx.conf, from the ConfigMap),
htpasswd (from the Secret), secretName, temp (the emptyDir for nginx's pid and buffers)}.
Usage: {{ (include "tempo.gateway.files" . | fromJson).config }}
*/ -}}
{{- define "tempo.gateway.files" -}}
{{- $auth := .Values.gateway.basicAuth -}}
{{- toJson (dict "configDir" "/etc/nginx/tempo" "config" "/etc/nginx/tempo/nginx.conf" "htpasswdDir" "/etc/nginx/secrets" "htpasswd" "/etc/nginx/secrets/.htpasswd" "secretName" ($auth.existingSecret | default (include "tempo.gateway.name" .)) "temp" "/tmp") -}}
{{- end -}}

{{- /*
tempo.gateway.nginxConfig: the gateway's nginx.conf. Every request needs basic auth but /healthz; the
query API paths go to Tempo's HTTP API, /v1/traces to its OTLP/HTTP receiver, gRPC to its OTLP/gRPC
receiver; any other path is 404, so Tempo's admin endpoints (/flush, /shutdown, /metrics, /status)
stay unreachable. X-Scope-OrgID is always set by the gateway: the user's tenant with multitenancy,
removed without.
Usage: {{ include "tempo.gateway.nginxConfig" . }}
*/ -}}
{{- define "tempo.gateway.nginxConfig" -}}
{{- $gateway := .Values.gateway -}}
{{- $tempo := .Values.tempo -}}
{{- $files := include "tempo.gateway.files" . | fromJson -}}
{{- $direct := (include "tempo.names.endpoints" . | fromJson).direct -}}
worker_processes 1;
pid {{ $files.temp }}/nginx.pid;
error_log stderr warn;
daemon off;

events {
  worker_connections 1024;
}

http {
  # The root filesystem is read-only: every file nginx writes goes to the emptyDir at {{ $files.temp }}.
  client_body_temp_path {{ $files.temp }}/client_body;
  proxy_temp_path {{ $files.temp }}/proxy;
  fastcgi_temp_path {{ $files.temp }}/fastcgi;
  uwsgi_temp_path {{ $files.temp }}/uwsgi;
  scgi_temp_path {{ $files.temp }}/scgi;
  access_log /dev/stdout;
  server_tokens off;
  # OTLP batches; Tempo's own receivers refuse what is larger.
  client_max_body_size 20m;
  # Searches over long time ranges take time.
  proxy_read_timeout 300s;
  grpc_read_timeout 300s;

  {{- if $tempo.multitenancyEnabled }}

  # Each user's tenant: its own name unless gateway.basicAuth.users gives another.
  map $remote_user $tempo_tenant {
    default $remote_user;
    {{- range $gateway.basicAuth.users }}
    {{- if .tenant }}
    "{{ .username }}" "{{ .tenant }}";
    {{- end }}
    {{- end }}
  }
  {{- end }}

  server {
    listen {{ int $gateway.httpPort }};
    auth_basic "Tempo";
    auth_basic_user_file {{ $files.htpasswd }};
    proxy_http_version 1.1;
    proxy_set_header Host $host;
    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    proxy_set_header X-Scope-OrgID {{ ternary "$tempo_tenant" "\"\"" $tempo.multitenancyEnabled }};

    location = /healthz {
      auth_basic off;
      access_log off;
      return 200 "ok\n";
    }

    # Tempo's query API, as Grafana uses it.
    location ~ ^/api/(traces|v2/traces|search|v2/search|metrics|echo|status/buildinfo)(/|$) {
      proxy_pass {{ $direct.query.url }};
    }
    {{- if $tempo.receivers.otlp.http.enabled }}

    # OTLP over HTTP.
    location = /v1/traces {
      proxy_pass {{ $direct.otlpHttp.url }};
    }
    {{- end }}

    location / {
      return 404;
    }
  }
  {{- if $tempo.receivers.otlp.grpc.enabled }}

  # OTLP over gRPC (HTTP/2 without TLS; terminate TLS in front of the gateway).
  server {
    listen {{ int $gateway.grpcPort }} http2;
    auth_basic "Tempo";
    auth_basic_user_file {{ $files.htpasswd }};
    grpc_set_header X-Scope-OrgID {{ ternary "$tempo_tenant" "\"\"" $tempo.multitenancyEnabled }};

    location /opentelemetry.proto.collector.trace.v1.TraceService/ {
      grpc_pass grpc://{{ printf "%s:%d" $direct.otlpGrpc.host (int $direct.otlpGrpc.port) }};
    }

    location / {
      return 404;
    }
  }
  {{- end }}
}
{{- end -}}

{{- /*
tempo.gateway.ports: the gateway's ports, as a JSON list of {name, port, appProtocol}: http always,
otlp-grpc while Tempo's OTLP/gRPC receiver is on.
Usage: {{ include "tempo.gateway.ports" . | fromJsonArray }}
*/ -}}
{{- define "tempo.gateway.ports" -}}
{{- $ports := list (dict "name" "http" "port" (int .Values.gateway.httpPort) "appProtocol" "http") -}}
{{- if .Values.tempo.receivers.otlp.grpc.enabled -}}
{{- $ports = append $ports (dict "name" "otlp-grpc" "port" (int .Values.gateway.grpcPort) "appProtocol" "grpc") -}}
{{- end -}}
{{- toJson $ports -}}
{{- end -}}

{{- /*
tempo.validate.gateway: a gateway that can let someone in, users named once, and a path to Tempo it
can speak.
Usage: {{ include "tempo.validate.gateway" . | fromJsonArray }}
*/ -}}
{{- define "tempo.validate.gateway" -}}
{{- $messages := list -}}
{{- $gateway := .Values.gateway -}}
{{- $auth := $gateway.basicAuth -}}
{{- if $gateway.enabled -}}
{{- if and (not $auth.users) (not $auth.existingSecret) -}}
{{- $messages = append $messages "ERROR: gateway.enabled is true, but neither gateway.basicAuth.users nor gateway.basicAuth.existingSecret gives it a user, so it would refuse every request. Add users, or name a Secret holding an htpasswd file as .htpasswd." -}}
{{- end -}}
{{- /* Isolation asked for and not given: without multitenancy Tempo puts every span in one tenant, whatever the header says. */ -}}
{{- if not .Values.tempo.multitenancyEnabled -}}
{{- range $auth.users -}}
{{- if .tenant -}}
{{- $messages = append $messages (printf "ERROR: gateway.basicAuth.users gives %s the tenant %s, but tempo.multitenancyEnabled is false, so Tempo keeps every user's traces in one tenant and anyone may read them. Set tempo.multitenancyEnabled to true, or remove the tenants." .username .tenant) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- if and $auth.users $auth.existingSecret -}}
{{- $messages = append $messages (printf "ERROR: gateway.basicAuth.users and gateway.basicAuth.existingSecret (%s) both list users. Keep one." $auth.existingSecret) -}}
{{- end -}}
{{- $seen := list -}}
{{- range $auth.users -}}
{{- if has .username $seen -}}
{{- $messages = append $messages (printf "ERROR: gateway.basicAuth.users lists %s twice. Give each user one entry." .username) -}}
{{- end -}}
{{- $seen = append $seen .username -}}
{{- end -}}
{{- if .Values.tempo.receivers.tls.enabled -}}
{{- $messages = append $messages "ERROR: gateway.enabled and tempo.receivers.tls.enabled are both true, but the gateway speaks plain HTTP to Tempo inside the cluster. Terminate TLS in front of the gateway (its Ingress or Gateway API route) and turn tempo.receivers.tls off, or turn the gateway off." -}}
{{- end -}}
{{- if .Values.networkPolicy.queryFrom -}}
{{- $messages = append $messages "ERROR: networkPolicy.queryFrom lists sources, but with gateway.enabled only the gateway may reach Tempo's query API. Remove networkPolicy.queryFrom, and let those clients go through the gateway (networkPolicy.gatewayFrom)." -}}
{{- end -}}
{{- with $gateway.autoscaling -}}
{{- if .enabled -}}
{{- if lt (int .maxReplicas) (int .minReplicas) -}}
{{- $messages = append $messages (printf "ERROR: gateway.autoscaling.maxReplicas (%d) is below gateway.autoscaling.minReplicas (%d). Raise maxReplicas, or lower minReplicas." (int .maxReplicas) (int .minReplicas)) -}}
{{- end -}}
{{- if not (dig "requests" "cpu" "" $gateway.resources) -}}
{{- $messages = append $messages "ERROR: gateway.autoscaling.enabled scales on CPU use against the pods' CPU request, but gateway.resources.requests.cpu is not set, so the autoscaler could never compute it. Set gateway.resources.requests.cpu." -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- if eq (int $gateway.httpPort) (int $gateway.grpcPort) -}}
{{- $messages = append $messages (printf "ERROR: gateway.httpPort and gateway.grpcPort are both %d. Give them different ports." (int $gateway.httpPort)) -}}
{{- end -}}
{{- end -}}
{{- toJson $messages -}}
{{- end -}}
