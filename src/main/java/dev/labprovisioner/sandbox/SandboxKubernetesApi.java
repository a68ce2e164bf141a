package dev.labprovisioner.sandbox;

import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;

import java.net.InetAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The sandbox's in-process Kubernetes API: the fabric8 mock server in CRUD mode, bound to loopback.
 * It counts the requests it serves (the benchmark reads them) and can inject faults into a share of
 * writes, so that retries and idempotency are exercised against real HTTP failures.
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

    public long requestCount() {
        return dispatcher.requests.get();
    }

    public long writeCount() {
        return dispatcher.writes.get();
    }

    public long injectedFaults() {
        return dispatcher.faults.get();
    }

    /**
     * Makes {@code rate} (0..1) of writes fail: half answer 500 after the write took effect (the
     * client cannot tell it happened), half answer only after {@code delay}, past the client's timeout.
     */
    public void injectWriteFaults(double rate, Duration delay) {
        dispatcher.faultRate = rate;
        dispatcher.faultDelay = delay;
    }

    @Override
    public void close() {
        server.destroy();
    }

    static final class FaultInjectingDispatcher extends Dispatcher {
        private final KubernetesCrudDispatcher crud;
        final AtomicLong requests = new AtomicLong();
        final AtomicLong writes = new AtomicLong();
        final AtomicLong faults = new AtomicLong();
        volatile double faultRate;
        volatile Duration faultDelay = Duration.ofSeconds(3);

        FaultInjectingDispatcher(KubernetesCrudDispatcher crud) {
            this.crud = crud;
        }

        @Override
        public MockResponse dispatch(RecordedRequest request) {
            requests.incrementAndGet();
            boolean write = switch (request.getMethod()) {
                case "POST", "PUT", "PATCH", "DELETE" -> true;
                default -> false;
            };
            if (!write) {
                return crud.dispatch(request);
            }
            writes.incrementAndGet();
            double rate = faultRate;
            String agent = request.getHeader("User-Agent");
            if (agent != null && agent.startsWith(SIMULATOR_USER_AGENT)) {
                return crud.dispatch(request);
            }
            if (rate <= 0 || ThreadLocalRandom.current().nextDouble() >= rate) {
                return crud.dispatch(request);
            }
            faults.incrementAndGet();
            if (ThreadLocalRandom.current().nextBoolean()) {
                crud.dispatch(request);
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
