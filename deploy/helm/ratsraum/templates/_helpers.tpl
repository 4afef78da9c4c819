{{/*
Fixed facts about each service: what the code listens on and reads. They live here,
not in values, because changing them would only break the services.
*/}}
{{- define "ratsraum.specs" -}}
identity:
  envPrefix: IDENTITY_
  httpPort: 8081
  # Publishes that an account or a town has ended (meeting ends sessions and tokens at once).
  nats:
    publish: ["ratsraum.*.identity.>"]
    subscribe: []
    consumers: []
meeting:
  envPrefix: MEETING_
  httpPort: 8082
  grpcPort: 50052
  oidc: true
  # NATS: what the service publishes and subscribes to, and its durable JetStream consumers
  # (names and filters as in the code; tests/helm checks them against a real nats-server).
  nats:
    publish: ["ratsraum.*.meeting.>", "ratsraum-members.*.meeting.>"]
    subscribe: ["ratsraum-members.*.meeting.>"]
    consumers:
      - {durable: meeting-voting, filter: ratsraum.*.voting.poll.closed}
      - {durable: meeting-voting-lifecycle, filter: "ratsraum.*.voting.poll.>"}
      - {durable: meeting-identity, filter: "ratsraum.*.identity.>"}
  # Who may call its gRPC port.
  grpcClients: [citizen-portal]
  # Who may call its HTTP port from inside the cluster: the portal relays citizens' links.
  httpClients: [citizen-portal]
  # Paths only those clients may call: no ingress publishes them (ratsraum.internalPaths).
  clientOnlyPaths: [/api/v1/citizen-links]
voting:
  envPrefix: VOTING_
  httpPort: 8083
  grpcPort: 50051
  nats:
    publish: ["ratsraum.*.voting.>"]
    subscribe: []
    consumers: []
  grpcClients: [meeting]
citizen-portal:
  envPrefix: PORTAL_
  httpPort: 8080
  oidc: true
  nats:
    publish: []
    subscribe: ["ratsraum.*.meeting.public.>"]
    consumers:
      - {durable: portal-readmodel, filter: "ratsraum.*.meeting.public.>"}
  consumerEnv: PORTAL_CONSUMER_DURABLE
{{- end }}

{{/* Paths no ingress may publish: probes, metrics and the API docs stay in the cluster, and
a service's clientOnlyPaths too. Args: root, name. */}}
{{- define "ratsraum.internalPaths" -}}
- /metrics
- /healthz
- /readyz
- /api/v1/docs
- /api/v1/openapi.json
- /docs
{{- range (index (include "ratsraum.specs" .root | fromYaml) .name).clientOnlyPaths }}
- {{ . }}
{{- end }}
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

{{- define "ratsraum.jwksUrl" -}}
{{- if .Values.oidc.jwksUrl -}}
{{- .Values.oidc.jwksUrl -}}
{{- else -}}
{{- printf "http://%s:8081%s" (include "ratsraum.component" (dict "root" . "name" "identity")) .Values.oidc.jwksPath -}}
{{- end -}}
{{- end }}

{{/* The public https URL of a service with ingress, else "". Args: root, name. */}}
{{- define "ratsraum.publicUrl" -}}
{{- $svc := index .root.Values.services .name -}}
{{- if and $svc.enabled $svc.ingress $svc.ingress.enabled $svc.ingress.host -}}
{{- printf "https://%s" $svc.ingress.host -}}
{{- end -}}
{{- end }}

{{/* NATS user of one service. Args: root, name. */}}
{{- define "ratsraum.natsUser" -}}
{{- include "ratsraum.component" . -}}
{{- end }}

{{/* Name of the variable holding a service's NATS password in the nats-server's environment. */}}
{{- define "ratsraum.natsPasswordVar" -}}
{{- printf "RATSRAUM_NATS_PASSWORD_%s" (.name | upper | replace "-" "_") -}}
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
- name: {{ $p }}ENVIRONMENT
  value: {{ $root.Values.environment | quote }}
{{- if .spec.nats }}
{{- $nats := $root.Values.nats }}
{{- if $nats.urlSecret.name }}
- name: {{ $p }}NATS_URL
  valueFrom:
    secretKeyRef:
      name: {{ $nats.urlSecret.name }}
      key: {{ $nats.urlSecret.key }}
{{- else }}
- name: {{ $p }}NATS_URL
  value: {{ $nats.url | quote }}
{{- end }}
- name: {{ $p }}NATS_INBOX_PREFIX
  value: {{ printf "_INBOX.%s" .name | quote }}
{{- if $nats.auth.enabled }}
- name: {{ $p }}NATS_USER
  value: {{ include "ratsraum.natsUser" . | quote }}
- name: {{ $p }}NATS_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ .svc.nats.secretName | default (printf "%s-nats" (include "ratsraum.component" .)) }}
      key: {{ .svc.nats.secretKey }}
{{- end }}
{{- if $nats.tls.enabled }}
- name: {{ $p }}NATS_TLS_CA_FILE
  value: {{ printf "/var/run/secrets/ratsraum/nats-ca/%s" $nats.tls.caKey | quote }}
{{- if $nats.tls.clientCertSecretName }}
- name: {{ $p }}NATS_TLS_CERT_FILE
  value: /var/run/secrets/ratsraum/nats-client/tls.crt
- name: {{ $p }}NATS_TLS_KEY_FILE
  value: /var/run/secrets/ratsraum/nats-client/tls.key
{{- end }}
{{- end }}
{{- with .spec.consumerEnv }}
- name: {{ . }}
  value: {{ (index $.spec.nats.consumers 0).durable | quote }}
{{- end }}
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
{{- $meetingUrl := include "ratsraum.publicUrl" (dict "root" $root "name" "meeting") }}
{{- if eq .name "identity" }}
- name: IDENTITY_ISSUER
  value: {{ include "ratsraum.issuer" $root | quote }}
