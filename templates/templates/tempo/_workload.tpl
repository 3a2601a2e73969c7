{{- /*
tempo.workload.clustered: "true" when Tempo runs as a StatefulSet of scalable single binaries sharing
an object store (tempo.storage.onObjectStore), "" when it runs as the design's Deployment.
Usage: {{ if include "tempo.workload.clustered" . }}
*/ -}}
{{- define "tempo.workload.clustered" -}}
{{- include "tempo.storage.onObjectStore" . -}}
{{- end -}}

{{- /*
tempo.workload.manyPods: "true" when more than one Tempo pod runs (replicas above 1): the one place
that decides it, for the rings, the disruption budget, the default spread and what NOTES say.
Usage: {{ if include "tempo.workload.manyPods" . }}
*/ -}}
{{- define "tempo.workload.manyPods" -}}
{{- if gt (int .Values.replicas) 1 }}true{{ end -}}
{{- end -}}

{{- /*
tempo.workload.sharesRings: "true" when Tempo's pods share their rings over memberlist: a StatefulSet
(tempo.workload.clustered) of more than one pod. A single pod keeps its rings in memory, as the design's
does: on memberlist it would wait a minute at every start for its compactor ring to settle, with no
one else in it. The StatefulSet stays a StatefulSet at one replica, so scaling out changes no kind.
Usage: {{ if include "tempo.workload.sharesRings" . }}
*/ -}}
{{- define "tempo.workload.sharesRings" -}}
{{- if and (include "tempo.workload.clustered" .) (include "tempo.workload.manyPods" .) }}true{{ end -}}
{{- end -}}

{{- /*
tempo.workload.replicationFactor: how many pods keep a copy of each trace: 3 from three pods on, so a
pod can restart without losing what it had not flushed; 1 below that, where a write quorum of two out
of two would refuse writes during every rollout. A write needs a majority of the copies.
Usage: {{ include "tempo.workload.replicationFactor" . | int }}
*/ -}}
{{- define "tempo.workload.replicationFactor" -}}
{{- ternary 3 1 (ge (int .Values.replicas) 3) -}}
{{- end -}}

