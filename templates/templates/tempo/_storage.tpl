{{- /*
tempo.storage.backend: the object store in use as a descriptor, as JSON: {name, noun (what the store
calls its container: bucket or container), location (the value under storage.<name> naming it),
credentials ([{variable, secretKey, value}]: each credential a value may give, kept in a Secret under
secretKey and passed to Tempo as ${variable}), keyFile ({value, secretKey, dir}: a credential Tempo
reads as a file, named by the variable), identityLabels (what an identity webhook needs on the pod, and which value asks for
it)}. The one place a backend's credentials are named; the configuration, the pod, the chart's Secret
and NOTES read it. {name: local} for the local backend.
Usage: {{ include "tempo.storage.backend" . | fromJson }}
*/ -}}
{{- define "tempo.storage.backend" -}}
{{- $backends := dict
  "local" dict
  "s3" (dict "noun" "bucket" "location" "bucket" "credentials" (list
    (dict "variable" "S3_ACCESS_KEY" "secretKey" "access-key" "value" "accessKey")
    (dict "variable" "S3_SECRET_KEY" "secretKey" "secret-key" "value" "secretKey")))
  "gcs" (dict "noun" "bucket" "location" "bucketName" "credentials" list
    "keyFile" (dict "value" "serviceAccountKey" "secretKey" "key.json" "dir" "/var/secrets/gcs" "variable" "GOOGLE_APPLICATION_CREDENTIALS"))
  "azure" (dict "noun" "container" "location" "containerName" "credentials" (list
    (dict "variable" "AZURE_STORAGE_KEY" "secretKey" "account-key" "value" "storageAccountKey"))
    "identityLabels" (dict "when" "useFederatedToken" "labels" (dict "azure.workload.identity/use" "true")))
-}}
{{- toJson (merge (dict "name" .Values.storage.backend) (get $backends .Values.storage.backend)) -}}
{{- end -}}

{{- /*
tempo.storage.onObjectStore: "true" when Tempo keeps its blocks in an object store (S3, GCS, Azure),
"" when it keeps them on the pod's own volume (storage.backend local). The one place the local
backend is told apart: what runs (tempo.workload.clustered), what may scale out and where the pods
must reach follow from it.
Usage: {{ if include "tempo.storage.onObjectStore" . }}
*/ -}}
{{- define "tempo.storage.onObjectStore" -}}
{{- if ne .Values.storage.backend "local" }}true{{ end -}}
{{- end -}}

{{- /*
tempo.storage.credentials: how the object store's credentials reach Tempo, as JSON: {secretName,
secretData (what the chart's own Secret holds; empty with an existing Secret or workload identity),
env (EnvVars), volumes and mounts (a key file), expandEnv (the configuration holds ${VAR} references),
podLabels (what an identity webhook needs on the pod)}. Credentials never enter the ConfigMap.
Usage: {{ include "tempo.storage.credentials" . | fromJson }}
*/ -}}
{{- define "tempo.storage.credentials" -}}
{{- $backend := include "tempo.storage.backend" . | fromJson -}}
{{- $values := get .Values.storage $backend.name | default dict -}}
{{- $result := dict "secretName" "" "secretData" dict "env" list "volumes" list "mounts" list "expandEnv" false "podLabels" dict -}}
{{- with $backend.identityLabels -}}
{{- if get $values .when -}}
{{- $_ := set $result "podLabels" .labels -}}
{{- end -}}
{{- end -}}
{{- $given := $values.existingSecret -}}
{{- range $backend.credentials -}}
{{- $given = or $given (get $values .value) -}}
{{- end -}}
{{- with $backend.keyFile -}}
{{- $given = or $given (get $values .value) -}}
{{- end -}}
{{- if $given -}}
{{- $_ := set $result "secretName" (default (include "tempo.names.suffixed" (dict "root" . "suffix" "storage")) $values.existingSecret) -}}
{{- range $backend.credentials -}}
{{- if not $values.existingSecret -}}
{{- $_ := set $result.secretData .secretKey (get $values .value) -}}
{{- end -}}
{{- $_ := set $result "env" (append $result.env (dict "name" .variable "valueFrom" (dict "secretKeyRef" (dict "name" $result.secretName "key" .secretKey)))) -}}
{{- $_ := set $result "expandEnv" true -}}
{{- end -}}
{{- with $backend.keyFile -}}
{{- if not $values.existingSecret -}}
{{- $_ := set $result.secretData .secretKey (get $values .value) -}}
{{- end -}}
{{- $_ := set $result "volumes" (list (dict "name" (printf "%s-credentials" $backend.name) "secret" (dict "secretName" $result.secretName "items" (list (dict "key" .secretKey "path" .secretKey))))) -}}
{{- $_ := set $result "mounts" (list (dict "name" (printf "%s-credentials" $backend.name) "mountPath" .dir "readOnly" true)) -}}
{{- $_ := set $result "env" (list (dict "name" .variable "value" (printf "%s/%s" .dir .secretKey))) -}}
{{- end -}}
{{- end -}}
{{- toJson $result -}}
{{- end -}}

{{- /*
tempo.configSection.storage: the trace backend (its local folder on the data volume), and the parquet row group
that fits the memory limit. An object store's settings are the values under storage.<backend> that
the wiring table maps to Tempo keys, each written when set; a credential only as the ${VAR} reference
the pod fills from a Secret (tempo.storage.credentials).
Usage: {{ include "tempo.configSection.storage" (dict "root" . "protection" $protection) | fromJson }}
*/ -}}
{{- define "tempo.configSection.storage" -}}
{{- $root := .root -}}
{{- $dataDir := $root.Values.tempo.dataDir -}}
{{- $backend := include "tempo.storage.backend" $root | fromJson -}}
{{- $trace := dict "backend" $backend.name -}}
{{- if eq $backend.name "local" -}}
{{- $_ := set $trace "local" (dict "path" (printf "%s/traces" $dataDir)) -}}
{{- else -}}
{{- $values := get $root.Values.storage $backend.name -}}
{{- $secretName := (include "tempo.storage.credentials" $root | fromJson).secretName -}}
{{- $variables := dict -}}
{{- range $backend.credentials -}}
{{- $_ := set $variables .value .variable -}}
{{- end -}}
{{- $prefix := printf "storage.%s." $backend.name -}}
{{- $wiring := dict -}}
{{- include "tempo.util.parsed" (dict "root" $root "name" "tempo.wiring.table" "into" $wiring) -}}
{{- range $wiring.value.ownedKeys -}}
{{- if hasPrefix $prefix .value -}}
{{- $name := trimPrefix $prefix .value -}}
{{- $setting := get $values $name -}}
{{- if hasKey $variables $name -}}
{{- $setting = ternary (printf "${%s}" (get $variables $name)) "" (ne $secretName "") -}}
{{- end -}}
{{- if or (and (kindIs "bool" $setting) $setting) (and (kindIs "string" $setting) (ne $setting "")) -}}
{{- include "tempo.util.deepMerge" (dict "dst" $trace "src" (include "tempo.util.nested" (dict "path" (trimPrefix "storage.trace." .key) "value" $setting) | fromJson)) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- with .protection.rowGroupBytes -}}
{{- $_ := set $trace "block" (dict "parquet_row_group_size_bytes" (int64 .)) -}}
{{- end -}}
{{- toJson (dict "storage" (dict "trace" $trace)) -}}
{{- end -}}
