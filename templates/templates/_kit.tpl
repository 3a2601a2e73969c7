{{- /*
tempo.kit.workload: one component's workload, from its row of tempo.components.table: a Deployment,
a StatefulSet or a bare Pod (the helm test's), with the row's name, labels, selector and replicas, its
kind's own settings (row.deployment, row.statefulSet, row.pod) and the pod template its row names
(row.podTemplate, a helper of the component's folder that renders metadata and spec from
(dict "root" $ "row" $row)).
Usage: {{ include "tempo.kit.workload" (dict "root" $ "row" $row) }}
*/ -}}
{{- define "tempo.kit.workload" -}}
{{- $row := .row -}}
{{- if eq $row.kind "Pod" -}}
{{- $template := include $row.podTemplate (dict "root" .root "row" $row) | fromYaml -}}
apiVersion: v1
kind: Pod
metadata:
  {{- include "tempo.metadata" (dict "root" .root "name" $row.resourceName "labels" $row.labels "annotations" $row.pod.annotations) | nindent 2 }}
spec:
  {{- toYaml $template.spec | nindent 2 }}
{{- else -}}
apiVersion: apps/v1
kind: {{ $row.kind }}
metadata:
  {{- include "tempo.metadata" (dict "root" .root "name" $row.resourceName "labels" $row.labels) | nindent 2 }}
spec:
  {{- /* With an autoscaler the replica count is its to set: a fixed one would undo it at every upgrade. */}}
  {{- if not $row.autoscaling }}
  replicas: {{ int $row.replicas }}
  {{- end }}
  {{- with $row.statefulSet }}
  {{- /* Immutable after install: the governing Service's name never changes with the values. */}}
  serviceName: {{ .serviceName }}
  podManagementPolicy: {{ .podManagementPolicy }}
  updateStrategy:
    type: RollingUpdate
  {{- end }}
  {{- with $row.deployment }}
  revisionHistoryLimit: {{ int .revisionHistoryLimit }}
  {{- with .strategy }}
  strategy:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- end }}
  selector:
    matchLabels:
      {{- $row.selector | nindent 6 }}
  template:
    {{- /* As its helper writes it: parsing it only to write it again would double the render's cost of each workload. */}}
    {{- include $row.podTemplate (dict "root" .root "row" $row) | nindent 4 }}
  {{- with $row.statefulSet }}
  {{- with .claimTemplates }}
  persistentVolumeClaimRetentionPolicy:
    {{- toYaml $row.statefulSet.claimRetention | nindent 4 }}
  volumeClaimTemplates:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- end }}
{{- end }}
{{- end -}}

{{- /*
tempo.kit.services: one component's Services, from its row: each of row.services as {name, labels
(YAML), annotations, spec}, separated as YAML documents.
Usage: {{ include "tempo.kit.services" (dict "root" $ "row" $row) }}
*/ -}}
{{- define "tempo.kit.services" -}}
{{- range $index, $service := .row.services }}
{{- if $index }}
---
{{- end }}
apiVersion: v1
kind: Service
metadata:
  {{- include "tempo.metadata" (dict "root" $.root "name" $service.name "labels" $service.labels "annotations" $service.annotations) | nindent 2 }}
spec:
  {{- toYaml $service.spec | nindent 2 }}
{{- end }}
{{- end -}}

{{- /*
tempo.kit.disruptionBudget: one component's PodDisruptionBudget, from row.disruption ({maxUnavailable}),
selecting the row's pods.
Usage: {{ include "tempo.kit.disruptionBudget" (dict "root" $ "row" $row) }}
*/ -}}
{{- define "tempo.kit.disruptionBudget" -}}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  {{- include "tempo.metadata" (dict "root" .root "name" .row.resourceName "labels" .row.labels) | nindent 2 }}
spec:
  maxUnavailable: {{ toJson .row.disruption.maxUnavailable }}
  selector:
    matchLabels:
      {{- .row.selector | nindent 6 }}
{{- end -}}

{{- /*
tempo.kit.placement: where a component's pods run, as pod-spec YAML: nodeSelector, affinity,
tolerations and topologySpreadConstraints from its settings (the top-level values for Tempo's pod,
gateway.* for the gateway: the properties of #/definitions/componentPod), each left out when empty; "" when all are.
Usage: {{- with include "tempo.kit.placement" (dict "nodeSelector" $s.nodeSelector "affinity" $s.affinity "tolerations" $s.tolerations "topologySpreadConstraints" $spread) }}{{ . | nindent 2 }}{{ end }}
*/ -}}
{{- define "tempo.kit.placement" -}}
{{- $placement := dict -}}
{{- range $field := list "nodeSelector" "affinity" "tolerations" "topologySpreadConstraints" -}}
{{- with get $ $field -}}
{{- $_ := set $placement $field . -}}
{{- end -}}
{{- end -}}
{{- with $placement -}}
{{- toYaml . -}}
{{- end -}}
{{- end -}}

{{- /*
tempo.kit.autoscaler: one component's HorizontalPodAutoscaler (autoscaling/v2), from row.autoscaling
({minReplicas, maxReplicas, targetCPUUtilizationPercentage}), scaling the row's workload on its pods'
average CPU use against their requests.
Usage: {{ include "tempo.kit.autoscaler" (dict "root" $ "row" $row) }}
*/ -}}
{{- define "tempo.kit.autoscaler" -}}
{{- $scaling := .row.autoscaling -}}
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  {{- include "tempo.metadata" (dict "root" .root "name" .row.resourceName "labels" .row.labels) | nindent 2 }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: {{ .row.kind }}
    name: {{ .row.resourceName }}
  minReplicas: {{ int $scaling.minReplicas }}
  maxReplicas: {{ int $scaling.maxReplicas }}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {{ int $scaling.targetCPUUtilizationPercentage }}
{{- end -}}
