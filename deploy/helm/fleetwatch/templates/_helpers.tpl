{{- define "fleetwatch.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "fleetwatch.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "fleetwatch.selectorLabels" -}}
app.kubernetes.io/name: {{ include "fleetwatch.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "fleetwatch.labels" -}}
{{ include "fleetwatch.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{- define "fleetwatch.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}

{{/* SQLite on a volume when no database URL is given anywhere. */}}
{{- define "fleetwatch.sqlite" -}}
{{- if and (not .Values.existingSecret) (not .Values.database.url) -}}true{{- end -}}
{{- end -}}

{{- define "fleetwatch.secretName" -}}
{{- .Values.existingSecret | default (include "fleetwatch.fullname" .) -}}
{{- end -}}

{{/* The container's environment, shared by the Deployment and the migration Job. */}}
{{- define "fleetwatch.env" -}}
- name: FLEETWATCH_ADDR
  value: "0.0.0.0:8080"
- name: FLEETWATCH_SECRET_KEY
  valueFrom:
    secretKeyRef:
      name: {{ include "fleetwatch.secretName" . }}
      key: secret-key
{{- if include "fleetwatch.sqlite" . }}
- name: FLEETWATCH_DATABASE_URL
  value: sqlite:///data/fleetwatch.db
{{- else }}
- name: FLEETWATCH_DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "fleetwatch.secretName" . }}
      key: database-url
- name: FLEETWATCH_REDIS_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "fleetwatch.secretName" . }}
      key: redis-url
      optional: true
{{- end }}
- name: FLEETWATCH_PUBLIC_URL
  value: {{ .Values.config.publicURL | quote }}
- name: FLEETWATCH_LOG_LEVEL
  value: {{ .Values.config.logLevel | quote }}
- name: FLEETWATCH_TRUSTED_PROXIES
  value: {{ .Values.config.trustedProxies | quote }}
- name: FLEETWATCH_INGEST_WORKERS
  value: {{ .Values.config.ingestWorkers | quote }}
{{- with .Values.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end -}}