- name: IDENTITY_KEYS_DIR
  value: /var/run/secrets/ratsraum/keys
{{- /* The keys are a read-only Secret mount: rotation happens by updating the Secret
       (docs/deploy.md), never by identity writing a new key file in the pod. */}}
- name: IDENTITY_SIGNING_KEY_MAX_AGE_DAYS
  value: "0"
- name: IDENTITY_TOTP_ENCRYPTION_KEYS
  valueFrom:
    secretKeyRef:
      name: {{ .svc.totpKeys.secretName | default (printf "%s-totp" (include "ratsraum.component" .)) }}
      key: {{ .svc.totpKeys.secretKey }}
{{- include "ratsraum.smtpEnv" (dict "prefix" "IDENTITY_" "smtp" .svc.smtp) }}
{{- if $meetingUrl }}
- name: IDENTITY_WEB_REDIRECT_URIS
  value: {{ list (printf "%s/auth/callback" $meetingUrl) | toJson | quote }}
{{- end }}
{{- else if eq .name "meeting" }}
- name: MEETING_VOTING_TARGET
  value: {{ printf "%s:50051" (include "ratsraum.component" (dict "root" $root "name" "voting")) | quote }}
{{- if $meetingUrl }}
- name: MEETING_PUBLIC_APP_URL
  value: {{ $meetingUrl | quote }}
- name: MEETING_PUBLIC_API_URL
  value: {{ $meetingUrl | quote }}
{{- end }}
{{- include "ratsraum.smtpEnv" (dict "prefix" "MEETING_" "smtp" .svc.smtp) }}
- name: MEETING_WEB_SESSION_KEYS
  valueFrom:
    secretKeyRef:
      name: {{ .svc.webSessionKeys.secretName | default (printf "%s-web-session" (include "ratsraum.component" .)) }}
      key: {{ .svc.webSessionKeys.secretKey }}
{{- else if eq .name "voting" }}
- name: VOTING_AUDIT_KEY_FILE
  value: {{ printf "/var/run/secrets/ratsraum/audit/%s" .svc.auditKey.secretKey | quote }}
{{- if $root.Values.guardians.members }}
- name: VOTING_GUARDIANS
  value: {{ include "ratsraum.guardianAddresses" $root | quote }}
- name: VOTING_GUARDIAN_TLS_CA_FILE
  value: /var/run/secrets/ratsraum/guardian-client/ca.crt
- name: VOTING_GUARDIAN_TLS_CERT_FILE
  value: /var/run/secrets/ratsraum/guardian-client/tls.crt
- name: VOTING_GUARDIAN_TLS_KEY_FILE
  value: /var/run/secrets/ratsraum/guardian-client/tls.key
{{- end }}
{{- else if eq .name "citizen-portal" }}
- name: PORTAL_MEETING_GRPC_TARGET
  value: {{ printf "%s:50052" (include "ratsraum.component" (dict "root" $root "name" "meeting")) | quote }}
- name: PORTAL_MEETING_HTTP_URL
  value: {{ printf "http://%s:8082" (include "ratsraum.component" (dict "root" $root "name" "meeting")) | quote }}
- name: PORTAL_FORM_SECRET
  valueFrom:
    secretKeyRef:
      name: {{ .svc.formSecret.secretName | default (printf "%s-form" (include "ratsraum.component" .)) }}
      key: {{ .svc.formSecret.secretKey }}
{{- with include "ratsraum.publicUrl" (dict "root" $root "name" "citizen-portal") }}
- name: PORTAL_PUBLIC_BASE_URL
  value: {{ . | quote }}
{{- end }}
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
{{- range $key, $ref := .svc.secretEnv }}
- name: {{ $key }}
  valueFrom:
    secretKeyRef:
      name: {{ $ref.secretName }}
      key: {{ $ref.key }}
{{- end }}
{{- end }}

{{/* VOTING_GUARDIANS: JSON list of {"id", "address"}, in-cluster Service or the given address. */}}
{{- define "ratsraum.guardianAddresses" -}}
{{- $list := list -}}
{{- range .Values.guardians.members -}}
{{- $address := .address | default (printf "%s:%d" (include "ratsraum.component" (dict "root" $ "name" (printf "guardian-%s" .id))) (int $.Values.guardians.port)) -}}
{{- $list = append $list (dict "id" .id "address" $address) -}}
{{- end -}}
{{- $list | toJson -}}
{{- end }}

{{/* Non-empty when this release deploys at least one guardian itself. */}}
{{- define "ratsraum.localGuardians" -}}
{{- range .Values.guardians.members }}{{ if not .address }}{{ .id }} {{ end }}{{ end -}}
{{- end }}

{{/* SMTP settings of identity or meeting; the password only by secretKeyRef. Args: prefix, smtp. */}}
{{- define "ratsraum.smtpEnv" -}}
{{- $p := .prefix -}}
{{- with .smtp }}
{{- if .host }}
- name: {{ $p }}SMTP_HOST
  value: {{ .host | quote }}
- name: {{ $p }}SMTP_PORT
  value: {{ .port | quote }}
- name: {{ $p }}SMTP_TLS
  value: {{ .tls | quote }}
{{- with .user }}
- name: {{ $p }}SMTP_USER
  value: {{ . | quote }}
{{- end }}
{{- with .from }}
- name: {{ $p }}MAIL_FROM
  value: {{ . | quote }}
{{- end }}
{{- if .passwordSecret.name }}
- name: {{ $p }}SMTP_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ .passwordSecret.name }}
      key: {{ .passwordSecret.key }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}
