{{- /*
tempo.workload.clustered: "true" when Tempo runs as a StatefulSet of scalable single binaries sharing
an object store (storage.backend other than local), "" when it runs as the design's Deployment.
Usage: {{ if include "tempo.workload.clustered" . }}
*/ -}}
{{- define "tempo.workload.clustered" -}}
{{- if ne .Values.storage.backend "local" }}true{{ end -}}
{{- end -}}

{{- /*
tempo.workload.sharesRings: "true" when Tempo's pods share their rings over memberlist: a StatefulSet
(tempo.workload.clustered) of more than one pod. A single pod keeps its rings in memory, as the design's
does: on memberlist it would wait a minute at every start for its compactor ring to settle, with no
one else in it. The StatefulSet stays a StatefulSet at one replica, so scaling out changes no kind.
Usage: {{ if include "tempo.workload.sharesRings" . }}
*/ -}}
{{- define "tempo.workload.sharesRings" -}}
{{- if and (include "tempo.workload.clustered" .) (gt (int .Values.replicas) 1) }}true{{ end -}}
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
