package dev.labprovisioner.sandbox;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import dev.labprovisioner.sandbox.controlplane.ServiceIdentity;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.vertx.HttpServerRequestHandler;
import io.fabric8.zjsonpatch.JsonPatch;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.net.PemKeyCertOptions;

import java.net.InetAddress;
import java.security.SecureRandom;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The sandbox's in-process Kubernetes API: the fabric8 mock server's CRUD store behind a Vert.x server of our own,
 * bound to loopback.
 * It counts the requests it serves (the benchmark reads them) and can inject faults into a share of
 * writes, so that retries and idempotency are exercised against real HTTP failures: a faulty write answers
 * 500 after taking effect (the client cannot tell it happened) or answers only after a delay past the
 * client's timeout. Both are controlled over HTTP ({@link SandboxControls}).
 *
 * <p>A learner uses any client, kubectl first, so what the mock server leaves out for clients other than
 * fabric8 is added here: discovery and an OpenAPI v3 index ({@link Discovery}), strategic merge patches
 * ({@link StrategicMerge}), the scale subresource, StatefulSet defaults and update validation, orphaning deletes,
 * watches over plain HTTP ({@link WatchLog}), Tables for {@code kubectl get} ({@link Tables}), typed list kinds,
 * and Status bodies on errors. Watches over plain HTTP stream as an API server's do ({@link WatchLog}); fabric8's
 * WebSocket watches are the mock server's own. Not served: protobuf (415), container logs and exec (there are no
 * containers), and server-side apply (415).
 *
 * <p>{@link #startSecured} serves it as an API server with anonymous authentication off: TLS with a CA made at start
 * ({@link #caCertificatePem()}), and every request needs a bearer token: the administrator's ({@link #adminToken()},
 * for the simulator and the sandbox's operator: everything), the service's ({@link #serviceToken()}: the
 * ServiceAccount {@code lab-provisioner/lab-provisioner}, confined as RBAC confines it on a real cluster by
 * {@code k8s/clusterrole.yaml} and, in a namespace, the ClusterRoles its RoleBindings there grant it), or a learner's
 * from TokenRequest ({@link LearnerTokens}). Anything else is 401. {@link #start(int)} is the old plain-HTTP
 * wiring, where a request without a token is the sandbox's own, kept only until the sandbox process wires TLS.
 */
public final class SandboxKubernetesApi implements AutoCloseable {

    /** The simulated controllers run inside the "cluster": faults are injected only into other clients' writes. */
    public static final String SIMULATOR_USER_AGENT = "lab-provisioner-sandbox-simulator";

    /** The WebSocket subprotocols of exec and port-forward, as the mock server offers them. */
    private static final List<String> WEBSOCKET_SUBPROTOCOLS = List.of("v1.channel.k8s.io", "v2.channel.k8s.io",
            "v3.channel.k8s.io", "v4.channel.k8s.io");

    private final Vertx vertx;
    private final HttpServer server;
    private final FaultInjectingDispatcher dispatcher;
    private final SandboxCertificates certificates;

    private SandboxKubernetesApi(Vertx vertx, HttpServer server, FaultInjectingDispatcher dispatcher, SandboxCertificates certificates) {
        this.vertx = vertx;
        this.server = server;
        this.dispatcher = dispatcher;
        this.certificates = certificates;
    }

    /**
     * The old wiring: plain HTTP on loopback, and a request without a token is the sandbox's own (not confined).
     * kubectl sends no token over plain HTTP, so kubectl is not confined here: use {@link #startSecured}.
     */
    public static SandboxKubernetesApi start(int port) {
        return start(InetAddress.getLoopbackAddress(), port, false);
    }

    /** As an API server with anonymous authentication off: HTTPS, and no request without a token ({@link #adminToken()}...). */
    public static SandboxKubernetesApi startSecured(int port) {
        return startSecured(InetAddress.getLoopbackAddress(), port);
    }

    /** On another address than loopback (the certificate still names only 127.0.0.1 and localhost). */
    public static SandboxKubernetesApi startSecured(InetAddress address, int port) {
        return start(address, port, true);
    }

    private static SandboxKubernetesApi start(InetAddress address, int port, boolean secured) {
        SandboxCertificates certificates = secured ? SandboxCertificates.generate() : null;
        var dispatcher = new FaultInjectingDispatcher(new RecordingCrudDispatcher(), secured);
        Vertx vertx = Vertx.vertx();
        // HTTP/1.1 only: fabric8's watches are WebSocket upgrades, and kubectl and the other clients speak it too
        HttpServerOptions options = new HttpServerOptions().setHost(address.getHostAddress()).setPort(port)
                .setWebSocketSubProtocols(WEBSOCKET_SUBPROTOCOLS).setHandle100ContinueAutomatically(true);
        if (secured) {
            options.setSsl(true).setKeyCertOptions(new PemKeyCertOptions()
                    .setCertValue(io.vertx.core.buffer.Buffer.buffer(certificates.serverCertificatePem))
                    .setKeyValue(io.vertx.core.buffer.Buffer.buffer(certificates.serverKeyPem)));
        }
        HttpServerRequestHandler served = new HttpServerRequestHandler(vertx) {
            @Override
            protected MockResponse onHttpRequest(RecordedRequest request) {
                return dispatcher.dispatch(request);
            }
        };
        HttpServer server = vertx.createHttpServer(options).requestHandler(request -> {
            if (FaultInjectingDispatcher.isHttpWatch(request.method().name(), request.uri(), request.getHeader("Upgrade"))) {
                dispatcher.streamWatch(request, vertx);
            } else {
                served.handle(request);
            }
        });
        try {
            server.listen().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            vertx.close();
            throw new IllegalStateException("The sandbox's Kubernetes API could not listen on " + address.getHostAddress() + ":" + port, e);
        }
        return new SandboxKubernetesApi(vertx, server, dispatcher, certificates);
    }

    /** {@code https://127.0.0.1:PORT} ({@code http://} for {@link #start(int)}). */
    public String url() {
        return (certificates != null ? "https" : "http") + "://127.0.0.1:" + server.actualPort();
    }

    public boolean secured() {
        return certificates != null;
    }

    /** The CA that signed the server's certificate, in PEM: a kubeconfig's certificate-authority-data (base64 of it). */
    public String caCertificatePem() {
        requireSecured();
        return certificates.caPem;
    }

    /** The sandbox administrator's token: everything, as cluster-admin. For the simulator and the operator, never the service. */
    public String adminToken() {
        requireSecured();
        return dispatcher.adminToken;
    }

    /** The service's token: ServiceAccount lab-provisioner/lab-provisioner, confined by RBAC as on a real cluster. */
    public String serviceToken() {
        requireSecured();
        return dispatcher.serviceToken;
    }

    /** A fabric8 client configuration for this API with that token (and the CA, when secured). */
    public Config clientConfig(String token) {
        ConfigBuilder config = new ConfigBuilder().withMasterUrl(url());
        if (certificates != null) {
            config.withCaCertData(java.util.Base64.getEncoder().encodeToString(certificates.caPem.getBytes(StandardCharsets.US_ASCII)))
                    .withTrustCerts(false);
        }
        return token == null ? config.build() : config.withOauthToken(token).build();
    }

    /** A TLS context trusting this API's CA, for JDK HTTP clients ({@link SandboxControls}). */
    public javax.net.ssl.SSLContext sslContext() {
        requireSecured();
        return SandboxCertificates.trusting(certificates.caPem);
    }

    private void requireSecured() {
        if (certificates == null) {
            throw new IllegalStateException("This sandbox API serves plain HTTP without tokens: start it with startSecured");
        }
    }

    @Override
    public void close() {
        dispatcher.shutdown();
        try {
            server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            // closing: nothing more to do
        }
    }

    /** Not a Kubernetes path: {@code GET /sandbox/stats}, {@code POST /sandbox/faults?rate=0.2&delayMs=1500}. */
    public static final String CONTROL_PATH = "/sandbox/";
    /** {@code /api/v1/namespaces/NS/serviceaccounts/NAME/token}: the TokenRequest subresource. */
    private static final Pattern TOKEN_PATH = Pattern.compile("/api/v1/namespaces/([a-z0-9-]+)/serviceaccounts/([a-z0-9.-]+)/token");

    /** {@code .../namespaces/NS/statefulsets/NAME/scale}: group 1 is the parent object's path. */
    private static final Pattern SCALE_PATH = Pattern.compile(
            "(/apis/apps/v1/namespaces/[a-z0-9-]+/(?:statefulsets|deployments|replicasets)/[a-z0-9.-]+)/scale");
    /**
     * {@code /api/v1/namespaces/NS/pods/NAME} or {@code /apis/GROUP/VERSION/...}: group, resource, name. A collection
     * path in a namespace matches too (as the namespace's "subresource"): test {@link WatchLog.Query#PATH} first.
     */
    private static final Pattern NAMED_OBJECT_PATH = Pattern.compile(
            "/apis?(?:/([a-z0-9.-]+))?/v[0-9a-z]+(?:/namespaces/[a-z0-9-]+)?/([a-z]+)/([a-z0-9.-]+)(?:/[a-z]+)?");
    /** Create or replace a StatefulSet (not its status or scale). */
    private static final Pattern STATEFULSET_WRITE_PATH = Pattern.compile(
            "/apis/apps/v1/namespaces/[a-z0-9-]+/statefulsets(/[a-z0-9.-]+)?");
    /** Create or replace a Secret. */
    private static final Pattern SECRET_WRITE_PATH = Pattern.compile("/api/v1/namespaces/[a-z0-9-]+/secrets(/[a-z0-9.-]+)?");
    /** A pod's log, exec, attach or port-forward: group 1 is the pod, group 2 the subresource. */
    private static final Pattern POD_CONTAINER_PATH = Pattern.compile(
            "/api/v1/namespaces/[a-z0-9-]+/pods/([a-z0-9.-]+)/(log|exec|attach|portforward)");
    /** How every list the mock server sends begins (KubernetesResponseComposer). */
    private static final String MOCK_LIST_HEAD = "{\"apiVersion\":\"v1\",\"kind\":\"List\",";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern NAMESPACE_PATH = Pattern.compile("/api/v1/namespaces/([a-z0-9-]+)(\\?.*)?");
    private static final List<String> NAMESPACED_COLLECTIONS = List.of(
            "/apis/apps/v1/namespaces/%s/statefulsets", "/api/v1/namespaces/%s/pods",
            "/api/v1/namespaces/%s/persistentvolumeclaims", "/api/v1/namespaces/%s/services",
            "/api/v1/namespaces/%s/endpoints", "/api/v1/namespaces/%s/secrets", "/api/v1/namespaces/%s/configmaps",
            "/api/v1/namespaces/%s/serviceaccounts", "/apis/rbac.authorization.k8s.io/v1/namespaces/%s/roles",
            "/apis/rbac.authorization.k8s.io/v1/namespaces/%s/rolebindings", "/api/v1/namespaces/%s/resourcequotas",
            "/api/v1/namespaces/%s/limitranges", "/apis/networking.k8s.io/v1/namespaces/%s/networkpolicies",
            "/api/v1/namespaces/%s/events");

    static final class FaultInjectingDispatcher extends Dispatcher {
        private static final String SELF_SUBJECT_ACCESS_REVIEWS = "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews";
        private static final Pattern BINDING_WRITE_PATH = Pattern.compile(
                "/apis/rbac.authorization.k8s.io/v1(?:/namespaces/([a-z0-9-]+))?/(rolebindings|clusterrolebindings)(/[a-z0-9.:-]+)?");
        /** A watch over HTTP ends after this unless it asks for less ({@code timeoutSeconds}), as the API server's do. */
        private static final Duration WATCH_TIMEOUT = Duration.ofMinutes(30);

        private final RecordingCrudDispatcher crud;
        /** Learners' tokens, confined to their namespace and the learner ClusterRole, as RBAC would. */
        private final LearnerTokens learners = new LearnerTokens();
        /** TLS and tokens: a request without a known token is 401. Otherwise one without a token is the sandbox's own. */
        private final boolean secured;
        final String adminToken;
        final String serviceToken;
        /** Requests of every client but the simulator: the service's load on a real API server. */
        final AtomicLong requests = new AtomicLong();
        final AtomicLong simulatorRequests = new AtomicLong();
        final AtomicLong writes = new AtomicLong();
        final AtomicLong faults = new AtomicLong();
        volatile double faultRate;
        volatile Duration faultDelay = Duration.ofSeconds(3);

        FaultInjectingDispatcher(RecordingCrudDispatcher crud, boolean secured) {
            this.crud = crud;
            this.secured = secured;
            SecureRandom random = new SecureRandom();
            this.adminToken = "sandbox-admin-" + HexFormat.of().formatHex(random.generateSeed(24));
            this.serviceToken = "sandbox-service-" + HexFormat.of().formatHex(random.generateSeed(24));
        }

        /** Who sent a request, as the API server's authenticators would say. */
        record Caller(Kind kind, String username, LearnerTokens.Subject learner) {
            enum Kind { SANDBOX, ADMIN, SERVICE, LEARNER }

            static final Caller SANDBOX = new Caller(Kind.SANDBOX, "system:anonymous", null);
            static final Caller SERVICE = new Caller(Kind.SERVICE, ServiceIdentity.USERNAME, null);
            static final Caller ADMIN = new Caller(Kind.ADMIN, "sandbox-admin", null);
        }

        /** The caller a request's bearer token names; null when it names none the imitation knows (401). */
        private Caller authenticate(RecordedRequest request) {
            String authorization = request.getHeader("Authorization");
            if (authorization == null || !authorization.startsWith("Bearer ")) {
                return secured ? null : Caller.SANDBOX;
            }
            String token = authorization.substring("Bearer ".length()).trim();
            if (secured && token.equals(adminToken)) {
                return Caller.ADMIN;
            }
            if (secured && token.equals(serviceToken)) {
                return Caller.SERVICE;
            }
            LearnerTokens.Subject learner = learners.subject(token, (namespace, account) -> get(
                    "/api/v1/namespaces/" + namespace + "/serviceaccounts/" + account).code() == 200);
            return learner == null ? null : new Caller(Caller.Kind.LEARNER, learner.username(), learner);
        }

        /** What RBAC would answer for this caller and request. */
        private boolean authorize(Caller caller, SandboxRbac.Request request) {
            if (caller.kind() == Caller.Kind.SANDBOX || caller.kind() == Caller.Kind.ADMIN) {
                return true;
            }
            if ("create".equals(request.verb()) && "authorization.k8s.io".equals(request.group())
                    && "selfsubjectaccessreviews".equals(request.resource())) {
                return true; // system:basic-user: everyone may ask what they may do
            }
            if (caller.kind() == Caller.Kind.LEARNER) {
                return learners.allows(caller.learner(), request);
            }
            if (SandboxRbac.allows(SandboxRbac.CLUSTER_ROLES.get("lab-provisioner"), request)) {
                return true; // the service's ClusterRoleBinding (k8s/clusterrolebinding.yaml)
            }
            if (request.namespace() == null) {
                return false;
            }
            // its RoleBindings in that namespace (the service binds lab-provisioner-lab to itself in each lab)
            JsonNode bindings = readTree(bodyOf(get("/apis/rbac.authorization.k8s.io/v1/namespaces/" + request.namespace() + "/rolebindings")));
            for (JsonNode binding : bindings.path("items")) {
                var rules = SandboxRbac.CLUSTER_ROLES.get(binding.path("roleRef").path("name").asText());
                if (rules == null || !"ClusterRole".equals(binding.path("roleRef").path("kind").asText())) {
                    continue;
                }
                for (JsonNode subject : binding.path("subjects")) {
                    if ("ServiceAccount".equals(subject.path("kind").asText()) && ServiceIdentity.ACCOUNT.equals(subject.path("name").asText())
                            && ServiceIdentity.NAMESPACE.equals(subject.path("namespace").asText()) && SandboxRbac.allows(rules, request)) {
                        return true;
                    }
                }
            }
            return false;
        }

        /**
         * Counts the request, then answers 401 or 403 as the API server's authentication and authorization would, or
         * null to serve it. {@code caller} receives who sent it.
         */
        private MockResponse admit(RecordedRequest request, Consumer<Caller> caller) {
            String agent = request.getHeader("User-Agent");
            (agent != null && agent.startsWith(SIMULATOR_USER_AGENT) ? simulatorRequests : requests).incrementAndGet();
            Caller who = authenticate(request);
            if (who == null) {
                return status(401, "Unauthorized", "Unauthorized");
            }
            SandboxRbac.Request wanted = SandboxRbac.Request.of(request.getMethod(), request.getPath());
            if (!authorize(who, wanted)) {
                LearnerTokens.Refusal refusal = SandboxRbac.forbidden(who.username(), wanted);
                return status(refusal.code(), refusal.reason(), refusal.message());
            }
            MockResponse escalation = bindingEscalation(request, who);
            if (escalation != null) {
                return escalation;
            }
            caller.accept(who);
            return null;
        }

        /**
         * RBAC's escalation prevention: a RoleBinding or ClusterRoleBinding may be written only by whoever may {@code bind}
         * the role it refers to (the service: lab-provisioner-lab and lab-provisioner-learner, by name).
         */
        private MockResponse bindingEscalation(RecordedRequest request, Caller caller) {
            if (caller.kind() == Caller.Kind.SANDBOX || caller.kind() == Caller.Kind.ADMIN
                    || !("POST".equals(request.getMethod()) || "PUT".equals(request.getMethod()))) {
                return null;
            }
            Matcher path = BINDING_WRITE_PATH.matcher(withoutQuery(request.getPath()));
            if (!path.matches()) {
                return null;
            }
            JsonNode binding;
            try {
                binding = readTree(bodyText(request));
            } catch (IllegalArgumentException e) {
                return null; // answered as the bad request it is
            }
            JsonNode roleRef = binding.path("roleRef");
            String role = roleRef.path("name").asText("");
            String resource = "Role".equals(roleRef.path("kind").asText()) ? "roles" : "clusterroles";
            if (authorize(caller, new SandboxRbac.Request("bind", "rbac.authorization.k8s.io", path.group(1), resource, role, null))) {
                return null;
            }
            return status(403, "Forbidden", path.group(2) + ".rbac.authorization.k8s.io \"" + binding.path("metadata").path("name").asText()
                    + "\" is forbidden: user \"" + caller.username() + "\" is attempting to grant RBAC permissions not currently held"
                    + " (no bind on " + resource + " \"" + role + "\")");
        }

        /**
         * {@code POST /apis/authorization.k8s.io/v1/selfsubjectaccessreviews}: what {@code kubectl auth can-i} asks, answered
         * by the same authorizer that serves the requests.
         */
        private MockResponse selfSubjectAccessReview(RecordedRequest request, Caller caller) {
            JsonNode review;
            try {
                review = readTree(bodyText(request));
            } catch (IllegalArgumentException e) {
                return status(400, "BadRequest", e.getMessage());
            }
            JsonNode resource = review.path("spec").path("resourceAttributes");
            JsonNode nonResource = review.path("spec").path("nonResourceAttributes");
            SandboxRbac.Request asked;
            if (resource.isObject()) {
                String namespace = resource.path("namespace").asText("");
                String subresource = resource.path("subresource").asText("");
                String name = resource.path("name").asText("");
                asked = new SandboxRbac.Request(resource.path("verb").asText(""), resource.path("group").asText(""),
                        namespace.isEmpty() ? null : namespace,
                        resource.path("resource").asText("") + (subresource.isEmpty() ? "" : "/" + subresource), name.isEmpty() ? null : name, null);
            } else if (nonResource.isObject()) {
                asked = new SandboxRbac.Request(nonResource.path("verb").asText(""), null, null, null, null, nonResource.path("path").asText(""));
            } else {
                return status(422, "Invalid", "SelfSubjectAccessReview.authorization.k8s.io \"\" is invalid: spec.resourceAttributes: "
                        + "Invalid value: \"null\": exactly one of nonResourceAttributes or resourceAttributes must be specified");
            }
            boolean allowed = authorize(caller, asked);
            ObjectNode answer = review.isObject() ? ((ObjectNode) review).deepCopy() : JSON.createObjectNode();
            answer.put("apiVersion", "authorization.k8s.io/v1").put("kind", "SelfSubjectAccessReview");
            ObjectNode status = answer.putObject("status").put("allowed", allowed);
            if (allowed && caller.kind() != Caller.Kind.SANDBOX && caller.kind() != Caller.Kind.ADMIN) {
                status.put("reason", "RBAC: allowed by the sandbox's RoleBindings of " + caller.username());
            }
            return json(201, answer);
        }

        @Override
        public MockResponse dispatch(RecordedRequest request) {
            if (request.getPath().startsWith(CONTROL_PATH)) {
                Caller caller = authenticate(request);
                if (caller == null || caller.kind() == Caller.Kind.LEARNER || caller.kind() == Caller.Kind.SERVICE) {
                    return status(caller == null ? 401 : 403, caller == null ? "Unauthorized" : "Forbidden",
                            "the sandbox's controls are the administrator's");
                }
                return control(request);
            }
            Caller[] caller = new Caller[1];
            MockResponse refused = admit(request, c -> caller[0] = c);
            if (refused != null) {
                return refused;
            }
            if ("POST".equals(request.getMethod()) && SELF_SUBJECT_ACCESS_REVIEWS.equals(withoutQuery(request.getPath()))) {
                return selfSubjectAccessReview(request, caller[0]);
            }
            String contentType = request.getHeader("Content-Type");
            if (contentType != null && contentType.toLowerCase(Locale.ROOT).startsWith("application/vnd.kubernetes.protobuf")) {
                // The mock server reads JSON only (a protobuf body would hang it): answer as an API server that does
                // not serve protobuf would. kubectl's generators (`kubectl create namespace`) send protobuf;
                // `kubectl create -f`, `apply`, `patch`, `scale`, `delete` and `get` send JSON.
                return status(415, "UnsupportedMediaType", "the body of the request was in an unknown format - "
                        + "accepted media types include: application/json, application/json-patch+json, "
                        + "application/merge-patch+json, application/strategic-merge-patch+json");
            }
            MockResponse fault = faultOrNull(request);
            MockResponse response = fault != null ? fault : perform(request);
            if (response.getWebSocketListener() == null && response.header("Content-Type") == null) {
                // the mock server sends JSON without saying so; client-go then decodes it as what it asked for
                // (protobuf, for kubectl describe and the other typed clients) and fails
                response.setHeader("Content-Type", "application/json");
            }
            return response;
        }

        private MockResponse perform(RecordedRequest request) {
            if (!"GET".equals(request.getMethod()) && request.getPath().matches(".*[?&]dryRun=All(&.*)?")) {
                String path = withoutQuery(request.getPath());
                if ("PUT".equals(request.getMethod()) || "PATCH".equals(request.getMethod())) {
                    Matcher scale = SCALE_PATH.matcher(path);
                    Matcher statefulSet = STATEFULSET_WRITE_PATH.matcher(path);
                    if (scale.matches()) {
                        return scaleSubresource(request, scale.group(1), true);
                    }
                    if (statefulSet.matches() && statefulSet.group(1) != null) {
                        return updateStatefulSet(request, path, statefulSet.group(1).substring(1), true);
                    }
                    return dryRunUpdate(request, path);
                }
                return dryRun(request, path);
            }
            Matcher namespace = NAMESPACE_PATH.matcher(request.getPath());
            if ("DELETE".equals(request.getMethod()) && namespace.matches()) {
                // A namespace is gone only once what is inside is gone (the mock server alone would orphan it all).
                for (String collection : NAMESPACED_COLLECTIONS) {
                    crud.dispatch(new RecordedRequest("HTTP/1.1", HttpMethod.DELETE,
                            collection.formatted(namespace.group(1)), Headers.builder().build(), new Buffer()));
                }
            }
            String path = withoutQuery(request.getPath());
            if ("DELETE".equals(request.getMethod()) && isOrphanDelete(request) && path.contains("/namespaces/")
                    && !WatchLog.Query.PATH.matcher(path).matches() && NAMED_OBJECT_PATH.matcher(path).matches()) {
                return orphanDelete(path);
            }
            if (("POST".equals(request.getMethod()) || "PUT".equals(request.getMethod())) && SECRET_WRITE_PATH.matcher(path).matches()) {
                // An API server stores a Secret's stringData as base64 data (and keeps no stringData): what kubectl get
                // secret -o jsonpath='{.data.password}' | base64 -d reads back.
                JsonNode secret = readTree(bodyText(request));
                if (secret.isObject() && secret.path("stringData").isObject()) {
                    ObjectNode stored = ((ObjectNode) secret).deepCopy();
                    ObjectNode data = stored.withObject("/data");
                    stored.path("stringData").fields().forEachRemaining(e -> data.put(e.getKey(),
                            java.util.Base64.getEncoder().encodeToString(e.getValue().asText().getBytes(java.nio.charset.StandardCharsets.UTF_8))));
                    stored.remove("stringData");
                    request = withBody(request, stored.toString());
                }
            }
            Matcher statefulSet = STATEFULSET_WRITE_PATH.matcher(path);
            if ("POST".equals(request.getMethod()) && statefulSet.matches() && statefulSet.group(1) == null) {
                JsonNode sts = readTree(bodyText(request));
                MockResponse refused = validateNewStatefulSet(sts);
                return refused != null ? refused : crud.dispatch(withBody(request, statefulSetDefaults(sts, true).toString()));
            }
            if (("PUT".equals(request.getMethod()) || "PATCH".equals(request.getMethod()))
                    && statefulSet.matches() && statefulSet.group(1) != null) {
                return updateStatefulSet(request, path, statefulSet.group(1).substring(1), false);
            }
            if ("GET".equals(request.getMethod()) && Discovery.isDiscoveryPath(path)) {
                // the mock server answers discovery with an empty List: kubectl would find no resource type at all
                String accept = request.getHeader("Accept");
                if ("/openapi/v2".equals(path) && accept != null && accept.contains("protobuf")) {
                    return Discovery.openApiV2Protobuf();
                }
                return Discovery.respond(path, hostHeader(request));
            }
            Matcher token = TOKEN_PATH.matcher(path);
            if ("POST".equals(request.getMethod()) && token.matches()) {
                // the mock server would store the TokenRequest as an object; the API server answers with a token
                return tokenRequest(request, token.group(1), token.group(2));
            }
            Matcher scale = SCALE_PATH.matcher(path);
            if (scale.matches()) {
                // the mock server ignores "/scale" and would serve (or overwrite) the StatefulSet itself
                return scaleSubresource(request, scale.group(1), false);
            }
            if ("PATCH".equals(request.getMethod()) && isStrategicMergePatch(request.getHeader("Content-Type"))) {
                // the mock server refuses strategic merge patches (415): kubectl patch, set env/image, edit, apply
                return strategicMergePatch(request, path);
            }
            if (POD_CONTAINER_PATH.matcher(path).matches()) {
                // the mock server would answer with every object in the namespace
                Matcher pod = POD_CONTAINER_PATH.matcher(path);
                pod.matches();
                return status(400, "BadRequest", "pod \"" + pod.group(1) + "\": the sandbox runs no containers, so there is no "
                        + pod.group(2) + " (the pod and its status are simulated)");
            }
            MockResponse response = withNotFoundStatus(crud.dispatch(request), path);
            Matcher list = WatchLog.Query.PATH.matcher(path);
            if ("GET".equals(request.getMethod()) && response.code() == 200 && list.matches()) {
                // The mock server calls every list "List"; client-go's typed clients (kubectl describe) decode a
                // "List" sent for a PodList as an empty PodList. Its lists all start alike: the head is rewritten
                // without parsing what may be a long list.
                String body = bodyOf(response);
                if (body.startsWith(MOCK_LIST_HEAD)) {
                    String groupVersion = list.group(1) == null ? list.group(2) : list.group(1) + "/" + list.group(2);
                    response = new MockResponse().setResponseCode(200).setHeader("Content-Type", "application/json")
                            .setBody("{\"apiVersion\":\"" + groupVersion + "\",\"kind\":\"" + Discovery.kind(list.group(4)) + "List\","
                                    + body.substring(MOCK_LIST_HEAD.length()));
                }
            }
            if ("GET".equals(request.getMethod()) && response.code() == 200 && Tables.wanted(request.getHeader("Accept"))) {
                // kubectl get asks for a Table (server-side printing); the mock server sends the objects themselves,
                // which kubectl would print as NAME and AGE only
                JsonNode table = Tables.of(readTree(bodyOf(response)), path);
                if (table != null) {
                    return json(200, table);
                }
            }
            return response;
        }

        /**
         * {@code ?dryRun=All} (kubectl's {@code --dry-run=server}, the Pod Security probe): answered as the API server
         * would, and nothing stored or removed. A create comes back with the server's fields (and a StatefulSet with its
         * defaults), or 409 if the name is taken; a delete with the object as it stands, or 404. Updates and patches:
         * {@link #dryRunUpdate}.
         */
        private MockResponse dryRun(RecordedRequest request, String path) {
            if ("POST".equals(request.getMethod())) {
                JsonNode body = readTree(bodyText(request));
                if (!body.isObject()) {
                    return status(400, "BadRequest", "the body of the request is not a JSON object");
                }
                ObjectNode created = STATEFULSET_WRITE_PATH.matcher(path).matches()
                        ? (ObjectNode) statefulSetDefaults(body, true) : ((ObjectNode) body).deepCopy();
                String name = created.path("metadata").path("name").asText("");
                if (!name.isEmpty() && get(path + "/" + name).code() == 200) {
                    return status(409, "AlreadyExists", path.substring(path.lastIndexOf('/') + 1) + " \"" + name + "\" already exists");
                }
                Matcher ns = Pattern.compile(".*/namespaces/([a-z0-9-]+)/[a-z]+").matcher(path);
                ObjectNode meta = created.withObject("/metadata");
                if (ns.matches()) {
                    meta.put("namespace", ns.group(1));
                }
                meta.put("uid", java.util.UUID.randomUUID().toString())
                        .put("creationTimestamp", java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString());
                return json(201, created);
            }
            MockResponse current = withNotFoundStatus(get(path), path);
            return current.code() == 200 ? json(200, readTree(bodyOf(current))) : current;
        }

        /**
         * A dry-run update or patch of any kind but a StatefulSet and its scale (those are validated as their real
         * writes are): the object as the write would leave it, checked against a resourceVersion the request names
         * (409), nothing stored.
         */
        private MockResponse dryRunUpdate(RecordedRequest request, String path) {
            String readPath = path.endsWith("/status") ? path.substring(0, path.length() - "/status".length()) : path;
            MockResponse current = withNotFoundStatus(get(readPath), readPath);
            if (current.code() != 200) {
                return current;
            }
            JsonNode old = readTree(bodyOf(current));
            JsonNode next;
            try {
                JsonNode body = readTree(bodyText(request));
                next = "PUT".equals(request.getMethod()) ? body : patched(old, request.getHeader("Content-Type"), body);
            } catch (IllegalArgumentException e) {
                return status(422, "Invalid", e.getMessage());
            } catch (UnsupportedOperationException e) {
                return status(415, "UnsupportedMediaType", e.getMessage());
            }
            if (!(next instanceof ObjectNode object)) {
                return status(422, "Invalid", "the object is not a JSON object");
            }
            String requested = requestedResourceVersion(request);
            String stored = old.path("metadata").path("resourceVersion").asText("");
            if (!requested.isEmpty() && !requested.equals(stored)) {
                return conflict(readPath);
            }
            ObjectNode meta = object.withObject("/metadata");
            for (String field : List.of("uid", "creationTimestamp", "resourceVersion", "namespace")) {
                if (old.path("metadata").has(field)) {
                    meta.set(field, old.path("metadata").get(field));
                }
            }
            return json(200, object);
        }

        /** The API server's 409 for a stale resourceVersion. */
        private static MockResponse conflict(String path) {
            Matcher named = NAMED_OBJECT_PATH.matcher(path);
            String what = named.matches() ? named.group(2) + (named.group(1) == null ? "" : "." + named.group(1)) + " \"" + named.group(3) + "\"" : path;
            return status(409, "Conflict", "Operation cannot be fulfilled on " + what
                    + ": the object has been modified; please apply your changes to the latest version and try again");
        }

        /**
         * The resourceVersion the REQUEST names (its optimistic-concurrency precondition), or "": a PUT's or merge patch's
         * {@code metadata.resourceVersion}, or a JSON patch's add or replace of {@code /metadata/resourceVersion}. Not
         * what the patched object carries: that always has one, the version the patch was applied to.
         */
        static String requestedResourceVersion(RecordedRequest request) {
            JsonNode body;
            try {
                body = readTree(bodyText(request));
            } catch (IllegalArgumentException e) {
                return "";
            }
            if (body.isArray()) {
                String requested = "";
                for (JsonNode op : body) {
                    if ("/metadata/resourceVersion".equals(op.path("path").asText())
                            && ("add".equals(op.path("op").asText()) || "replace".equals(op.path("op").asText()))) {
                        requested = op.path("value").asText("");
                    }
                }
                return requested;
            }
            return body.path("metadata").path("resourceVersion").asText("");
        }

        private MockResponse get(String path) {
            return crud.dispatch(new RecordedRequest("HTTP/1.1", HttpMethod.GET, path, Headers.builder().build(), new Buffer()));
        }

        /**
         * The mock server answers a missing object with an empty 404; an API server sends a Status that says what
         * is missing, which kubectl prints: {@code Error from server (NotFound): pods "postgres-5" not found}.
         */
        private static MockResponse withNotFoundStatus(MockResponse response, String path) {
            if (response.code() != 404 || (response.getBody() != null && response.getBody().size() > 0)) {
                return response;
            }
            Matcher named = NAMED_OBJECT_PATH.matcher(path);
            if (WatchLog.Query.PATH.matcher(path).matches() || !named.matches()) {
                // a collection (".../namespaces/lab/pods" also reads as the subresource "pods" of namespace "lab")
                return status(404, "NotFound", "the server could not find the requested resource");
            }
            String group = named.group(1) == null ? "" : named.group(1);
            String resource = named.group(2) + (group.isEmpty() ? "" : "." + group);
            MockResponse notFound = status(404, "NotFound", resource + " \"" + named.group(3) + "\" not found");
            ObjectNode body = (ObjectNode) readTree(bodyOf(notFound));
            body.putObject("details").put("name", named.group(3)).put("group", group).put("kind", named.group(2));
            return json(404, body);
        }

        // ---------------------------------------------------------------- orphan deletion

        /** {@code propagationPolicy: Orphan} (kubectl delete --cascade=orphan), in the DeleteOptions body or the query. */
        private static boolean isOrphanDelete(RecordedRequest request) {
            String query = request.getPath().contains("?") ? request.getPath().substring(request.getPath().indexOf('?') + 1) : "";
            if (query.contains("propagationPolicy=Orphan") || query.contains("orphanDependents=true")) {
                return true;
            }
            String body = bodyText(request);
            if (body == null || !(body.contains("Orphan") || body.contains("orphanDependents")) || !body.trim().startsWith("{")) {
                return false; // most deletes: no need to parse their options
            }
            JsonNode options;
            try {
                options = readTree(body);
            } catch (IllegalArgumentException e) {
                return false;
            }
            return "Orphan".equals(options.path("propagationPolicy").asText()) || options.path("orphanDependents").asBoolean(false);
        }

        /**
         * {@code propagationPolicy: Orphan}: "By passing --cascade=orphan to kubectl delete, the Pods managed by the
         * StatefulSet are left behind even after the StatefulSet object itself is deleted" (Delete a StatefulSet, in
         * the Kubernetes docs). As the API server and the garbage collector do it: the owner is first marked for
         * deletion with the {@code orphan} finalizer (a controller adopts nothing for an owner being deleted), the
         * ownerReferences of its dependents (pods and PersistentVolumeClaims, those a lab has) to it are removed,
         * then the finalizer, which lets the owner go.
         */
        private MockResponse orphanDelete(String ownerPath) {
            MockResponse current = crud(HttpMethod.GET, ownerPath, null, null);
            if (current.code() != 200) {
                return current;
            }
            JsonNode owner = readTree(bodyOf(current));
            String uid = owner.path("metadata").path("uid").asText();
            ArrayNode finalizers = owner.path("metadata").get("finalizers") instanceof ArrayNode f ? f.deepCopy() : JSON.createArrayNode();
            ObjectNode mark = JSON.createObjectNode();
            ObjectNode markMeta = mark.putObject("metadata");
            markMeta.put("deletionTimestamp", java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString());
            markMeta.set("finalizers", finalizers.deepCopy().add("orphan"));
            MockResponse marked = crud(HttpMethod.PATCH, ownerPath, "application/merge-patch+json", mark.toString());
            if (marked.code() / 100 != 2) {
                return marked;
            }
            String ns = ownerPath.substring(ownerPath.indexOf("/namespaces/") + "/namespaces/".length()).split("/")[0];
            for (String collection : List.of("/api/v1/namespaces/%s/pods", "/api/v1/namespaces/%s/persistentvolumeclaims")) {
                String listPath = collection.formatted(ns);
                for (JsonNode item : readTree(bodyOf(crud(HttpMethod.GET, listPath, null, null))).path("items")) {
                    if (!(item.path("metadata").get("ownerReferences") instanceof ArrayNode refs)) {
                        continue;
                    }
                    boolean removed = false;
                    for (int i = refs.size() - 1; i >= 0; i--) {
                        if (uid.equals(refs.get(i).path("uid").asText())) {
                            refs.remove(i);
                            removed = true;
                        }
                    }
                    if (removed) {
                        if (refs.isEmpty()) {
                            ((ObjectNode) item.path("metadata")).remove("ownerReferences");
                        }
                        crud(HttpMethod.PUT, listPath + "/" + item.path("metadata").path("name").asText(), "application/json", item.toString());
                    }
                }
            }
            // without its finalizer the owner is deleted (unless it has other finalizers, as on an API server)
            ObjectNode release = JSON.createObjectNode();
            release.putObject("metadata").set("finalizers", finalizers.isEmpty() ? JSON.nullNode() : finalizers);
            crud(HttpMethod.PATCH, ownerPath, "application/merge-patch+json", release.toString());
            return json(200, readTree(bodyOf(marked)));
        }

        // ---------------------------------------------------------------- StatefulSet defaults

        /**
         * What the API server's defaulting adds to a StatefulSet that leaves them out (apps/v1 SetDefaults_StatefulSet):
         * {@code podManagementPolicy: OrderedReady}, {@code updateStrategy: RollingUpdate} with {@code partition: 0},
         * {@code replicas: 1}, {@code revisionHistoryLimit: 10} and a {@code Retain/Retain}
         * persistentVolumeClaimRetentionPolicy. {@code kubectl rollout status} reads updateStrategy from the stored
         * object ("rollout status is only available for RollingUpdate strategy type"). On create the status a client
         * sends is dropped, as the API server does: a manifest saved with {@code kubectl get -o yaml} carries the old
         * object's status.
         */
        static JsonNode statefulSetDefaults(JsonNode sts, boolean create) {
            if (!(sts instanceof ObjectNode object) || !(object.get("spec") instanceof ObjectNode spec)) {
                return sts;
            }
            if (create) {
                object.remove("status");
            }
            if (!spec.hasNonNull("podManagementPolicy")) {
                spec.put("podManagementPolicy", "OrderedReady");
            }
            if (!spec.hasNonNull("replicas")) {
                spec.put("replicas", 1);
            }
            if (!spec.hasNonNull("revisionHistoryLimit")) {
                spec.put("revisionHistoryLimit", 10);
            }
            ObjectNode strategy = spec.get("updateStrategy") instanceof ObjectNode u ? u : spec.putObject("updateStrategy");
            if (!strategy.hasNonNull("type")) {
                strategy.put("type", "RollingUpdate");
            }
            if ("RollingUpdate".equals(strategy.path("type").asText())) {
                ObjectNode rolling = strategy.get("rollingUpdate") instanceof ObjectNode r ? r : strategy.putObject("rollingUpdate");
                if (!rolling.hasNonNull("partition")) {
                    rolling.put("partition", 0);
                }
            }
            ObjectNode retention = spec.get("persistentVolumeClaimRetentionPolicy") instanceof ObjectNode r
                    ? r : spec.putObject("persistentVolumeClaimRetentionPolicy");
            for (String field : List.of("whenDeleted", "whenScaled")) {
                if (!retention.hasNonNull(field)) {
                    retention.put(field, "Retain");
                }
            }
            return object;
        }

        // ---------------------------------------------------------------- watches over HTTP

        /** A watch kubectl or client-go opens: {@code ?watch=true} on a plain GET, not a WebSocket upgrade (fabric8's). */
        static boolean isHttpWatch(String method, String uri, String upgrade) {
            int q = uri.indexOf('?');
            return "GET".equals(method) && upgrade == null && q >= 0 && SandboxRbac.isWatch(uri.substring(q + 1));
        }

        /**
         * A watch over plain HTTP, as the API server streams it: a chunked response of newline-delimited
         * {@code {"type":"ADDED|MODIFIED|DELETED","object":...}}, held open until {@code timeoutSeconds} (else
         * {@link #WATCH_TIMEOUT}) or until the client goes. From a {@code resourceVersion}: the changes after it, then
         * each change as it is stored; older than the kept window: an ERROR event with the 410 Expired Status, and the
         * client lists again. Without one (or "0"): an ADDED event for each object that exists, then the changes.
         * {@code labelSelector} and {@code fieldSelector} (metadata.name, metadata.namespace) filter; a Table is sent
         * for each object when asked for (kubectl get -w).
         */
        void streamWatch(HttpServerRequest http, Vertx vertx) {
            RecordedRequest request = new RecordedRequest("HTTP/1.1", HttpMethod.GET, http.uri(),
                    Headers.builder().addAll(http.headers()).build(), new Buffer());
            HttpServerResponse response = http.response();
            MockResponse refused = admit(request, caller -> { });
            WatchLog.Query query = WatchLog.Query.parse(request.getPath());
            if (refused == null && query == null) {
                refused = status(400, "BadRequest", "the sandbox API cannot watch " + withoutQuery(request.getPath()));
            }
            long since = -1;
            if (refused == null && query.resourceVersion() != null && !query.resourceVersion().isEmpty() && !"0".equals(query.resourceVersion())) {
                try {
                    since = Long.parseLong(query.resourceVersion());
                } catch (NumberFormatException e) {
                    refused = status(400, "BadRequest", "invalid resourceVersion " + query.resourceVersion());
                }
            }
            if (refused != null) {
                response.setStatusCode(refused.code()).putHeader("Content-Type", "application/json").end(bodyOf(refused));
                return;
            }
            boolean table = Tables.wanted(request.getHeader("Accept"));
            String collection = withoutQuery(request.getPath());
            var context = vertx.getOrCreateContext();
            response.setStatusCode(200).setChunked(true).putHeader("Content-Type", "application/json");
            // Room for a large first list; past it the client is taken to have stopped reading (see send)
            response.setWriteQueueMaxSize(4 * 1024 * 1024);
            response.write(""); // the headers now: a client waits for them before it reads events
            WatchLog log = crud.log;
            if (since >= 0 && since < log.oldestKnown()) {
                ObjectNode expired = (ObjectNode) readTree(bodyOf(status(410, "Expired",
                        "too old resource version: " + since + " (" + log.oldestKnown() + ")")));
                response.end(JSON.createObjectNode().put("type", "ERROR").set("object", expired).toString() + "\n");
                return;
            }
            // what the client was sent of each object: an event older than that is not sent again
            Map<String, Long> sent = new HashMap<>();
            Consumer<WatchLog.Event> send = event -> {
                Long already = sent.get(event.namespace() + "/" + event.name());
                if (already != null && already >= event.resourceVersion() || response.closed() || response.ended()) {
                    return;
                }
                if (response.writeQueueFull()) {
                    // A client that stopped reading (a suspended kubectl -w) would otherwise hold every event in memory for the
                    // watch's lifetime: end the watch, as an API server drops a slow watcher; the client lists and watches again.
                    response.end();
                    return;
                }
                sent.put(event.namespace() + "/" + event.name(), event.resourceVersion());
                ObjectNode object = event.object();
                JsonNode asTable = table ? Tables.of(object, collection + "/" + event.name()) : null;
                response.write(JSON.createObjectNode().put("type", event.type()).set("object", asTable != null ? asTable : object).toString() + "\n");
            };
            // Subscribed before the backlog or the list is read, so nothing falls in between; what happens meanwhile
            // is sent on this connection's context, after them, and only if newer than what they sent.
            WatchLog.Subscription subscription = log.subscribe(since < 0 ? log.latest() : since, query,
                    event -> context.runOnContext(ignored -> send.accept(event)));
            if (since < 0) {
                for (JsonNode item : readTree(bodyOf(get(collection))).path("items")) {
                    WatchLog.Event current = WatchLog.Event.of("ADDED", item.toString(), item, 0);
                    if (query.matches(current)) {
                        send.accept(current);
                    }
                }
            }
            subscription.backlog().forEach(send);
            long timeout = query.timeoutSeconds() > 0 ? query.timeoutSeconds() * 1000L : WATCH_TIMEOUT.toMillis();
            long timer = vertx.setTimer(timeout, id -> {
                log.unsubscribe(subscription);
                if (!response.ended() && !response.closed()) {
                    response.end();
                }
            });
            response.closeHandler(ignored -> {
                log.unsubscribe(subscription);
                vertx.cancelTimer(timer);
            });
        }

        // ---------------------------------------------------------------- the scale subresource

        /**
         * {@code GET|PUT|PATCH .../statefulsets/NAME/scale}, as {@code kubectl scale}, the HorizontalPodAutoscaler
         * and fabric8's {@code scale(n)} use it (StatefulSet API reference, "read/replace/patch scale of the
         * specified StatefulSet"): GET answers an autoscaling/v1 Scale, PUT and PATCH change the StatefulSet's
         * {@code spec.replicas} and answer the Scale.
         */
        private MockResponse scaleSubresource(RecordedRequest request, String parentPath, boolean dryRun) {
            // optimistic concurrency: a Scale that names a resourceVersion must name the parent's current one
            String expected = requestedResourceVersion(request);
            for (int attempt = 0; ; attempt++) {
                MockResponse current = crud(HttpMethod.GET, parentPath, null, null);
                if (current.code() != 200) {
                    return current;
                }
                ObjectNode parent = (ObjectNode) readTree(bodyOf(current));
                ObjectNode scale = scaleOf(parent);
                String method = request.getMethod();
                if ("GET".equals(method)) {
                    return json(200, scale);
                }
                JsonNode desired;
                try {
                    if ("PUT".equals(method)) {
                        desired = readTree(bodyText(request));
                    } else if ("PATCH".equals(method)) {
                        desired = patched(scale, request.getHeader("Content-Type"), readTree(bodyText(request)));
                    } else {
                        return status(405, "MethodNotAllowed", "the server does not allow this method on the requested resource");
                    }
                } catch (IllegalArgumentException e) {
                    return status(422, "Invalid", e.getMessage());
                } catch (UnsupportedOperationException e) {
                    return status(415, "UnsupportedMediaType", e.getMessage());
                }
                JsonNode replicas = desired.path("spec").path("replicas");
                if (!replicas.canConvertToInt() || replicas.asInt() < 0) {
                    return status(422, "Invalid", "Scale.autoscaling \"" + parent.path("metadata").path("name").asText()
                            + "\" is invalid: spec.replicas: Invalid value: " + replicas + ": must be greater than or equal to 0");
                }
                if (dryRun) {
                    if (!expected.isEmpty() && !expected.equals(parent.path("metadata").path("resourceVersion").asText())) {
                        return conflict(parentPath);
                    }
                    ((ObjectNode) parent.path("spec")).put("replicas", replicas.asInt());
                    return json(200, scaleOf(parent));
                }
                ObjectNode patch = JSON.createObjectNode();
                patch.putObject("metadata").put("resourceVersion",
                        expected.isEmpty() ? parent.path("metadata").path("resourceVersion").asText() : expected);
                patch.putObject("spec").put("replicas", replicas.asInt());
                MockResponse updated = crud(HttpMethod.PATCH, parentPath, "application/merge-patch+json", patch.toString());
                if (updated.code() == 409 && expected.isEmpty() && attempt < 10) {
                    continue; // someone else wrote the parent in between: the API server retries such updates itself
                }
                if (updated.code() / 100 != 2) {
                    return updated;
                }
                return json(200, scaleOf((ObjectNode) readTree(bodyOf(updated))));
            }
        }

        /** The autoscaling/v1 Scale of a StatefulSet (or any object with spec.replicas and spec.selector). */
        private static ObjectNode scaleOf(ObjectNode parent) {
            ObjectNode scale = JSON.createObjectNode();
            scale.put("kind", "Scale");
            scale.put("apiVersion", "autoscaling/v1");
            ObjectNode meta = scale.putObject("metadata");
            for (String field : List.of("name", "namespace", "uid", "resourceVersion", "creationTimestamp")) {
                if (parent.path("metadata").has(field)) {
                    meta.set(field, parent.path("metadata").get(field));
                }
            }
            // StatefulSetSpec.replicas: "If unspecified, defaults to 1."
            scale.putObject("spec").put("replicas", parent.path("spec").path("replicas").asInt(1));
            ObjectNode status = scale.putObject("status");
            status.put("replicas", parent.path("status").path("replicas").asInt(0));
            status.put("selector", selectorString(parent.path("spec").path("selector")));
            return scale;
        }

        /** A label selector in the string form Scale.status.selector uses: "app=postgres,tier in (db)". */
        static String selectorString(JsonNode selector) {
            TreeMap<String, String> requirements = new TreeMap<>();
            selector.path("matchLabels").fields().forEachRemaining(e -> requirements.put(e.getKey() + "=" + e.getValue().asText(), e.getKey()));
            for (JsonNode expr : selector.path("matchExpressions")) {
                String key = expr.path("key").asText();
                List<String> values = new ArrayList<>();
                expr.path("values").forEach(v -> values.add(v.asText()));
                values.sort(null);
                String requirement = switch (expr.path("operator").asText()) {
                    case "In" -> key + " in (" + String.join(",", values) + ")";
                    case "NotIn" -> key + " notin (" + String.join(",", values) + ")";
                    case "Exists" -> key;
                    case "DoesNotExist" -> "!" + key;
                    default -> null;
                };
                if (requirement != null) {
                    requirements.put(requirement, key);
                }
            }
            // requirements sorted by key, as labels.Selector.String() prints them
            List<Map.Entry<String, String>> sorted = new ArrayList<>(requirements.entrySet());
            sorted.sort(Map.Entry.comparingByValue());
            return String.join(",", sorted.stream().map(Map.Entry::getKey).toList());
        }

        // ---------------------------------------------------------------- strategic merge patch

        /**
         * {@code POST .../serviceaccounts/NAME/token}: a bound token for the ServiceAccount, expiring after
         * {@code spec.expirationSeconds} (https://kubernetes.io/docs/reference/kubernetes-api/authentication-resources/token-request-v1/).
         * The token is confined to the ServiceAccount's namespace and the learner's rules ({@link LearnerTokens}).
         */
        private MockResponse tokenRequest(RecordedRequest request, String namespace, String account) {
            String accountPath = "/api/v1/namespaces/" + namespace + "/serviceaccounts/" + account;
            MockResponse found = crud.dispatch(new RecordedRequest("HTTP/1.1", HttpMethod.GET, accountPath, Headers.builder().build(), new Buffer()));
            if (found.code() != 200) {
                return status(404, "NotFound", "serviceaccounts \"" + account + "\" not found");
            }
            JsonNode body = readTree(bodyText(request));
            long seconds = body.path("spec").path("expirationSeconds").asLong(3600);
            ObjectNode answer = body.isObject() ? ((ObjectNode) body).deepCopy() : JSON.createObjectNode();
            answer.put("apiVersion", "authentication.k8s.io/v1").put("kind", "TokenRequest");
            answer.withObject("/metadata").put("name", account).put("namespace", namespace);
            answer.withObject("/status").put("token", learners.issue(namespace, account, seconds))
                    .put("expirationTimestamp", java.time.Instant.now().plusSeconds(seconds).truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString());
            return json(201, answer);
        }

        private static boolean isStrategicMergePatch(String contentType) {
            return contentType != null && contentType.toLowerCase(Locale.ROOT).startsWith("application/strategic-merge-patch+json");
        }

        /**
         * Reads the object, applies the strategic merge patch and writes it back with its resourceVersion, so a
         * concurrent write is a conflict retried here (as the API server retries a patch) unless the patch itself
         * names a resourceVersion.
         */
        private MockResponse strategicMergePatch(RecordedRequest request, String path) {
            JsonNode patch;
            try {
                patch = readTree(bodyText(request));
            } catch (IllegalArgumentException e) {
                return status(400, "BadRequest", e.getMessage());
            }
            if (!patch.isObject()) {
                return status(400, "BadRequest", "a strategic merge patch must be a JSON object");
            }
            String readPath = path.endsWith("/status") ? path.substring(0, path.length() - "/status".length()) : path;
            for (int attempt = 0; ; attempt++) {
                MockResponse current = crud(HttpMethod.GET, readPath, null, null);
                if (current.code() != 200) {
                    return current;
                }
                JsonNode original = readTree(bodyOf(current));
                JsonNode result;
                try {
                    result = StrategicMerge.apply(original, patch);
                } catch (IllegalArgumentException e) {
                    return status(422, "Invalid", e.getMessage());
                }
                if (!result.path("metadata").has("resourceVersion")) {
                    ((ObjectNode) result.path("metadata")).set("resourceVersion", original.path("metadata").path("resourceVersion"));
                }
                MockResponse updated = crud(HttpMethod.PUT, path, "application/json", result.toString());
                boolean patchNamesVersion = patch.path("metadata").has("resourceVersion");
                if (updated.code() == 409 && !patchNamesVersion && attempt < 5) {
                    continue;
                }
                return updated;
            }
        }

        private static JsonNode patched(JsonNode target, String contentType, JsonNode patch) {
            String type = contentType == null ? "" : contentType.toLowerCase(Locale.ROOT);
            if (type.startsWith("application/json-patch+json")) {
                try {
                    return JsonPatch.apply(patch, target.deepCopy());
                } catch (RuntimeException e) {
                    throw new IllegalArgumentException("the JSON patch could not be applied: " + e.getMessage(), e);
                }
            }
            if (type.startsWith("application/merge-patch+json")) {
                return mergePatch(target, patch);
            }
            if (isStrategicMergePatch(type)) {
                if (!patch.isObject()) {
                    throw new IllegalArgumentException("a strategic merge patch must be a JSON object");
                }
                return StrategicMerge.apply(target, patch);
            }
            throw new UnsupportedOperationException("the body of the request was in an unknown format - accepted media types "
                    + "include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json");
        }

        /** RFC 7386 JSON merge patch: objects merge, null removes, anything else (lists too) replaces. */
        static JsonNode mergePatch(JsonNode target, JsonNode patch) {
            if (!patch.isObject()) {
                return patch.deepCopy();
            }
            ObjectNode result = target != null && target.isObject() ? ((ObjectNode) target).deepCopy() : JSON.createObjectNode();
            patch.fields().forEachRemaining(e -> {
                if (e.getValue().isNull()) {
                    result.remove(e.getKey());
                } else {
                    result.set(e.getKey(), mergePatch(result.get(e.getKey()), e.getValue()));
                }
            });
            return result;
        }

        // ---------------------------------------------------------------- StatefulSet updates

        /** "updates to statefulset spec for fields other than ... are forbidden" (apps validation, ValidateStatefulSetUpdate). */
        private static final List<String> STATEFULSET_MUTABLE_SPEC = List.of("replicas", "ordinals", "template", "updateStrategy",
                "revisionHistoryLimit", "persistentVolumeClaimRetentionPolicy", "minReadySeconds");
        private static final String STATEFULSET_FORBIDDEN = "updates to statefulset spec for fields other than 'replicas', "
                + "'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' "
                + "and 'minReadySeconds' are forbidden";

        /**
         * PUT and every PATCH of a StatefulSet, read-modify-write as the API server does them, so that what it
         * checks is checked here too: the spec fields a StatefulSet cannot change (podManagementPolicy, selector,
         * serviceName, volumeClaimTemplates: "delete and re-create it" is the way), the defaults, and the status,
         * which only the status subresource writes. A write that names no resourceVersion is retried on a conflict.
         */
        private MockResponse updateStatefulSet(RecordedRequest request, String path, String name, boolean dryRun) {
            if ("PATCH".equals(request.getMethod())) {
                try {
                    patched(JSON.createObjectNode(), request.getHeader("Content-Type"), JSON.createObjectNode());
                } catch (UnsupportedOperationException e) {
                    return status(415, "UnsupportedMediaType", e.getMessage()); // server-side apply, for one
                } catch (IllegalArgumentException e) {
                    // the type is known; the patch itself is looked at below
                }
            }
            JsonNode input;
            try {
                input = readTree(bodyText(request));
            } catch (IllegalArgumentException e) {
                return status(400, "BadRequest", e.getMessage());
            }
            boolean put = "PUT".equals(request.getMethod());
            boolean preconditioned = !requestedResourceVersion(request).isEmpty();
            for (int attempt = 0; ; attempt++) {
                MockResponse current = crud(HttpMethod.GET, path, null, null);
                if (current.code() != 200) {
                    return current;
                }
                JsonNode old = readTree(bodyOf(current));
                JsonNode next;
                try {
                    next = put ? input.deepCopy() : patched(old, request.getHeader("Content-Type"), input);
                } catch (IllegalArgumentException e) {
                    return status(422, "Invalid", e.getMessage());
                } catch (UnsupportedOperationException e) {
                    return status(415, "UnsupportedMediaType", e.getMessage());
                }
                if (!(next instanceof ObjectNode object) || !(object.get("metadata") instanceof ObjectNode meta)) {
                    return status(422, "Invalid", "StatefulSet.apps \"" + name + "\" is invalid: metadata: Required value");
                }
                statefulSetDefaults(object, false);
                if (old.has("status")) {
                    object.set("status", old.get("status"));
                } else {
                    object.remove("status");
                }
                if (meta.path("resourceVersion").asText("").isEmpty()) {
                    meta.set("resourceVersion", old.path("metadata").path("resourceVersion"));
                }
                ObjectNode oldSpec = old.path("spec").isObject() ? ((ObjectNode) old.path("spec")).deepCopy() : JSON.createObjectNode();
                ObjectNode newSpec = object.path("spec").isObject() ? ((ObjectNode) object.path("spec")).deepCopy() : JSON.createObjectNode();
                oldSpec.remove(STATEFULSET_MUTABLE_SPEC);
                newSpec.remove(STATEFULSET_MUTABLE_SPEC);
                if (!oldSpec.equals(newSpec)) {
                    return invalid(name, "spec", "FieldValueForbidden", "Forbidden: " + STATEFULSET_FORBIDDEN);
                }
                if (dryRun) {
                    if (!meta.path("resourceVersion").asText().equals(old.path("metadata").path("resourceVersion").asText())) {
                        return conflict(path);
                    }
                    for (String field : List.of("uid", "creationTimestamp", "namespace")) {
                        if (old.path("metadata").has(field)) {
                            meta.set(field, old.path("metadata").get(field));
                        }
                    }
                    return json(200, object);
                }
                MockResponse updated = crud(HttpMethod.PUT, path, "application/json", object.toString());
                if (updated.code() == 409 && !preconditioned && attempt < 5) {
                    continue;
                }
                return updated;
            }
        }

        private static final Pattern DNS_1123_SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

        /**
         * What the API server's validation refuses in a new StatefulSet (apps/validation ValidateStatefulSet), with its
         * words: a name that is not a DNS-1123 subdomain, a selector that does not match the template's labels, no
         * container. Null when it is valid.
         */
        static MockResponse validateNewStatefulSet(JsonNode sts) {
            String name = sts.path("metadata").path("name").asText("");
            if (name.isEmpty()) {
                return null; // answered below as the missing name it is
            }
            if (name.length() > 253 || !DNS_1123_SUBDOMAIN.matcher(name).matches()) {
                return invalid(name, "metadata.name", "FieldValueInvalid", "Invalid value: \"" + name + "\": a lowercase RFC 1123 subdomain "
                        + "must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character");
            }
            JsonNode spec = sts.path("spec");
            JsonNode matchLabels = spec.path("selector").path("matchLabels");
            if (!spec.path("selector").isObject() || (matchLabels.isEmpty() && spec.path("selector").path("matchExpressions").isEmpty())) {
                return invalid(name, "spec.selector", "FieldValueRequired", "Required value");
            }
            JsonNode labels = spec.path("template").path("metadata").path("labels");
            var fields = matchLabels.fields();
            while (fields.hasNext()) {
                var wanted = fields.next();
                if (!wanted.getValue().asText().equals(labels.path(wanted.getKey()).asText(null))) {
                    return invalid(name, "spec.template.metadata.labels", "FieldValueInvalid", "Invalid value: " + labels
                            + ": `selector` does not match template `labels`");
                }
            }
            if (!spec.path("template").path("spec").path("containers").isArray() || spec.path("template").path("spec").path("containers").isEmpty()) {
                return invalid(name, "spec.template.spec.containers", "FieldValueRequired", "Required value");
            }
            return null;
        }

        /** The 422 an API server answers for an invalid StatefulSet; kubectl prints "The StatefulSet "x" is invalid: ...". */
        private static MockResponse invalid(String name, String field, String reason, String message) {
            ObjectNode body = (ObjectNode) readTree(bodyOf(status(422, "Invalid",
                    "StatefulSet.apps \"" + name + "\" is invalid: " + field + ": " + message)));
            ObjectNode details = body.putObject("details").put("name", name).put("group", "apps").put("kind", "StatefulSet");
            details.putArray("causes").addObject().put("reason", reason).put("message", message).put("field", field);
            return json(422, body);
        }

        // ---------------------------------------------------------------- plumbing

        private MockResponse crud(HttpMethod method, String path, String contentType, String body) {
            Headers.Builder headers = Headers.builder();
            if (contentType != null) {
                headers.add("Content-Type", contentType);
            }
            Buffer buffer = new Buffer();
            if (body != null) {
                buffer.writeUtf8(body);
            }
            return crud.dispatch(new RecordedRequest("HTTP/1.1", method, path, headers.build(), buffer));
        }

        private static RecordedRequest withBody(RecordedRequest request, String body) {
            return new RecordedRequest(request.getHttpVersion(), request.method(), request.getPath(), request.getHeaders(),
                    new Buffer().writeUtf8(body));
        }

        /** A request's body, read without consuming it (the mock server's Buffer empties on its first read). */
        static String bodyText(RecordedRequest request) {
            return request.getBody() == null ? null : new String(request.getBody().getBytes(), StandardCharsets.UTF_8);
        }

        private static String bodyOf(MockResponse response) {
            return response.getBody() == null ? "" : new String(response.getBody().getBytes(), StandardCharsets.UTF_8);
        }

        private static String hostHeader(RecordedRequest request) {
            String host = request.getHeader("Host");
            return host == null ? "127.0.0.1" : host;
        }

        private static String withoutQuery(String path) {
            int q = path.indexOf('?');
            return q < 0 ? path : path.substring(0, q);
        }

        private static JsonNode readTree(String json) {
            try {
                return JSON.readTree(json == null || json.isBlank() ? "{}" : json);
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException("invalid JSON: " + e.getOriginalMessage(), e);
            }
        }

        private static MockResponse json(int code, JsonNode body) {
            return new MockResponse().setResponseCode(code).setHeader("Content-Type", "application/json").setBody(body.toString());
        }

        /** A metav1.Status, the body every API server error carries. */
        private static MockResponse status(int code, String reason, String message) {
            ObjectNode status = JSON.createObjectNode();
            status.put("kind", "Status").put("apiVersion", "v1").put("status", "Failure")
                    .put("message", message).put("reason", reason).put("code", code);
            return json(code, status);
        }

        /** The sandbox's own controls, on the API's port so that any class loader or process can reach them. */
        private MockResponse control(RecordedRequest request) {
            String path = request.getPath();
            if ("POST".equals(request.getMethod()) && path.startsWith(CONTROL_PATH + "faults")) {
                var query = java.net.URI.create(path).getQuery();
                var params = new java.util.HashMap<String, String>();
                for (String pair : query == null ? new String[0] : query.split("&")) {
                    String[] kv = pair.split("=", 2);
                    params.put(kv[0], kv.length > 1 ? kv[1] : "");
                }
                faultRate = Double.parseDouble(params.getOrDefault("rate", "0"));
                faultDelay = Duration.ofMillis(Long.parseLong(params.getOrDefault("delayMs", "3000")));
            }
            return new MockResponse().setResponseCode(200).setHeader("Content-Type", "application/json")
                    .setBody("{\"requests\":" + requests.get() + ",\"simulatorRequests\":" + simulatorRequests.get() + ",\"writes\":" + writes.get() + ",\"injectedFaults\":"
                            + faults.get() + ",\"faultRate\":" + faultRate + "}");
        }

        private MockResponse faultOrNull(RecordedRequest request) {
            boolean write = switch (request.getMethod()) {
                case "POST", "PUT", "PATCH", "DELETE" -> true;
                default -> false;
            };
            if (!write) {
                return null;
            }
            writes.incrementAndGet();
            double rate = faultRate;
            String agent = request.getHeader("User-Agent");
            if (agent != null && agent.startsWith(SIMULATOR_USER_AGENT)) {
                return null;
            }
            if (rate <= 0 || ThreadLocalRandom.current().nextDouble() >= rate) {
                return null;
            }
            faults.incrementAndGet();
            if (ThreadLocalRandom.current().nextBoolean()) {
                perform(request);
                return new MockResponse().setResponseCode(500)
                        .setHeader("Content-Type", "application/json")
                        .setBody("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\","
                                + "\"message\":\"injected fault\",\"reason\":\"InternalError\",\"code\":500}");
            }
            // A timeout: the write never happens and the answer comes too late for the client.
            return new MockResponse().setResponseCode(504).setBodyDelay(faultDelay)
                    .setBody("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"code\":504}");
        }

        @Override
        public void shutdown() {
            crud.shutdown();
        }
    }

    /** The mock server's store, also keeping each change in a {@link WatchLog} for watches over plain HTTP. */
    static final class RecordingCrudDispatcher extends KubernetesCrudDispatcher {
        final WatchLog log = new WatchLog();

        RecordingCrudDispatcher() {
            super(List.of());
        }

        @Override
        public void processEvent(String path, AttributeSet pathAttributes, AttributeSet oldAttributes,
                                 GenericKubernetesResource resource, String newState) {
            // called with the store locked, once per stored change: the old state is still in the map here
            String oldState = oldAttributes == null ? null : map.get(oldAttributes);
            super.processEvent(path, pathAttributes, oldAttributes, resource, newState);
            if (!Objects.equals(oldState, newState)) {
                log.record(oldState, newState, this::requestResourceVersion);
            }
        }
    }

    /**
     * The changes of the store, in resourceVersion order, for watches over HTTP: a watch from resourceVersion N is sent
     * the changes after N, then each change as it is stored, as an API server's watch cache does. The last
     * {@link #CAPACITY} changes are kept, as the stored JSON (not parsed until sent); a watch from before them is
     * answered 410 Expired, and the client lists again.
     */
    static final class WatchLog {
        private static final int CAPACITY = 10_000;

        /** One change; {@code json} is the object as stored, {@code version} its resourceVersion (a deletion's is new). */
        record Event(long resourceVersion, String type, String apiVersion, String kind, String namespace, String name,
                     Map<String, String> labels, String json) {

            static Event of(String type, String json, JsonNode object, long version) {
                JsonNode meta = object.path("metadata");
                Map<String, String> labels = new HashMap<>();
                meta.path("labels").fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
                return new Event(version > 0 ? version : meta.path("resourceVersion").asLong(0), type, object.path("apiVersion").asText(""),
                        object.path("kind").asText(""), meta.path("namespace").asText(""), meta.path("name").asText(""), labels, json);
            }

            /** The object as a watch sends it, with this event's resourceVersion. */
            ObjectNode object() {
                ObjectNode object = (ObjectNode) FaultInjectingDispatcher.readTree(json);
                (object.get("metadata") instanceof ObjectNode meta ? meta : object.putObject("metadata"))
                        .put("resourceVersion", Long.toString(resourceVersion));
                return object;
            }
        }

        /** A watch following the log: {@code backlog} is what it missed, the listener gets what comes next. */
        record Subscription(Query query, Consumer<Event> listener, List<Event> backlog) {
        }

        private final ArrayDeque<Event> events = new ArrayDeque<>();
        private final List<Subscription> subscriptions = new ArrayList<>();
        private long oldestKnown;
        private long latest;

        synchronized long latest() {
            return latest;
        }

        synchronized long oldestKnown() {
            return oldestKnown;
        }

        /** Called with the store locked, once per stored change: only queues work for the watches. */
        synchronized void record(String oldState, String newState, java.util.function.LongSupplier nextVersion) {
            Event event;
            if (newState == null) {
                // deleted: the API server gives the deletion a resourceVersion of its own
                event = Event.of("DELETED", oldState, FaultInjectingDispatcher.readTree(oldState), nextVersion.getAsLong());
            } else {
                JsonNode object = FaultInjectingDispatcher.readTree(newState);
                long version = object.path("metadata").path("resourceVersion").asLong(0);
                event = Event.of(oldState == null ? "ADDED" : "MODIFIED", newState, object, version <= latest ? nextVersion.getAsLong() : version);
            }
            events.addLast(event);
            latest = Math.max(latest, event.resourceVersion());
            while (events.size() > CAPACITY) {
                oldestKnown = events.removeFirst().resourceVersion();
            }
            for (Subscription subscription : subscriptions) {
                if (subscription.query().matches(event)) {
                    subscription.listener().accept(event);
                }
            }
        }

        synchronized Subscription subscribe(long since, Query query, Consumer<Event> listener) {
            Subscription subscription = new Subscription(query, listener, since(since, query));
            subscriptions.add(subscription);
            return subscription;
        }

        synchronized void unsubscribe(Subscription subscription) {
            subscriptions.remove(subscription);
        }

        synchronized List<Event> since(long resourceVersion, Query query) {
            List<Event> out = new ArrayList<>();
            for (Event e : events) {
                if (e.resourceVersion() > resourceVersion && query.matches(e)) {
                    out.add(e);
                }
            }
            return out;
        }

        /** What a watch asks for: {@code /api/v1/namespaces/NS/pods?watch=true&labelSelector=...&fieldSelector=...}. */
        record Query(String group, String resource, String namespace, Map<String, String> fields, List<String> labelRequirements,
                     String resourceVersion, long timeoutSeconds) {
            private static final Pattern PATH = Pattern.compile(
                    "/(?:api|apis/([a-z0-9.-]+))/(v[a-z0-9]+)(?:/namespaces/([a-z0-9-]+))?/([a-z]+)");

            static Query parse(String pathAndQuery) {
                Matcher m = PATH.matcher(FaultInjectingDispatcher.withoutQuery(pathAndQuery));
                if (!m.matches()) {
                    return null;
                }
                Map<String, String> params = new HashMap<>();
                int q = pathAndQuery.indexOf('?');
                for (String pair : q < 0 ? new String[0] : pathAndQuery.substring(q + 1).split("&")) {
                    String[] kv = pair.split("=", 2);
                    params.put(decode(kv[0]), kv.length > 1 ? decode(kv[1]) : "");
                }
                Map<String, String> fields = new HashMap<>();
                for (String requirement : params.getOrDefault("fieldSelector", "").split(",")) {
                    String[] kv = requirement.split("==?", 2);
                    if (kv.length == 2) {
                        fields.put(kv[0].trim(), kv[1].trim());
                    }
                }
                long timeout;
                try {
                    timeout = Long.parseLong(params.getOrDefault("timeoutSeconds", "0"));
                } catch (NumberFormatException e) {
                    timeout = 0;
                }
                return new Query(m.group(1) == null ? "" : m.group(1), m.group(4), m.group(3), fields,
                        splitRequirements(params.getOrDefault("labelSelector", "")), params.get("resourceVersion"), timeout);
            }

            boolean matches(Event e) {
                String eventGroup = e.apiVersion().contains("/") ? e.apiVersion().substring(0, e.apiVersion().indexOf('/')) : "";
                if (!group.equals(eventGroup) || !resource.equals(Discovery.plural(e.kind()))) {
                    return false;
                }
                if (namespace != null && !namespace.equals(e.namespace())) {
                    return false;
                }
                if (fields.containsKey("metadata.name") && !fields.get("metadata.name").equals(e.name())) {
                    return false;
                }
                if (fields.containsKey("metadata.namespace") && !fields.get("metadata.namespace").equals(e.namespace())) {
                    return false;
                }
                return labelRequirements.stream().allMatch(r -> labelMatches(r, e.labels()));
            }

            /** One requirement of a label selector: {@code k=v}, {@code k!=v}, {@code k}, {@code !k}, {@code k in (a,b)}. */
            static boolean labelMatches(String requirement, Map<String, String> labels) {
                String r = requirement.trim();
                Matcher set = Pattern.compile("([^\\s!=]+)\\s+(in|notin)\\s+\\((.*)\\)").matcher(r);
                if (set.matches()) {
                    List<String> values = List.of(set.group(3).split("\\s*,\\s*"));
                    boolean in = labels.containsKey(set.group(1)) && values.contains(labels.get(set.group(1)));
                    return "in".equals(set.group(2)) == in;
                }
                if (r.contains("!=")) {
                    String[] kv = r.split("!=", 2);
                    return !kv[1].trim().equals(labels.get(kv[0].trim()));
                }
                if (r.contains("=")) {
                    String[] kv = r.split("==?", 2);
                    return kv[1].trim().equals(labels.get(kv[0].trim()));
                }
                return r.startsWith("!") ? !labels.containsKey(r.substring(1)) : labels.containsKey(r);
            }

            private static List<String> splitRequirements(String selector) {
                List<String> out = new ArrayList<>();
                int depth = 0;
                StringBuilder current = new StringBuilder();
                for (char c : selector.toCharArray()) {
                    depth += c == '(' ? 1 : c == ')' ? -1 : 0;
                    if (c == ',' && depth == 0) {
                        out.add(current.toString());
                        current.setLength(0);
                    } else {
                        current.append(c);
                    }
                }
                if (!current.toString().isBlank()) {
                    out.add(current.toString());
                }
                return out;
            }

            private static String decode(String s) {
                return java.net.URLDecoder.decode(s, StandardCharsets.UTF_8);
            }
        }
    }

    /**
     * Server-side printing: {@code kubectl get} asks for a meta.k8s.io/v1 Table and prints its columns. The columns
     * are those of the API server's printers for the kinds a lab looks at (pods with READY and STATUS, StatefulSets,
     * PVCs, Services, Namespaces); wide columns have priority 1, shown by {@code -o wide}. Other kinds are sent
     * as they are, and kubectl prints NAME and AGE for them.
     */
    static final class Tables {
        private Tables() {
        }

        static boolean wanted(String accept) {
            return accept != null && accept.contains("as=Table");
        }

        /** A Table of a list response or of one object; null for a kind without columns of its own here. */
        static JsonNode of(JsonNode body, String path) {
            String resource = resourceOf(path);
            if (resource == null || body == null || !body.isObject()) {
                return null;
            }
            ObjectNode table = JSON.createObjectNode().put("kind", "Table").put("apiVersion", "meta.k8s.io/v1");
            table.putObject("metadata").put("resourceVersion", body.path("metadata").path("resourceVersion").asText(""));
            ArrayNode columns = table.putArray("columnDefinitions");
            column(columns, "Name", "string", "name", 0);
            switch (resource) {
                case "pods" -> {
                    column(columns, "Ready", "string", "", 0);
                    column(columns, "Status", "string", "", 0);
                    column(columns, "Restarts", "string", "", 0);
                    column(columns, "Age", "string", "", 0);
                    column(columns, "IP", "string", "", 1);
                    column(columns, "Node", "string", "", 1);
                    column(columns, "Nominated Node", "string", "", 1);
                    column(columns, "Readiness Gates", "string", "", 1);
                }
                case "statefulsets" -> {
                    column(columns, "Ready", "string", "", 0);
                    column(columns, "Age", "string", "", 0);
                    column(columns, "Containers", "string", "", 1);
                    column(columns, "Images", "string", "", 1);
                }
                case "persistentvolumeclaims" -> {
                    column(columns, "Status", "string", "", 0);
                    column(columns, "Volume", "string", "", 0);
                    column(columns, "Capacity", "string", "", 0);
                    column(columns, "Access Modes", "string", "", 0);
                    column(columns, "StorageClass", "string", "", 0);
                    column(columns, "VolumeAttributesClass", "string", "", 0);
                    column(columns, "Age", "string", "", 0);
                    column(columns, "VolumeMode", "string", "", 1);
                }
                case "services" -> {
                    column(columns, "Type", "string", "", 0);
                    column(columns, "Cluster-IP", "string", "", 0);
                    column(columns, "External-IP", "string", "", 0);
                    column(columns, "Port(s)", "string", "", 0);
                    column(columns, "Age", "string", "", 0);
                    column(columns, "Selector", "string", "", 1);
                }
                case "namespaces" -> {
                    column(columns, "Status", "string", "", 0);
                    column(columns, "Age", "string", "", 0);
                }
                default -> {
                    return null;
                }
            }
            ArrayNode rows = table.putArray("rows");
            if (body.has("items")) {
                body.path("items").forEach(item -> rows.add(row(resource, item)));
            } else {
                rows.add(row(resource, body));
            }
            return table;
        }

        private static String resourceOf(String path) {
            Matcher list = WatchLog.Query.PATH.matcher(path);
            if (list.matches()) {
                return list.group(4);
            }
            Matcher named = NAMED_OBJECT_PATH.matcher(path);
            return named.matches() && !path.endsWith("/status") && !path.endsWith("/scale") ? named.group(2) : null;
        }

        private static void column(ArrayNode columns, String name, String type, String format, int priority) {
            columns.addObject().put("name", name).put("type", type).put("format", format).put("description", name)
                    .put("priority", priority);
        }

        private static ObjectNode row(String resource, JsonNode o) {
            ObjectNode row = JSON.createObjectNode();
            ArrayNode cells = row.putArray("cells");
            JsonNode meta = o.path("metadata");
            JsonNode spec = o.path("spec");
            JsonNode status = o.path("status");
            cells.add(meta.path("name").asText());
            String age = age(meta.path("creationTimestamp").asText(""));
            switch (resource) {
                case "pods" -> {
                    int containers = spec.path("containers").size();
                    int ready = 0;
                    int restarts = 0;
                    // printPod: the phase, or the reason a container waits or ended, or Terminating
                    String reason = status.path("reason").asText(status.path("phase").asText("Pending"));
                    for (JsonNode c : status.path("containerStatuses")) {
                        ready += c.path("ready").asBoolean() ? 1 : 0;
                        restarts += c.path("restartCount").asInt();
                        String waiting = c.path("state").path("waiting").path("reason").asText("");
                        String terminated = c.path("state").path("terminated").path("reason").asText("");
                        if (!waiting.isEmpty()) {
                            reason = waiting;
                        } else if (!terminated.isEmpty()) {
                            reason = terminated;
                        }
                    }
                    if ("Pending".equals(reason)) {
                        for (JsonNode c : status.path("conditions")) {
                            if ("PodScheduled".equals(c.path("type").asText()) && "False".equals(c.path("status").asText())) {
                                reason = "Pending";
                            }
                        }
                    }
                    if (meta.hasNonNull("deletionTimestamp")) {
                        reason = "Terminating";
                    }
                    cells.add(ready + "/" + containers).add(reason).add(Integer.toString(restarts)).add(age)
                            .add(status.path("podIP").asText("<none>")).add(spec.path("nodeName").asText("<none>"))
                            .add("<none>").add("<none>");
                }
                case "statefulsets" -> {
                    List<String> names = new ArrayList<>();
                    List<String> images = new ArrayList<>();
                    spec.path("template").path("spec").path("containers").forEach(c -> {
                        names.add(c.path("name").asText());
                        images.add(c.path("image").asText());
                    });
                    cells.add(status.path("readyReplicas").asInt(0) + "/" + spec.path("replicas").asInt(1)).add(age)
                            .add(String.join(",", names)).add(String.join(",", images));
                }
                case "persistentvolumeclaims" -> {
                    List<String> modes = new ArrayList<>();
                    status.path("accessModes").forEach(m -> modes.add(switch (m.asText()) {
                        case "ReadWriteOnce" -> "RWO";
                        case "ReadOnlyMany" -> "ROX";
                        case "ReadWriteMany" -> "RWX";
                        case "ReadWriteOncePod" -> "RWOP";
                        default -> m.asText();
                    }));
                    cells.add(meta.hasNonNull("deletionTimestamp") ? "Terminating" : status.path("phase").asText("Pending"))
                            .add(spec.path("volumeName").asText("")).add(status.path("capacity").path("storage").asText(""))
                            .add(String.join(",", modes)).add(spec.path("storageClassName").asText(""))
                            .add(spec.path("volumeAttributesClassName").asText("<unset>")).add(age)
                            .add(spec.path("volumeMode").asText("Filesystem"));
                }
                case "services" -> {
                    List<String> ports = new ArrayList<>();
                    spec.path("ports").forEach(p -> ports.add(p.path("port").asText() + "/" + p.path("protocol").asText("TCP")));
                    List<String> selector = new ArrayList<>();
                    spec.path("selector").fields().forEachRemaining(e -> selector.add(e.getKey() + "=" + e.getValue().asText()));
                    cells.add(spec.path("type").asText("ClusterIP")).add(spec.path("clusterIP").asText("<none>")).add("<none>")
                            .add(ports.isEmpty() ? "<none>" : String.join(",", ports)).add(age)
                            .add(selector.isEmpty() ? "<none>" : String.join(",", selector));
                }
                case "namespaces" -> cells.add(status.path("phase").asText("Active")).add(age);
                default -> throw new IllegalStateException(resource);
            }
            // includeObject=Metadata, the default: the row's object is the object's metadata only
            ObjectNode object = row.putObject("object").put("kind", "PartialObjectMetadata").put("apiVersion", "meta.k8s.io/v1");
            object.set("metadata", meta.deepCopy());
            return row;
        }

        /** The AGE column: duration.HumanDuration of the time since creation ("45s", "3m20s", "5h", "2d3h"). */
        static String age(String creationTimestamp) {
            if (creationTimestamp.isEmpty()) {
                return "<unknown>";
            }
            long seconds;
            try {
                seconds = Math.max(0, Duration.between(java.time.Instant.parse(creationTimestamp), java.time.Instant.now()).getSeconds());
            } catch (java.time.format.DateTimeParseException e) {
                return "<unknown>";
            }
            long minutes = seconds / 60;
            long hours = minutes / 60;
            if (seconds < 120) {
                return seconds + "s";
            } else if (minutes < 10) {
                return minutes + "m" + (seconds % 60 == 0 ? "" : seconds % 60 + "s");
            } else if (minutes < 180) {
                return minutes + "m";
            } else if (hours < 8) {
                return hours + "h" + (minutes % 60 == 0 ? "" : minutes % 60 + "m");
            } else if (hours < 48) {
                return hours + "h";
            } else if (hours < 24 * 8) {
                return hours / 24 + "d" + (hours % 24 == 0 ? "" : hours % 24 + "h");
            } else if (hours < 24 * 365 * 2) {
                return hours / 24 + "d";
            }
            return hours / 24 / 365 + "y";
        }
    }

    /**
     * API discovery, which kubectl (and any client-go program) reads before anything else: {@code /version},
     * the legacy group {@code /api}, {@code /api/v1}, the group list {@code /apis} and each group version. Only the
     * resources the sandbox stores are listed ("Discovery API" in the Kubernetes docs, unaggregated form: a
     * client that asks for the aggregated form falls back to it when the answer is plain application/json).
     * OpenAPI: {@code /openapi/v2} is 404 and {@code /openapi/v3} holds no schemas (see {@link #openApiV3}), so
     * {@code kubectl explain} is not available.
     */
    static final class Discovery {
        /** The Kubernetes version the sandbox claims to be (the API it imitates is that of current releases). */
        static final String GIT_VERSION = "v1.32.0-sandbox";
        private static final List<String> ALL_VERBS = List.of("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch");
        private static final List<String> STATUS_VERBS = List.of("get", "patch", "update");

        private record Resource(String group, String name, String singular, String kind, boolean namespaced,
                                List<String> shortNames, List<String> categories, List<String> subresources) {
        }

        private static final List<Resource> RESOURCES = List.of(
                new Resource("", "namespaces", "namespace", "Namespace", false, List.of("ns"), List.of(), List.of("status")),
                new Resource("", "pods", "pod", "Pod", true, List.of("po"), List.of("all"), List.of("status")),
                new Resource("", "persistentvolumeclaims", "persistentvolumeclaim", "PersistentVolumeClaim", true, List.of("pvc"), List.of(), List.of("status")),
                new Resource("", "services", "service", "Service", true, List.of("svc"), List.of("all"), List.of("status")),
                new Resource("", "endpoints", "endpoints", "Endpoints", true, List.of("ep"), List.of(), List.of()),
                new Resource("", "secrets", "secret", "Secret", true, List.of(), List.of(), List.of()),
                new Resource("", "configmaps", "configmap", "ConfigMap", true, List.of("cm"), List.of(), List.of()),
                new Resource("", "serviceaccounts", "serviceaccount", "ServiceAccount", true, List.of("sa"), List.of(), List.of()),
                new Resource("", "resourcequotas", "resourcequota", "ResourceQuota", true, List.of("quota"), List.of(), List.of("status")),
                new Resource("", "limitranges", "limitrange", "LimitRange", true, List.of("limits"), List.of(), List.of()),
                new Resource("", "events", "event", "Event", true, List.of("ev"), List.of(), List.of()),
                new Resource("apps", "statefulsets", "statefulset", "StatefulSet", true, List.of("sts"), List.of("all"), List.of("status", "scale")),
                new Resource("apps", "controllerrevisions", "controllerrevision", "ControllerRevision", true, List.of(), List.of(), List.of()),
                new Resource("rbac.authorization.k8s.io", "roles", "role", "Role", true, List.of(), List.of(), List.of()),
                new Resource("rbac.authorization.k8s.io", "rolebindings", "rolebinding", "RoleBinding", true, List.of(), List.of(), List.of()),
                new Resource("rbac.authorization.k8s.io", "clusterroles", "clusterrole", "ClusterRole", false, List.of(), List.of(), List.of()),
                new Resource("rbac.authorization.k8s.io", "clusterrolebindings", "clusterrolebinding", "ClusterRoleBinding", false, List.of(), List.of(), List.of()),
                new Resource("networking.k8s.io", "networkpolicies", "networkpolicy", "NetworkPolicy", true, List.of("netpol"), List.of(), List.of()));

        private Discovery() {
        }

        /** The kind of a resource name: "pods" holds "Pod". */
        static String kind(String plural) {
            for (Resource r : RESOURCES) {
                if (r.name().equals(plural)) {
                    return r.kind();
                }
            }
            String singular = plural.endsWith("ies") ? plural.substring(0, plural.length() - 3) + "y"
                    : plural.endsWith("s") ? plural.substring(0, plural.length() - 1) : plural;
            return singular.isEmpty() ? singular : Character.toUpperCase(singular.charAt(0)) + singular.substring(1);
        }

        /** The resource (plural) name of a kind, as in the URL: "Pod" is "pods". */
        static String plural(String kind) {
            for (Resource r : RESOURCES) {
                if (r.kind().equals(kind)) {
                    return r.name();
                }
            }
            String lower = kind.toLowerCase(Locale.ROOT);
            return lower.endsWith("s") ? lower + "es" : lower.endsWith("y") ? lower.substring(0, lower.length() - 1) + "ies" : lower + "s";
        }

        /**
         * {@code /openapi/v2} as kubectl 1.20 reads it (protobuf, for {@code apply}'s client-side validation): a valid
         * document with no definitions, so kubectl finds no schema and skips the validation it cannot do, as it does
         * for a kind the server does not describe (404 would send it to {@code /swagger-2.0.0.pb-v1} and fail).
         * Fields: swagger (1) "2.0", info (2) with title (1) and version (2).
         */
        static MockResponse openApiV2Protobuf() {
            java.io.ByteArrayOutputStream info = new java.io.ByteArrayOutputStream();
            protobufString(info, 1, "Kubernetes");
            protobufString(info, 2, GIT_VERSION);
            java.io.ByteArrayOutputStream document = new java.io.ByteArrayOutputStream();
            protobufString(document, 1, "2.0");
            document.write(0x12);
            document.write(info.size());
            document.writeBytes(info.toByteArray());
            return new MockResponse().setResponseCode(200)
                    .setHeader("Content-Type", "application/octet-stream") // what client-go can parse; it reads the bytes as the protobuf asked for
                   .setBody(document.toByteArray());
        }

        private static void protobufString(java.io.ByteArrayOutputStream out, int field, String value) {
            byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
            out.write(field << 3 | 2); // length-delimited; every length here is below 128, one byte
            out.write(bytes.length);
            out.writeBytes(bytes);
        }

        static boolean isDiscoveryPath(String path) {
            if (path.equals("/version") || path.equals("/api") || path.equals("/apis") || path.equals("/api/v1")
                    || path.startsWith("/openapi/")) {
                return true;
            }
            // /apis/GROUP and /apis/GROUP/v1 of the groups listed here; any other path goes to the mock server
            String[] parts = path.split("/");
            return "apis".equals(parts.length > 1 ? parts[1] : "") && (parts.length == 3 || parts.length == 4)
                    && groups().contains(parts[2]) && (parts.length == 3 || "v1".equals(parts[3]));
        }

        static MockResponse respond(String path, String host) {
            if (path.equals("/version")) {
                ObjectNode version = JSON.createObjectNode();
                version.put("major", "1").put("minor", "32").put("gitVersion", GIT_VERSION).put("gitCommit", "")
                        .put("gitTreeState", "clean").put("buildDate", "2024-12-11T00:00:00Z").put("goVersion", "go1.23.3")
                        .put("compiler", "gc").put("platform", "linux/amd64");
                return FaultInjectingDispatcher.json(200, version);
            }
            if (path.equals("/api")) {
                ObjectNode versions = JSON.createObjectNode().put("kind", "APIVersions");
                versions.putArray("versions").add("v1");
                versions.putArray("serverAddressByClientCIDRs").addObject().put("clientCIDR", "0.0.0.0/0").put("serverAddress", host);
                return FaultInjectingDispatcher.json(200, versions);
            }
            if (path.equals("/apis")) {
                ObjectNode list = JSON.createObjectNode().put("kind", "APIGroupList").put("apiVersion", "v1");
                ArrayNode groups = list.putArray("groups");
                groups().forEach(g -> groups.add(group(g)));
                return FaultInjectingDispatcher.json(200, list);
            }
            String[] parts = path.split("/");
            if (path.equals("/api/v1")) {
                return FaultInjectingDispatcher.json(200, resourceList(""));
            }
            if (parts.length == 3 && "apis".equals(parts[1]) && groups().contains(parts[2])) {
                return FaultInjectingDispatcher.json(200, group(parts[2]).put("kind", "APIGroup").put("apiVersion", "v1"));
            }
            if (parts.length == 4 && "apis".equals(parts[1]) && groups().contains(parts[2]) && "v1".equals(parts[3])) {
                return FaultInjectingDispatcher.json(200, resourceList(parts[2]));
            }
            if (path.equals("/openapi/v3")) {
                ObjectNode root = JSON.createObjectNode();
                ObjectNode paths = root.putObject("paths");
                paths.putObject("api/v1").put("serverRelativeURL", "/openapi/v3/api/v1?hash=" + GIT_VERSION);
                groups().forEach(g -> paths.putObject("apis/" + g + "/v1")
                        .put("serverRelativeURL", "/openapi/v3/apis/" + g + "/v1?hash=" + GIT_VERSION));
                return FaultInjectingDispatcher.json(200, root);
            }
            if (path.equals("/openapi/v3/api/v1")) {
                return FaultInjectingDispatcher.json(200, openApiV3(""));
            }
            if (path.startsWith("/openapi/v3/apis/") && parts.length == 6 && groups().contains(parts[4]) && "v1".equals(parts[5])) {
                return FaultInjectingDispatcher.json(200, openApiV3(parts[4]));
            }
            return FaultInjectingDispatcher.status(404, "NotFound", "the server could not find the requested resource");
        }

        /**
         * An OpenAPI v3 document with no schemas, only the PATCH operation of each object and its
         * {@code fieldValidation} parameter: what kubectl checks to leave validation to the server ({@code
         * --validate=strict}, the default) instead of downloading /openapi/v2 to validate on its side, which
         * would fail ("failed to download openapi") and stop {@code kubectl create -f} and {@code apply}. The
         * mock server does not validate fields: unknown fields are accepted.
         */
        private static ObjectNode openApiV3(String group) {
            ObjectNode doc = JSON.createObjectNode().put("openapi", "3.0.0");
            doc.putObject("info").put("title", "Kubernetes").put("version", GIT_VERSION);
            ObjectNode paths = doc.putObject("paths");
            String prefix = group.isEmpty() ? "/api/v1" : "/apis/" + group + "/v1";
            for (Resource r : RESOURCES) {
                if (!r.group().equals(group)) {
                    continue;
                }
                String path = prefix + (r.namespaced() ? "/namespaces/{namespace}/" : "/") + r.name() + "/{name}";
                ObjectNode patch = paths.putObject(path).putObject("patch")
                        .put("operationId", "patch" + r.kind()).put("x-kubernetes-action", "patch");
                patch.putObject("x-kubernetes-group-version-kind").put("group", group).put("version", "v1").put("kind", r.kind());
                patch.putArray("parameters").addObject().put("name", "fieldValidation").put("in", "query")
                        .putObject("schema").put("type", "string");
                patch.putObject("responses").putObject("200").put("description", "OK");
            }
            doc.putObject("components").putObject("schemas");
            return doc;
        }

        private static List<String> groups() {
            return RESOURCES.stream().map(Resource::group).filter(g -> !g.isEmpty()).distinct().toList();
        }

        private static ObjectNode group(String name) {
            ObjectNode group = JSON.createObjectNode().put("name", name);
            ObjectNode version = JSON.createObjectNode().put("groupVersion", name + "/v1").put("version", "v1");
            group.putArray("versions").add(version);
            group.set("preferredVersion", version.deepCopy());
            return group;
        }

        private static ObjectNode resourceList(String group) {
            ObjectNode list = JSON.createObjectNode().put("kind", "APIResourceList").put("apiVersion", "v1")
                    .put("groupVersion", group.isEmpty() ? "v1" : group + "/v1");
            ArrayNode resources = list.putArray("resources");
            for (Resource r : RESOURCES) {
                if (!r.group().equals(group)) {
                    continue;
                }
                ObjectNode node = resources.addObject().put("name", r.name()).put("singularName", r.singular())
                        .put("namespaced", r.namespaced()).put("kind", r.kind());
                ALL_VERBS.forEach(node.putArray("verbs")::add);
                if (!r.shortNames().isEmpty()) {
                    r.shortNames().forEach(node.putArray("shortNames")::add);
                }
                if (!r.categories().isEmpty()) {
                    r.categories().forEach(node.putArray("categories")::add);
                }
                for (String sub : r.subresources()) {
                    ObjectNode subNode = resources.addObject().put("name", r.name() + "/" + sub).put("singularName", "")
                            .put("namespaced", r.namespaced()).put("kind", r.kind());
                    if ("scale".equals(sub)) {
                        subNode.put("group", "autoscaling").put("version", "v1").put("kind", "Scale");
                    }
                    STATUS_VERBS.forEach(subNode.putArray("verbs")::add);
                }
            }
            return list;
        }
    }

    /**
     * The strategic merge patch that kubectl sends by default ({@code kubectl patch}, {@code set env},
     * {@code set image}, {@code edit}, {@code apply}), for the built-in types a lab touches. As the Kubernetes
     * docs say ("Update API Objects in Place Using kubectl patch"): a list is replaced unless its field's
     * patchStrategy is "merge", in which case its elements are merged by the field's patchMergeKey; the
     * directives {@code $patch} (replace/delete/merge), {@code $setElementOrder/}, {@code $deleteFromPrimitiveList/}
     * and {@code $retainKeys} are honoured. A real API server reads patchStrategy from the Go types: here the
     * fields are known by name.
     */
    static final class StrategicMerge {
        /** patchMergeKey of the list fields whose patchStrategy is "merge" (k8s.io/api core/v1, apps/v1, meta/v1). */
        private static final Map<String, String> MERGE_KEYS = Map.ofEntries(
                Map.entry("containers", "name"), Map.entry("initContainers", "name"),
                Map.entry("ephemeralContainers", "name"), Map.entry("volumes", "name"), Map.entry("env", "name"),
                Map.entry("volumeMounts", "mountPath"), Map.entry("volumeDevices", "devicePath"),
                Map.entry("imagePullSecrets", "name"), Map.entry("hostAliases", "ip"),
                Map.entry("ownerReferences", "uid"), Map.entry("conditions", "type"),
                Map.entry("topologySpreadConstraints", "topologyKey"), Map.entry("resourceClaims", "name"),
                Map.entry("schedulingGates", "name"), Map.entry("secrets", "name"),
                Map.entry("podIPs", "ip"), Map.entry("hostIPs", "ip"));
        /** Lists of scalars whose patchStrategy is "merge": merged as sets. */
        private static final List<String> MERGED_SCALAR_LISTS = List.of("finalizers");
        private static final String SET_ORDER = "$setElementOrder/";
        private static final String DELETE_FROM = "$deleteFromPrimitiveList/";

        private StrategicMerge() {
        }

        static JsonNode apply(JsonNode original, JsonNode patch) {
            ObjectNode target = original != null && original.isObject() ? ((ObjectNode) original).deepCopy() : JSON.createObjectNode();
            ObjectNode result = mergeObject(target, (ObjectNode) patch, "");
            return result == null ? JSON.createObjectNode() : result;
        }

        /** Merges {@code patch} into {@code target} (changed in place); null when the patch deletes the object. */
        private static ObjectNode mergeObject(ObjectNode target, ObjectNode patch, String field) {
            String directive = patch.path("$patch").asText("merge");
            switch (directive) {
                case "delete" -> {
                    return null;
                }
                case "replace" -> {
                    return (ObjectNode) clean(patch);
                }
                case "merge" -> {
                }
                default -> throw new IllegalArgumentException("unknown patch type: " + directive);
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String key = e.getKey();
                JsonNode value = e.getValue();
                if (key.startsWith("$")) {
                    continue; // directives, applied below
                }
                JsonNode existing = target.get(key);
                if (value.isNull()) {
                    target.remove(key);
                } else if (value.isObject()) {
                    ObjectNode merged = existing != null && existing.isObject()
                            ? mergeObject((ObjectNode) existing, (ObjectNode) value, key)
                            : mergeObject(JSON.createObjectNode(), (ObjectNode) value, key);
                    if (merged == null) {
                        target.remove(key);
                    } else {
                        target.set(key, merged);
                    }
                } else if (value.isArray() && mergeKey(key, field) != null) {
                    target.set(key, mergeList(existing != null && existing.isArray() ? (ArrayNode) existing : JSON.createArrayNode(),
                            (ArrayNode) value, mergeKey(key, field)));
                } else if (value.isArray() && MERGED_SCALAR_LISTS.contains(key)) {
                    ArrayNode merged = existing != null && existing.isArray() ? (ArrayNode) existing : JSON.createArrayNode();
                    for (JsonNode v : value) {
                        if (!contains(merged, v)) {
                            merged.add(v);
                        }
                    }
                    target.set(key, merged);
                } else {
                    target.set(key, clean(value)); // patchStrategy "replace" (the default): the list is replaced whole
                }
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getKey().startsWith(DELETE_FROM) && target.get(e.getKey().substring(DELETE_FROM.length())) instanceof ArrayNode list) {
                    for (int i = list.size() - 1; i >= 0; i--) {
                        if (contains(e.getValue(), list.get(i))) {
                            list.remove(i);
                        }
                    }
                } else if (e.getKey().startsWith(SET_ORDER)) {
                    String listField = e.getKey().substring(SET_ORDER.length());
                    if (target.get(listField) instanceof ArrayNode list) {
                        target.set(listField, ordered(list, e.getValue(), mergeKey(listField, field)));
                    }
                }
            }
            if (patch.get("$retainKeys") instanceof ArrayNode retain) {
                List<String> keep = new ArrayList<>();
                retain.forEach(k -> keep.add(k.asText()));
                target.retain(keep);
            }
            return target;
        }

        private static ArrayNode mergeList(ArrayNode target, ArrayNode patch, String mergeKey) {
            for (JsonNode element : patch) {
                if (element.isObject() && "replace".equals(element.path("$patch").asText())) {
                    // {"$patch": "replace"} as an element: the list becomes the patch's other elements
                    ArrayNode replaced = JSON.createArrayNode();
                    patch.forEach(other -> {
                        if (other != element) {
                            replaced.add(clean(other));
                        }
                    });
                    return replaced;
                }
            }
            ArrayNode result = target.deepCopy();
            for (JsonNode element : patch) {
                if (!element.isObject()) {
                    if (!contains(result, element)) {
                        result.add(element);
                    }
                    continue;
                }
                JsonNode keyValue = element.get(mergeKey);
                if (keyValue == null) {
                    throw new IllegalArgumentException("map: " + element + " does not contain declared merge key: " + mergeKey);
                }
                int index = indexOf(result, mergeKey, keyValue);
                if ("delete".equals(element.path("$patch").asText())) {
                    if (index >= 0) {
                        result.remove(index);
                    }
                } else if (index >= 0) {
                    ObjectNode merged = mergeObject((ObjectNode) result.get(index), (ObjectNode) element, "");
                    if (merged == null) {
                        result.remove(index);
                    } else {
                        result.set(index, merged);
                    }
                } else {
                    result.add(clean(element));
                }
            }
            return result;
        }

        /** $setElementOrder: the elements it names first, in its order, then the others as they were. */
        private static ArrayNode ordered(ArrayNode list, JsonNode order, String mergeKey) {
            ArrayNode result = JSON.createArrayNode();
            List<JsonNode> rest = new ArrayList<>();
            list.forEach(rest::add);
            for (JsonNode wanted : order) {
                JsonNode key = mergeKey != null && wanted.isObject() ? wanted.get(mergeKey) : wanted;
                for (Iterator<JsonNode> it = rest.iterator(); it.hasNext(); ) {
                    JsonNode candidate = it.next();
                    JsonNode candidateKey = mergeKey != null && candidate.isObject() ? candidate.get(mergeKey) : candidate;
                    if (Objects.equals(key, candidateKey)) {
                        result.add(candidate);
                        it.remove();
                        break;
                    }
                }
            }
            rest.forEach(result::add);
            return result;
        }

        private static String mergeKey(String listField, String parentField) {
            if ("ports".equals(listField)) {
                // ContainerPort is merged by containerPort, ServicePort by port
                return parentField.isEmpty() ? "containerPort" : "port";
            }
            return MERGE_KEYS.get(listField);
        }

        private static int indexOf(ArrayNode list, String mergeKey, JsonNode value) {
            for (int i = 0; i < list.size(); i++) {
                if (value.equals(list.get(i).get(mergeKey))) {
                    return i;
                }
            }
            return -1;
        }

        private static boolean contains(JsonNode list, JsonNode value) {
            for (JsonNode v : list) {
                if (v.equals(value)) {
                    return true;
                }
            }
            return false;
        }

        /** New content from a patch, without directives (an element marked for deletion has nothing to delete). */
        private static JsonNode clean(JsonNode value) {
            if (value.isObject()) {
                ObjectNode out = JSON.createObjectNode();
                value.fields().forEachRemaining(e -> {
                    if (!e.getKey().startsWith("$")) {
                        out.set(e.getKey(), clean(e.getValue()));
                    }
                });
                return out;
            }
            if (value.isArray()) {
                ArrayNode out = JSON.createArrayNode();
                for (JsonNode v : value) {
                    if (!(v.isObject() && "delete".equals(v.path("$patch").asText()))) {
                        out.add(clean(v));
                    }
                }
                return out;
            }
            return value;
        }
    }
}
