package dev.labprovisioner.bench;

import dev.labprovisioner.cluster.LabObjects;
import dev.labprovisioner.cluster.LabSpec;
import dev.labprovisioner.sandbox.ClaimDatabases;
import dev.labprovisioner.sandbox.EmbeddedPostgresServer;
import dev.labprovisioner.sandbox.SandboxControls;
import dev.labprovisioner.sandbox.SandboxKubernetesApi;
import dev.labprovisioner.sandbox.StatefulSetSimulator;
import dev.labprovisioner.template.LabTemplate;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Issue 2's benchmark: provisions N labs (default 1,000) with the packaged service and compares with a
 * baseline that writes the same objects with the bare fabric8 client. Both talk to the sandbox's simulated
 * cluster (in-process API, simulator, real PostgreSQL for the volumes), hosted in this JVM; the service
 * runs as its own process in real mode against it, so its RSS is the service's alone. Prints figures a
 * reviewer can rerun (README); it asserts nothing, it measures.
 */
public final class ProvisioningBenchmark {

    static final int LABS = Integer.getInteger("labs", 1000);
    static final int CLIENTS = Integer.getInteger("clients", 50);
    /** Give the service a core of its own, as it would have in a cluster (Linux, 2+ cores). */
    static final boolean PIN = Boolean.getBoolean("pin");
    static final int WARMUP = Integer.getInteger("warmup", 500);
    static final int WORKERS = Integer.getInteger("workers", 4);
    static final String JAVA_OPTS = System.getProperty("serviceJavaOpts",
            "-Xmx128m -XX:+UseSerialGC -Xss512k -XX:ReservedCodeCacheSize=32m -XX:TieredStopAtLevel=1 -XX:CICompilerCount=1 -XX:MaxMetaspaceSize=128m");
    /** Held so that the level sticks (JUL keeps loggers weakly): the in-process API logs every request at INFO. */
    static final java.util.logging.Logger MOCK_SERVER_LOG = java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public static void main(String[] args) throws Exception {
        Path jar = Path.of("target/quarkus-app/quarkus-run.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException("Build the app first: ./mvnw package -DskipTests");
        }
        MOCK_SERVER_LOG.setLevel(java.util.logging.Level.WARNING);
        if (PIN) {
            // The service on CPU 0; this JVM (load generator, simulated cluster) and its PostgreSQL on the rest.
            new ProcessBuilder("taskset", "-a", "-p", "-c", "1-" + (Runtime.getRuntime().availableProcessors() - 1),
                    Long.toString(ProcessHandle.current().pid())).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
        }
        System.out.printf("Provisioning benchmark: %d labs, %d concurrent create clients, %d reconciler workers%s%n", LABS, CLIENTS, WORKERS,
                PIN ? ", service pinned to CPU 0, everything else to the other CPUs" : ", all processes sharing all CPUs");
        Result service;
        try (var cluster = new SimulatedCluster(Path.of("target/benchmark-service"))) {
            service = runService(jar, cluster);
        }
        double baseline;
        try (var cluster = new SimulatedCluster(Path.of("target/benchmark-baseline"))) {
            baseline = runBaseline(cluster);
        }
        int objects = LabObjects.desired(spec(UUID.randomUUID())).size();
        double requestsPerLab = (double) service.requests / LABS;
        System.out.println();
        System.out.printf("objects per lab                     %d%n", objects);
        System.out.printf("Kubernetes requests per lab         %.2f  (ratio %.3f, target <= 1.2)%n", requestsPerLab, requestsPerLab / objects);
        System.out.printf("wall time, service (create->READY)  %.1f s%n", service.wallSeconds);
        System.out.printf("wall time, bare fabric8 baseline    %.1f s  (ratio %.2f, target <= 1.5)%n", baseline, service.wallSeconds / baseline);
        System.out.printf("create latency at %d clients        p50 %.1f ms, p99 %.1f ms  (target p99 < 50 ms; after %d warm-up calls)%n",
                CLIENTS, service.p50, service.p99, WARMUP);
        System.out.printf("service JVM RSS                     %d MB after, %d MB peak  (target < 350 MB; JVM options: %s)%n",
                service.rssMb, service.peakRssMb, JAVA_OPTS);
        // Informer and HTTP client threads would keep the Maven JVM alive.
        System.exit(0);
    }

    record Result(long requests, double wallSeconds, double p50, double p99, long rssMb, long peakRssMb) {
    }

