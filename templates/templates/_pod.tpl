{{- /*
tempo.pod.commonSpec: the part of a pod spec every pod of the chart shares, Tempo's, the gateway's and
the helm test's: no service-discovery variables (Tempo, nginx and curl need none; thousands of them
slow start-up in busy namespaces), the image pull secrets, the pod's security context from its values
and, for the long-running pods, priorityClassName. A pod without serviceAccount runs without a token.
Usage: {{- include "tempo.pod.commonSpec" (dict "root" . "securityContext" .Values.gateway.podSecurityContext "priorityClassName" .Values.priorityClassName "serviceAccount" (dict "name" "tempo" "automountToken" false)) | nindent 2 }}
*/ -}}
{{- define "tempo.pod.commonSpec" -}}
{{- with .serviceAccount -}}
serviceAccountName: {{ .name }}
automountServiceAccountToken: {{ .automountToken }}
{{- else -}}
automountServiceAccountToken: false
{{- end }}
enableServiceLinks: false
{{- with .priorityClassName }}
priorityClassName: {{ . }}
{{- end }}
{{- with include "tempo.image.pullSecrets" .root | fromJsonArray }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .securityContext }}
securityContext:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}
