{{/*
Expand the name of the chart.
*/}}
{{- define "adobe-status-exporter.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Create a default fully qualified app name.
Truncated at 63 characters because some Kubernetes name fields are limited to this (DNS naming spec).
If the release name contains the chart name it is used as the full name.
*/}}
{{- define "adobe-status-exporter.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/*
Chart name and version, as used by the helm.sh/chart label.
*/}}
{{- define "adobe-status-exporter.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Common labels.
*/}}
{{- define "adobe-status-exporter.labels" -}}
helm.sh/chart: {{ include "adobe-status-exporter.chart" . }}
{{ include "adobe-status-exporter.selectorLabels" . }}
{{- if .Chart.AppVersion }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: {{ include "adobe-status-exporter.name" . }}
{{- end }}

{{/*
Selector labels.
*/}}
{{- define "adobe-status-exporter.selectorLabels" -}}
app.kubernetes.io/name: {{ include "adobe-status-exporter.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
Name of the ServiceAccount to use.
*/}}
{{- define "adobe-status-exporter.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "adobe-status-exporter.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
Container image reference: repository@digest when a digest is set, else repository:tag
(the tag defaults to the chart's appVersion).
*/}}
{{- define "adobe-status-exporter.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) }}
{{- end }}
{{- end }}

{{/*
True ("true") when the exporter needs Adobe credentials: the Status API as its source, and
not the demo's simulator. The public feed needs none.
*/}}
{{- define "adobe-status-exporter.useCredentials" -}}
{{- if and (eq .Values.source "api") (not .Values.demo.enabled) -}}
true
{{- end }}
{{- end }}

{{/*
True ("true") when the chart renders its own credentials Secret: credentials are needed and
no existingSecret is named.
*/}}
{{- define "adobe-status-exporter.createSecret" -}}
{{- if and (include "adobe-status-exporter.useCredentials" .) (not .Values.adobe.existingSecret) -}}
true
{{- end }}
{{- end }}

{{/*
Name of the Secret holding the Adobe credentials.
*/}}
{{- define "adobe-status-exporter.secretName" -}}
{{- .Values.adobe.existingSecret | default (include "adobe-status-exporter.fullname" .) }}
{{- end }}

{{/*
Keys of the client id and client secret in that Secret. The chart's own Secret uses fixed
keys; an existing Secret uses adobe.existingSecretKeys.
*/}}
{{- define "adobe-status-exporter.secretClientIdKey" -}}
{{- if .Values.adobe.existingSecret }}
{{- .Values.adobe.existingSecretKeys.clientId }}
{{- else -}}
client-id
{{- end }}
{{- end }}

{{- define "adobe-status-exporter.secretClientSecretKey" -}}
{{- if .Values.adobe.existingSecret }}
{{- .Values.adobe.existingSecretKeys.clientSecret }}
{{- else -}}
client-secret
{{- end }}
{{- end }}

{{/*
The data of the chart's own Secret. Shared by secret.yaml and the checksum/secret pod
annotation, so the pods roll when (and only when) the credentials change.
*/}}
{{- define "adobe-status-exporter.secretData" -}}
client-id: {{ .Values.adobe.clientId | b64enc | quote }}
client-secret: {{ .Values.adobe.clientSecret | b64enc | quote }}
{{- end }}

{{/*
Where the client secret file is mounted.
*/}}
{{- define "adobe-status-exporter.secretMountPath" -}}
/etc/adobe-status-exporter/secrets
{{- end }}

{{/*
Namespace of a monitoring object: its own namespace value, else the release namespace.
Call with (dict "namespace" .Values.serviceMonitor.namespace "context" $).
*/}}
{{- define "adobe-status-exporter.objectNamespace" -}}
{{- .namespace | default .context.Release.Namespace }}
{{- end }}

{{/*
A number as plain decimal text: whole numbers without exponent or fraction (1000000, not
1e+06), others as they are (2.5).
*/}}
{{- define "adobe-status-exporter.number" -}}
{{- if eq (float64 .) (floor .) }}
{{- int64 . }}
{{- else }}
{{- toString . }}
{{- end }}
{{- end }}

{{/*
The defaults written into files/alerts.yml (and the dashboard's runbook link), which the
chart replaces with prometheusRule.job and runbookBaseUrl.
*/}}
{{- define "adobe-status-exporter.rulesDefaultJob" -}}
adobe-status
{{- end }}

{{- define "adobe-status-exporter.defaultRunbookBaseUrl" -}}
https://github.com/adobe-status-exporter/adobe-status-exporter/blob/main/docs/runbook.md
{{- end }}

{{/*
The scrape job the alerting rules watch: prometheusRule.job, else the job
prometheus-operator gives the targets of the chart's ServiceMonitor, the Service's name.
*/}}
{{- define "adobe-status-exporter.ruleJob" -}}
{{- .Values.prometheusRule.job | default (include "adobe-status-exporter.fullname" .) }}
{{- end }}

{{/*
The TCP port of a URL: the one it names, else 80 for http and 443 for https.
*/}}
{{- define "adobe-status-exporter.urlPort" -}}
{{- $url := urlParse . }}
{{- $port := regexFind ":[0-9]+$" $url.host | trimPrefix ":" }}
{{- if $port }}
{{- $port }}
{{- else if eq $url.scheme "http" -}}
80
{{- else -}}
443
{{- end }}
{{- end }}

{{/*
The ports the exporter reaches Adobe on, comma separated and sorted: the feed's with
source feed, else the Status API's and the IMS's.
*/}}
{{- define "adobe-status-exporter.upstreamPorts" -}}
{{- $ports := dict }}
{{- if eq .Values.source "feed" }}
{{- $_ := set $ports (include "adobe-status-exporter.urlPort" .Values.feedUrl) true }}
{{- else }}
{{- $_ := set $ports (include "adobe-status-exporter.urlPort" (.Values.adobe.apiUrl | default "https://status.adobe.io")) true }}
{{- $_ := set $ports (include "adobe-status-exporter.urlPort" (.Values.adobe.imsTokenUrl | default "https://ims-na1.adobelogin.com/ims/token/v3")) true }}
{{- end }}
{{- keys $ports | sortAlpha | join "," }}
{{- end }}