    /**
     * The cluster both runs talk to, in this JVM: the sandbox's in-process API and simulator, and a real
     * PostgreSQL for the volumes' databases (and the service's own). The service runs in real mode against
     * it, so its process holds the service alone and its RSS is the service's.
     */
    static final class SimulatedCluster implements AutoCloseable {
        final EmbeddedPostgresServer postgres;
        final SandboxKubernetesApi api;
        final ClaimDatabases databases;
        final KubernetesClient simulatorClient;
        final StatefulSetSimulator simulator;

        SimulatedCluster(Path dir) {
            postgres = EmbeddedPostgresServer.start(dir.toAbsolutePath());
            api = SandboxKubernetesApi.start(0);
            databases = new ClaimDatabases(postgres.jdbcUrl("postgres"));
            simulatorClient = new KubernetesClientBuilder().withConfig(new ConfigBuilder().withMasterUrl(api.url())
                    .withUserAgent(SandboxKubernetesApi.SIMULATOR_USER_AGENT).build()).build();
            simulator = new StatefulSetSimulator(simulatorClient, new StatefulSetSimulator.Settings(Duration.ZERO, 4, i -> false), databases);
            simulator.start();
        }

        @Override
        public void close() throws Exception {
            simulator.close();
            simulatorClient.close();
            databases.close();
            api.close();
            postgres.close();
        }
    }