{{- /*
tempo.component.tempo: Tempo's row of the components table (see tempo.components.table), with what it
is to Tempo (row.tempo: {target, listeners, rings, writes}): the design's Deployment, or with an object store a StatefulSet (tempo.workload.clustered) whose pods keep their
identity and, with persistence, their own claims; its Services (the main one, the ingest one when
service.ingest.enabled, the headless one that governs the StatefulSet); a disruption budget once
pods share their rings.
Usage: {{ include "tempo.component.tempo" . | fromJson }}
*/ -}}
{{- define "tempo.component.tempo" -}}
{{- if not (include "tempo.distributed.on" .) -}}
{{- $clustered := include "tempo.workload.clustered" . -}}
{{- $labels := include "tempo.labels.standard" . -}}
{{- $selector := include "tempo.labels.selector" . -}}
{{- $row := dict "name" "tempo" "resourceName" (include "tempo.names.fullname" .) "labels" $labels "selector" $selector "replicas" (int .Values.replicas) "podTemplate" "tempo.pod.template" -}}
{{- /* What it is to Tempo: every module of the single binary (Tempo's default target), the ports it binds, how it keeps its rings, the paths it writes. */ -}}
{{- $listeners := list -}}
{{- $ports := list -}}
{{- $allListeners := dict -}}
{{- include "tempo.util.parsed" (dict "root" . "name" "tempo.config.listeners" "into" $allListeners) -}}
{{- range $allListeners.value -}}
{{- $listeners = append $listeners .name -}}
{{- if .exposed -}}
{{- $ports = append $ports .name -}}
{{- end -}}
{{- end -}}
{{- $writes := list -}}
{{- range include "tempo.pod.writes" . | fromJsonArray -}}
{{- $writes = append $writes .path -}}
{{- end -}}
{{- $resources := include "tempo.sizing.resources" . | fromJson -}}
{{- with .Values.persistence.emptyDirSizeLimit -}}
{{- /* Requested too, so the scheduler places the pod where the space is and pressure is visible. */ -}}
{{- if and (not $.Values.persistence.enabled) (not (hasKey ($resources.requests | default dict) "ephemeral-storage")) -}}
{{- $_ := set $resources "requests" (merge ($resources.requests | default dict) (dict "ephemeral-storage" .)) -}}
{{- end -}}
{{- end -}}
{{- $placement := dict "nodeSelector" .Values.nodeSelector "affinity" .Values.affinity "tolerations" .Values.tolerations "topologySpreadConstraints" (include "tempo.pod.topologySpread" (dict "constraints" .Values.topologySpreadConstraints "manyPods" (eq (include "tempo.workload.manyPods" .) "true") "selector" $selector) | fromJsonArray) -}}
{{- $_ := set $row "tempo" (dict "target" "all" "listeners" $listeners "rings" (ternary "memberlist, shared by its pods" "in memory" (eq (include "tempo.workload.sharesRings" .) "true")) "writes" $writes "ports" $ports "args" list "resources" $resources "goMemLimit" ((include "tempo.sizing.protection" . | fromJson).goMemLimit | default "") "placement" $placement "podLabels" .Values.podLabels "podAnnotations" .Values.podAnnotations "dataVolume" (include "tempo.pod.dataVolume" . | fromJson).volume "gossip" (eq (include "tempo.workload.sharesRings" .) "true")) -}}
{{- if $clustered -}}
{{- $_ := set $row "kind" "StatefulSet" -}}
{{- $_ := set $row "why" "pods on an object store keep their identity in the rings and, with persistence, a claim each" -}}
{{- /* The pods form one ring over memberlist; none needs another to be ready first. */ -}}
{{- $statefulSet := dict "serviceName" (include "tempo.names.headless" .) "podManagementPolicy" "Parallel" -}}
{{- with (include "tempo.pod.dataVolume" . | fromJson).claimTemplate -}}
{{- $metadata := dict "name" .metadata.name -}}
{{- with $.Values.persistence.labels -}}
{{- $_ := set $metadata "labels" . -}}
{{- end -}}
{{- with $.Values.persistence.annotations -}}
{{- $_ := set $metadata "annotations" . -}}
{{- end -}}
{{- $_ := set $statefulSet "claimTemplates" (list (dict "metadata" $metadata "spec" .spec)) -}}
{{- $_ := set $statefulSet "claimRetention" (dict "whenDeleted" (ternary "Retain" "Delete" $.Values.persistence.keepOnUninstall) "whenScaled" (ternary "Retain" "Delete" $.Values.persistence.retainWhenScaled)) -}}
{{- end -}}
{{- $_ := set $row "statefulSet" $statefulSet -}}
{{- if and .Values.podDisruptionBudget.enabled (include "tempo.workload.manyPods" .) -}}
{{- $_ := set $row "disruption" (dict "maxUnavailable" .Values.podDisruptionBudget.maxUnavailable) -}}
{{- end -}}
{{- else -}}
{{- $_ := set $row "kind" "Deployment" -}}
{{- $_ := set $row "why" "the design's single pod, with its data in an emptyDir or one claim" -}}
{{- $deployment := dict "revisionHistoryLimit" .Values.revisionHistoryLimit -}}
{{- if .Values.strategy -}}
{{- $_ := set $deployment "strategy" .Values.strategy -}}
{{- else if .Values.persistence.enabled -}}
{{- /* A surge pod could not attach the old pod's ReadWriteOnce volume, and the rollout would hang. */ -}}
{{- $_ := set $deployment "strategy" (dict "type" "Recreate") -}}
{{- end -}}
{{- $_ := set $row "deployment" $deployment -}}
{{- end -}}
{{- $services := list (dict "name" (include "tempo.names.fullname" .) "labels" (include "tempo.labels.with" (dict "root" . "labels" .Values.service.labels)) "annotations" .Values.service.annotations "spec" (include "tempo.service.spec" (dict "root" . "settings" .Values.service "ingest" false) | fromYaml)) -}}
{{- if .Values.service.ingest.enabled -}}
{{- $services = append $services (dict "name" (include "tempo.names.ingest" .) "labels" (include "tempo.labels.with" (dict "root" . "labels" .Values.service.ingest.labels)) "annotations" .Values.service.ingest.annotations "spec" (include "tempo.service.spec" (dict "root" . "settings" .Values.service.ingest "ingest" true) | fromYaml)) -}}
{{- end -}}
{{- if $clustered -}}
{{- /* The StatefulSet's governing Service, and how the pods find each other to gossip; a starting pod must join the ring before it can become ready. */ -}}
{{- $headless := dict "clusterIP" "None" "publishNotReadyAddresses" true "selector" ($selector | fromYaml) -}}
{{- /* A single pod gossips with no one; a headless Service needs no port. */ -}}
{{- if include "tempo.workload.sharesRings" . -}}
{{- $_ := set $headless "ports" (list (dict "name" "gossip" "port" (int .Values.tempo.memberlist.bindPort) "targetPort" "gossip" "protocol" "TCP")) -}}
{{- end -}}
{{- $services = append $services (dict "name" (include "tempo.names.headless" .) "labels" $labels "spec" $headless) -}}
{{- end -}}
{{- $_ := set $row "services" $services -}}
{{- toJson $row -}}
{{- end -}}
{{- end -}}
