package dev.labprovisioner.sandbox;

import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;

import java.net.InetAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The sandbox's in-process Kubernetes API: the fabric8 mock server in CRUD mode, bound to loopback.
 * It counts the requests it serves (the benchmark reads them) and can inject faults into a share of
 * writes, so that retries and idempotency are exercised against real HTTP failures: a faulty write answers
 * 500 after taking effect (the client cannot tell it happened) or answers only after a delay past the
 * client's timeout. Both are controlled over HTTP ({@link SandboxControls}).
 */
public final class SandboxKubernetesApi implements AutoCloseable {

    /** The simulated controllers run inside the "cluster": faults are injected only into other clients' writes. */
    public static final String SIMULATOR_USER_AGENT = "lab-provisioner-sandbox-simulator";

    private final KubernetesMockServer server;
    private final FaultInjectingDispatcher dispatcher;

    private SandboxKubernetesApi(KubernetesMockServer server, FaultInjectingDispatcher dispatcher) {
        this.server = server;
        this.dispatcher = dispatcher;
    }

    public static SandboxKubernetesApi start(int port) {
        var dispatcher = new FaultInjectingDispatcher(new KubernetesCrudDispatcher(List.of()));
        var server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), dispatcher, false);
        server.init(InetAddress.getLoopbackAddress(), port);
        return new SandboxKubernetesApi(server, dispatcher);
    }

    public String url() {
        return "http://" + server.getHostName() + ":" + server.getPort();
    }

    @Override
    public void close() {
        server.destroy();
    }

    /** Not a Kubernetes path: {@code GET /sandbox/stats}, {@code POST /sandbox/faults?rate=0.2&delayMs=1500}. */
    public static final String CONTROL_PATH = "/sandbox/";
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
        private final KubernetesCrudDispatcher crud;
        /** Requests of every client but the simulator: the service's load on a real API server. */
        final AtomicLong requests = new AtomicLong();
        final AtomicLong simulatorRequests = new AtomicLong();
        final AtomicLong writes = new AtomicLong();
        final AtomicLong faults = new AtomicLong();
        volatile double faultRate;
        volatile Duration faultDelay = Duration.ofSeconds(3);

        FaultInjectingDispatcher(KubernetesCrudDispatcher crud) {
            this.crud = crud;
        }

        @Override
        public MockResponse dispatch(RecordedRequest request) {
            if (request.getPath().startsWith(CONTROL_PATH)) {
                return control(request);
            }
            String agent = request.getHeader("User-Agent");
            (agent != null && agent.startsWith(SIMULATOR_USER_AGENT) ? simulatorRequests : requests).incrementAndGet();
            MockResponse fault = faultOrNull(request);
            return fault != null ? fault : perform(request);
        }

        private MockResponse perform(RecordedRequest request) {
            Matcher namespace = NAMESPACE_PATH.matcher(request.getPath());
            if ("DELETE".equals(request.getMethod()) && namespace.matches()) {
                // A namespace is gone only once what is inside is gone (the mock server alone would orphan it all).
                for (String collection : NAMESPACED_COLLECTIONS) {
                    crud.dispatch(new RecordedRequest("HTTP/1.1", HttpMethod.DELETE,
                            collection.formatted(namespace.group(1)), Headers.builder().build(), new Buffer()));
                }
            }
            return crud.dispatch(request);
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
}
