{{/*
Fixed facts about each service: what the code listens on and reads. They live here,
not in values, because changing them would only break the services.
*/}}
{{- define "ratsraum.specs" -}}
identity:
  envPrefix: IDENTITY_
  httpPort: 8081
meeting:
  envPrefix: MEETING_
  httpPort: 8082
  grpcPort: 50052
  oidc: true
voting:
  envPrefix: VOTING_
  httpPort: 8083
  grpcPort: 50051
citizen-portal:
  envPrefix: PORTAL_
  httpPort: 8080
  oidc: true
{{- end }}

{{/* The spec of one service: include "ratsraum.spec" (dict "root" $ "name" "voting") | fromYaml */}}
{{- define "ratsraum.spec" -}}
{{- $specs := include "ratsraum.specs" .root | fromYaml -}}
{{- if not (hasKey $specs .name) -}}
{{- fail (printf "unknown service %q: the chart knows %s" .name (keys $specs | sortAlpha | join ", ")) -}}
{{- end -}}
{{- index $specs .name | toYaml -}}
{{- end }}

{{- define "ratsraum.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end }}

{{/* Release-scoped prefix for every object; the release name alone if it already says "ratsraum". */}}
{{- define "ratsraum.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end }}

{{/* Name of one service's objects (Deployment, Service, ...). Args: root, name. */}}
{{- define "ratsraum.component" -}}
{{- printf "%s-%s" (include "ratsraum.fullname" .root | trunc 47 | trimSuffix "-") .name | trunc 63 | trimSuffix "-" -}}
{{- end }}

{{/* Selector labels: stable for the life of a release, so never add changing values here. */}}
{{- define "ratsraum.selectorLabels" -}}
app.kubernetes.io/name: {{ include "ratsraum.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .name }}
{{- end }}

{{- define "ratsraum.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "ratsraum.selectorLabels" . }}
app.kubernetes.io/part-of: ratsraum
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
{{- end }}

{{/* <registry>/<repository>/<service>:<tag>, each part overridable per service. Args: root, name, svc. */}}
{{- define "ratsraum.image" -}}
{{- $global := .root.Values.image -}}
{{- $own := .svc.image | default dict -}}
{{- $registry := $own.registry | default $global.registry -}}
{{- $repository := $own.repository | default (printf "%s/%s" $global.repository .name) -}}
{{- $tag := $own.tag | default $global.tag | default .root.Chart.AppVersion -}}
{{- if $registry -}}
{{- printf "%s/%s:%s" $registry $repository $tag -}}
{{- else -}}
{{- printf "%s:%s" $repository $tag -}}
{{- end -}}
{{- end }}

{{/* identity's issuer URL, which meeting and portal must trust too. */}}
{{- define "ratsraum.issuer" -}}
{{- $identity := .Values.services.identity -}}
{{- if $identity.issuer -}}
{{- $identity.issuer | trimSuffix "/" -}}
{{- else if and $identity.ingress.enabled $identity.ingress.host -}}
{{- printf "https://%s" $identity.ingress.host -}}
{{- else -}}
{{- printf "http://%s:8081" (include "ratsraum.component" (dict "root" . "name" "identity")) -}}
{{- end -}}
{{- end }}

{{/* meeting's public URL: the web app people sign in to (identity redirects back here). */}}
{{- define "ratsraum.appUrl" -}}
{{- $meeting := .Values.services.meeting -}}
{{- if and $meeting.ingress.enabled $meeting.ingress.host -}}
{{- printf "https://%s" $meeting.ingress.host -}}
{{- else -}}
{{- printf "http://%s:8082" (include "ratsraum.component" (dict "root" . "name" "meeting")) -}}
{{- end -}}
{{- end }}

{{- define "ratsraum.jwksUrl" -}}
{{- if .Values.oidc.jwksUrl -}}
{{- .Values.oidc.jwksUrl -}}
{{- else -}}
{{- printf "http://%s:8081%s" (include "ratsraum.component" (dict "root" . "name" "identity")) .Values.oidc.jwksPath -}}
{{- end -}}
{{- end }}

{{- define "ratsraum.serviceAccountName" -}}
{{- if .root.Values.serviceAccount.create -}}
{{- include "ratsraum.component" . -}}
{{- else -}}
default
{{- end -}}
{{- end }}

{{/*
Container env for one service. Args: root, name, svc, spec.
Secrets (database URL, NATS URL with credentials) only ever arrive via secretKeyRef.
*/}}
{{- define "ratsraum.env" -}}
{{- $root := .root -}}
{{- $p := .spec.envPrefix -}}
- name: {{ $p }}DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ .svc.database.secretName | default (printf "%s-db" (include "ratsraum.component" .)) }}
      key: {{ .svc.database.secretKey }}
{{- if $root.Values.nats.urlSecret.name }}
- name: {{ $p }}NATS_URL
  valueFrom:
    secretKeyRef:
      name: {{ $root.Values.nats.urlSecret.name }}
      key: {{ $root.Values.nats.urlSecret.key }}
{{- else }}
- name: {{ $p }}NATS_URL
  value: {{ $root.Values.nats.url | quote }}
{{- end }}
- name: {{ $p }}DATA_DIR
  value: /var/lib/ratsraum
- name: {{ $p }}HTTP_HOST
  value: "0.0.0.0"
- name: {{ $p }}HTTP_PORT
  value: {{ .spec.httpPort | quote }}
{{- if .spec.grpcPort }}
{{- /* 0.0.0.0 even for voting: the NetworkPolicy, not the bind address, keeps it internal. */}}
- name: {{ $p }}GRPC_HOST
  value: "0.0.0.0"
- name: {{ $p }}GRPC_PORT
  value: {{ .spec.grpcPort | quote }}
{{- end }}
- name: {{ $p }}LOG_FORMAT
  value: {{ $root.Values.logging.format | quote }}
- name: {{ $p }}LOG_LEVEL
  value: {{ $root.Values.logging.level | quote }}
{{- if .spec.oidc }}
- name: {{ $p }}OIDC_ISSUER
  value: {{ include "ratsraum.issuer" $root | quote }}
- name: {{ $p }}OIDC_JWKS_URL
  value: {{ include "ratsraum.jwksUrl" $root | quote }}
{{- end }}
{{- if eq .name "identity" }}
- name: IDENTITY_ISSUER
  value: {{ include "ratsraum.issuer" $root | quote }}
- name: IDENTITY_KEYS_DIR
  value: /var/run/secrets/ratsraum/keys
- name: IDENTITY_WEB_REDIRECT_URIS
  value: {{ printf "[%q]" (printf "%s/auth/callback" (include "ratsraum.appUrl" $root)) | quote }}
{{- else if eq .name "meeting" }}
- name: MEETING_VOTING_TARGET
  value: {{ printf "%s:50051" (include "ratsraum.component" (dict "root" $root "name" "voting")) | quote }}
- name: MEETING_PUBLIC_APP_URL
  value: {{ include "ratsraum.appUrl" $root | quote }}
{{- else if eq .name "citizen-portal" }}
- name: PORTAL_MEETING_GRPC_TARGET
  value: {{ printf "%s:50052" (include "ratsraum.component" (dict "root" $root "name" "meeting")) | quote }}
{{- end }}
- name: OTEL_SERVICE_NAME
  value: {{ .name | quote }}
{{- if $root.Values.otel.endpoint }}
- name: OTEL_EXPORTER_OTLP_ENDPOINT
  value: {{ $root.Values.otel.endpoint | quote }}
{{- else }}
- name: OTEL_SDK_DISABLED
  value: "true"
{{- end }}
{{- range $key, $value := .svc.env }}
- name: {{ $key }}
  value: {{ $value | quote }}
{{- end }}
{{- end }}