    static Result runService(Path jar, SimulatedCluster cluster) throws Exception {
        int port = freePort();
        List<String> command = new ArrayList<>();
        if (PIN) {
            command.addAll(List.of("taskset", "-c", "0"));
        }
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(Arrays.asList(JAVA_OPTS.split(" ")));
        command.addAll(List.of("-jar", jar.toString()));
        var builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(Path.of("target/benchmark-service.log").toFile());
        var env = builder.environment();
        env.put("QUARKUS_PROFILE", "prod");
        env.put("QUARKUS_HTTP_PORT", Integer.toString(port));
        env.put("QUARKUS_DATASOURCE_JDBC_URL", cluster.postgres.jdbcUrl(EmbeddedPostgresServer.SERVICE_DATABASE));
        env.put("QUARKUS_DATASOURCE_USERNAME", cluster.postgres.user());
        env.put("QUARKUS_KUBERNETES_CLIENT_API_SERVER_URL", cluster.api.url());
        env.put("LABS_ADMIN_BOOTSTRAP_TOKEN", "benchmark-admin-token-0123456789");
        env.put("LABS_LEARNER_SIGNING_KEY", java.util.Base64.getEncoder().encodeToString(new byte[32]));
        env.put("LABS_RECONCILER_WORKERS", Integer.toString(WORKERS));
        env.put("QUARKUS_LOG_LEVEL", "WARN");
        // glibc's default of 8 malloc arenas per core only adds RSS to a JVM (the usual container setting).
        env.put("MALLOC_ARENA_MAX", "2");
        Process service = builder.start();
        try {
            String base = "http://127.0.0.1:" + port;
            waitFor(() -> status(get(base + "/q/health/ready", null)) == 200, Duration.ofSeconds(90), "service ready");
            String secret = field(post(base + "/api/v1/admin/clients", "benchmark-admin-token-0123456789",
                    "{\"name\":\"bench\",\"scopes\":[\"labs:read\",\"labs:write\"]}").body(), "secret");
            // JIT warm-up on the create path without new labs: the same learner's create, answered 200 (idempotent).
            ExecutorService warm = Executors.newFixedThreadPool(CLIENTS);
            List<Future<?>> warming = new ArrayList<>();
            for (int i = 0; i < WARMUP; i++) {
                warming.add(warm.submit(() -> post(base + "/api/v1/labs", secret,
                        "{\"learnerId\":\"warm-up\",\"courseId\":\"warm-up\",\"template\":\"postgres-statefulset\"}")));
            }
            for (var w : warming) {
                w.get();
            }
            warm.shutdown();
            waitFor(() -> readyCount(base, secret, "warm-up") >= 1, Duration.ofMinutes(1), "the warm-up lab READY");
            var controls = new SandboxControls(cluster.api.url());
            long before = controls.stats().requests();

            long start = System.nanoTime();
            long[] latencies = new long[LABS];
            ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
            List<Future<?>> calls = new ArrayList<>();
            for (int i = 0; i < LABS; i++) {
                int n = i;
                calls.add(clients.submit(() -> {
                    long t = System.nanoTime();
                    var response = post(base + "/api/v1/labs", secret,
                            "{\"learnerId\":\"bench-" + n + "\",\"courseId\":\"bench\",\"template\":\"postgres-statefulset\"}");
                    latencies[n] = System.nanoTime() - t;
                    if (response.statusCode() != 202) {
                        throw new IllegalStateException("create answered " + response.statusCode() + ": " + response.body());
                    }
                    return null;
                }));
            }
            for (var call : calls) {
                call.get();
            }
            clients.shutdown();
            waitFor(() -> readyCount(base, secret, "bench") >= LABS, Duration.ofMinutes(20), "all labs READY");
            double wall = (System.nanoTime() - start) / 1e9;
            long requests = controls.stats().requests() - before;
            Arrays.sort(latencies);
            long[] rss = rss(service.pid());
            return new Result(requests, wall, latencies[LABS / 2] / 1e6, latencies[(int) Math.ceil(LABS * 0.99) - 1] / 1e6, rss[0], rss[1]);
        } finally {
            service.destroy();
            service.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** The same objects, written by the bare fabric8 client with as many threads, the same simulator making them Ready. */
    static double runBaseline(SimulatedCluster cluster) throws Exception {
        try (KubernetesClient client = new KubernetesClientBuilder().withConfig(new ConfigBuilder().withMasterUrl(cluster.api.url())
                .withTrustCerts(true).withRequestRetryBackoffLimit(0).build()).build()) {
            var ready = new java.util.concurrent.CountDownLatch(LABS);
            var seen = java.util.concurrent.ConcurrentHashMap.<String>newKeySet();
            var informer = client.apps().statefulSets().inAnyNamespace().inform(new io.fabric8.kubernetes.client.informers.ResourceEventHandler<StatefulSet>() {
                public void onAdd(StatefulSet s) {
                    check(s);
                }

                public void onUpdate(StatefulSet o, StatefulSet s) {
                    check(s);
                }

                public void onDelete(StatefulSet s, boolean unknown) {
                }

                void check(StatefulSet s) {
                    if (s.getStatus() != null && Integer.valueOf(1).equals(s.getStatus().getReadyReplicas()) && seen.add(s.getMetadata().getNamespace())) {
                        ready.countDown();
                    }
                }
            });
            long start = System.nanoTime();
            ExecutorService writers = Executors.newFixedThreadPool(WORKERS);
            List<Future<?>> labs = new ArrayList<>();
            for (int i = 0; i < LABS; i++) {
                labs.add(writers.submit(() -> {
                    for (HasMetadata o : LabObjects.desired(spec(UUID.randomUUID()))) {
                        client.resource(o).create();
                    }
                    return null;
                }));
            }
            for (var lab : labs) {
                lab.get();
            }
            writers.shutdown();
            if (!ready.await(20, TimeUnit.MINUTES)) {
                throw new IllegalStateException("baseline labs did not all become Ready");
            }
            double wall = (System.nanoTime() - start) / 1e9;
            informer.stop();
            return wall;
        }
    }

    static LabSpec spec(UUID id) {
        var template = new LabTemplate("postgres-statefulset", 1, "PostgreSQL on a StatefulSet", "",
                new LabTemplate.Postgres("docker.io/library/postgres:17", "1Gi", "100m", "128Mi", "1", "512Mi", 1, 999), null, null);
        return new LabSpec(id, "bench", "bench-learner", template, "benchmark-password", "restricted");
    }

    static long readyCount(String base, String secret, String course) throws Exception {
        return Long.parseLong(field(get(base + "/api/v1/labs?state=READY&courseId=" + course + "&size=1", secret).body(), "total"));
    }

    /** VmRSS and VmHWM of a process, in MB (Linux). */
    static long[] rss(long pid) throws IOException {
        String status = Files.readString(Path.of("/proc/" + pid + "/status"));
        return new long[]{kb(status, "VmRSS") / 1024, kb(status, "VmHWM") / 1024};
    }

    static long kb(String status, String field) {
        Matcher m = Pattern.compile(field + ":\\s+(\\d+) kB").matcher(status);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    static HttpResponse<String> get(String url, String token) throws Exception {
        var request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).GET();
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        try {
            return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return null;
        }
    }

    static HttpResponse<String> post(String url, String token, String json) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static int status(HttpResponse<String> response) {
        return response == null ? -1 : response.statusCode();
    }

    static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\":\"?([^\",}]+)").matcher(json);
        if (!m.find()) {
            throw new IllegalStateException("no " + name + " in " + json);
        }
        return m.group(1);
    }

    interface Check {
        boolean ok() throws Exception;
    }

    static void waitFor(Check check, Duration timeout, String what) throws Exception {
        long end = System.nanoTime() + timeout.toNanos();
        while (!check.ok()) {
            if (System.nanoTime() > end) {
                throw new IllegalStateException("timed out waiting for " + what);
            }
            TimeUnit.MILLISECONDS.sleep(200);
        }
    }

    static int freePort() throws IOException {
        try (var socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
