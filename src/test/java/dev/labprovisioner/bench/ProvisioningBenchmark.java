package dev.labprovisioner.bench;

import dev.labprovisioner.cluster.LabObjects;
import dev.labprovisioner.cluster.LabSpec;
import dev.labprovisioner.sandbox.ClaimDatabases;
import dev.labprovisioner.sandbox.EmbeddedPostgresServer;
import dev.labprovisioner.sandbox.SandboxControls;
import dev.labprovisioner.sandbox.SandboxKubernetesApi;
import dev.labprovisioner.sandbox.StatefulSetSimulator;
import dev.labprovisioner.sandbox.controlplane.ControlPlane;
import dev.labprovisioner.sandbox.controlplane.NodeAgent;
import dev.labprovisioner.sandbox.controlplane.ServiceIdentity;
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
    /** -Dcluster=control-plane: upstream's kube-apiserver, kube-controller-manager and etcd with the node agent (build-control-plane.sh). */
    static final boolean CONTROL_PLANE = "control-plane".equals(System.getProperty("cluster", "imitation"));
    static final int CLIENTS = Integer.getInteger("clients", 50);
    /** Give the service a core of its own, as it would have in a cluster (Linux, 2+ cores). */
    static final boolean PIN = Boolean.getBoolean("pin");
    /** New labs created (and made READY) before the measured ones, so that the measured path is compiled. */
    static final int WARMUP = Integer.getInteger("warmup", 600);
    static final int WORKERS = Integer.getInteger("workers", 4);
    /** -Dbaseline=false skips the bare-client run (for quick looks at the create figures). */
    static final boolean BASELINE = Boolean.parseBoolean(System.getProperty("baseline", "true"));
    /** -DwaitReady=false stops after the burst of creates: create figures only (no wall time, no requests per lab). */
    static final boolean WAIT_READY = Boolean.parseBoolean(System.getProperty("waitReady", "true"));
    /**
     * -Dwebhooks=true (issue 12): two runs of the service, without a webhook subscription and then with one to a
     * receiver in this JVM; prints the delivery latency (outbox event written -> received) and what the outbox adds
     * per create. Skips the bare-client baseline.
     */
    static final boolean WEBHOOKS = Boolean.getBoolean("webhooks");
    static final String JAVA_OPTS = System.getProperty("serviceJavaOpts",
            "-Xmx128m -XX:+UseSerialGC -Xss512k -XX:ReservedCodeCacheSize=32m -XX:TieredStopAtLevel=1 -XX:CICompilerCount=1 -XX:MaxMetaspaceSize=128m");
    static final String ADMIN_TOKEN = "benchmark-admin-token-0123456789";
    /**
     * -Dprofiler=/path/to/libasyncProfiler.so: profile the service and this JVM during the burst of creates only
     * (async-profiler, loaded through jcmd); collapsed stacks in target/benchmark-{service,cluster}-profile.collapsed.
     */
    static final String PROFILER = System.getProperty("profiler", "");
    /** -DprofilerEvent=alloc: where the burst allocates instead of where it spends CPU. */
    static final String PROFILER_START = "start,event=" + System.getProperty("profilerEvent", "cpu,interval=1ms");
    /** Held so that the level sticks (JUL keeps loggers weakly): the in-process API logs every request at INFO. */
    static final java.util.logging.Logger MOCK_SERVER_LOG = java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");
    /** For the few calls around the measurement (health, admin, counting READY labs). */
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

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
        System.out.println(CONTROL_PLANE ? "Cluster: upstream's control plane " + ControlPlane.VERSION + " (etcd, kube-apiserver, "
                + "kube-controller-manager) and the node agent; the service as its own ServiceAccount"
                : "Cluster: the sandbox's imitation (in-process API and simulator); -Dcluster=control-plane for upstream's");
        if (WEBHOOKS) {
            webhooks(jar);
            System.exit(0);
        }
        Result service;
        try (var cluster = BenchCluster.start(Path.of("target/benchmark-service"))) {
            service = runService(jar, cluster, null);
        }
        double baseline = Double.NaN;
        if (BASELINE) {
            try (var cluster = BenchCluster.start(Path.of("target/benchmark-baseline"))) {
                baseline = runBaseline(cluster);
            }
        }
        int objects = LabObjects.desired(spec(UUID.randomUUID())).size();
        double requestsPerLab = service.requests < 0 ? Double.NaN : (double) service.requests / LABS;
        System.out.println();
        System.out.printf("objects per lab                     %d%n", objects);
        System.out.printf("Kubernetes requests per lab         %.2f  (ratio %.3f, target <= 1.2)%n", requestsPerLab, requestsPerLab / objects);
        System.out.printf("wall time, service (create->READY)  %.1f s%n", service.wallSeconds);
        System.out.printf("wall time, bare fabric8 baseline    %.1f s  (ratio %.2f, target <= 1.5)%n", baseline, service.wallSeconds / baseline);
        System.out.printf("create latency at %d clients        p50 %.1f ms, p99 %.1f ms  (target p99 < 50 ms; after %d warm-up labs)%n",
                CLIENTS, service.p50, service.p99, WARMUP);
        System.out.printf("create burst                        %.2f s, from %.1f s of the service's uptime; CPU seconds used meanwhile: service %.2f, "
                + "its PostgreSQL %.2f, simulated cluster and load generator %.2f (of %.2f the cores had)%n", service.burst.seconds,
                service.burst.serviceUptime, service.burst.service, service.burst.postgres, service.burst.cluster,
                service.burst.seconds * Runtime.getRuntime().availableProcessors());
        System.out.printf("GC pauses during the burst          service %.0f (%.0f ms), simulated cluster and load generator %.0f (%.0f ms)%n",
                service.burst.serviceGc[0], service.burst.serviceGc[1] * 1000, service.burst.clusterGc[0], service.burst.clusterGc[1] * 1000);
        System.out.printf("service JVM RSS                     %d MB after, %d MB peak  (target < 350 MB; JVM options: %s)%n",
                service.rssMb, service.peakRssMb, JAVA_OPTS);
        // Informer and HTTP client threads would keep the Maven JVM alive.
        System.exit(0);
    }

    record Result(long requests, double wallSeconds, double p50, double p99, long rssMb, long peakRssMb, Burst burst,
                  double serviceCpuToEnd, Deliveries deliveries) {
    }

    /** The measured labs' lab.ready webhooks: how many arrived, and the latency from the event's outbox row to receipt. */
    record Deliveries(int received, int events, double p50, double p99, double max) {
    }

    /**
     * The runs of -Dwebhooks=true: -Dpairs (1) pairs of a run without a subscription and one with, in alternating order
     * (the first run of a JVM also warms the load generator), and what the subscription changed per create.
     */
    static void webhooks(Path jar) throws Exception {
        int pairs = Integer.getInteger("pairs", 1);
        System.out.printf("Webhooks: %d pair(s) of runs, without a subscription and with one (all events) to a receiver in this JVM%n", pairs);
        List<double[]> differences = new ArrayList<>();
        for (int pair = 0; pair < pairs; pair++) {
            Result without = null;
            Result with = null;
            for (int run = 0; run < 2; run++) {
                if ((run + pair) % 2 == 0) {
                    try (var cluster = BenchCluster.start(Path.of("target/benchmark-service"))) {
                        without = runService(jar, cluster, null);
                    }
                } else {
                    try (var cluster = BenchCluster.start(Path.of("target/benchmark-webhooks")); var receiver = WebhookReceiver.start()) {
                        with = runService(jar, cluster, receiver);
                    }
                }
            }
            differences.add(printWebhookPair(pair, without, with));
        }
        if (pairs > 1) {
            System.out.println();
            System.out.printf("median over %d pairs: create p50 %+.1f ms, p99 %+.1f ms; service CPU per create in the burst %+.3f ms; "
                    + "per lab create->READY (and delivered) %+.2f ms%n", pairs, median(differences, 0), median(differences, 1),
                    median(differences, 2), median(differences, 3));
        }
    }

    static double median(List<double[]> rows, int column) {
        double[] values = rows.stream().mapToDouble(r -> r[column]).sorted().toArray();
        return values.length % 2 == 1 ? values[values.length / 2] : (values[values.length / 2 - 1] + values[values.length / 2]) / 2;
    }

    /** Prints one pair; answers its differences (with - without): create p50, p99, burst CPU per create, CPU per lab to the end. */
    static double[] printWebhookPair(int pair, Result without, Result with) {
        var d = with.deliveries;
        System.out.println();
        System.out.printf("pair %d (%s first)%n", pair + 1, pair % 2 == 0 ? "without a subscription" : "with a subscription");
        System.out.printf("lab.ready webhooks received         %d of %d labs (events in the outbox for them: %d)%n", d.received, LABS, d.events);
        System.out.printf("delivery latency (outbox row->receipt) p50 %.1f ms, p99 %.1f ms, max %.1f ms%n", d.p50, d.p99, d.max);
        double[] diff = {with.p50 - without.p50, with.p99 - without.p99, (with.burst.service - without.burst.service) * 1000 / LABS,
                (with.serviceCpuToEnd - without.serviceCpuToEnd) * 1000 / LABS};
        System.out.printf("create latency at %d clients        without a subscription p50 %.1f ms, p99 %.1f ms; with one p50 %.1f ms, p99 %.1f ms "
                + "(difference p50 %+.1f ms, p99 %+.1f ms)%n", CLIENTS, without.p50, without.p99, with.p50, with.p99, diff[0], diff[1]);
        System.out.printf("service CPU per create, the burst   without %.3f ms, with %.3f ms (difference %+.3f ms)%n",
                without.burst.service * 1000 / LABS, with.burst.service * 1000 / LABS, diff[2]);
        System.out.printf("service CPU per lab, create->READY (and delivered)  without %.2f ms, with %.2f ms (difference %+.2f ms: the outbox's "
                + "cost per create, its event written and sent)%n", without.serviceCpuToEnd * 1000 / LABS, with.serviceCpuToEnd * 1000 / LABS, diff[3]);
        System.out.printf("wall time create->READY             without %.1f s, with %.1f s (to the last webhook received)%n",
                without.wallSeconds, with.wallSeconds);
        System.out.printf("GC pauses during the burst          service without %.0f (%.0f ms), with %.0f (%.0f ms)%n",
                without.burst.serviceGc[0], without.burst.serviceGc[1] * 1000, with.burst.serviceGc[0], with.burst.serviceGc[1] * 1000);
        System.out.printf("service JVM RSS                     without %d MB, with %d MB%n", without.rssMb, with.rssMb);
        return diff;
    }

    /**
     * The LMS's webhook endpoint, in this JVM (JDK HttpServer on 127.0.0.1): answers 204 at once and notes when each
     * lab.ready of a measured lab (course "bench") arrived, by its webhook-id.
     */
    static final class WebhookReceiver implements AutoCloseable {
        static final Pattern BENCH_READY = Pattern.compile("\"type\"\\s*:\\s*\"lab\\.ready\"[\\s\\S]*\"courseId\"\\s*:\\s*\"bench\"");
        final com.sun.net.httpserver.HttpServer server;
        final ExecutorService threads = Executors.newFixedThreadPool(4);
        /** webhook-id -> receipt, epoch microseconds (the same clock as the database's: one machine). */
        final java.util.concurrent.ConcurrentHashMap<String, Long> received = new java.util.concurrent.ConcurrentHashMap<>();
        final java.util.concurrent.atomic.AtomicInteger requests = new java.util.concurrent.atomic.AtomicInteger();

        private WebhookReceiver() throws IOException {
            server = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 100);
            server.createContext("/hook", exchange -> {
                java.time.Instant at = java.time.Instant.now();
                String body = new String(exchange.getRequestBody().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                String id = exchange.getRequestHeaders().getFirst("webhook-id");
                requests.incrementAndGet();
                if (id != null && BENCH_READY.matcher(body).find()) {
                    received.putIfAbsent(id, at.getEpochSecond() * 1_000_000 + at.getNano() / 1000);
                }
                exchange.sendResponseHeaders(204, -1);
                exchange.close();
            });
            server.setExecutor(threads);
            server.start();
        }

        static WebhookReceiver start() throws IOException {
            return new WebhookReceiver();
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
        }

        /** Latency of each received event from its outbox row's created_at (written in the commit that made the lab READY). */
        Deliveries deliveries(BenchCluster cluster) throws Exception {
            var latencies = new ArrayList<Double>();
            try (var db = java.sql.DriverManager.getConnection(cluster.postgres().jdbcUrl(EmbeddedPostgresServer.SERVICE_DATABASE),
                    cluster.postgres().user(), "");
                 var query = db.prepareStatement("SELECT e.message_id, (extract(epoch FROM e.created_at) * 1000000)::bigint FROM outbox_events e "
                         + "JOIN labs l ON l.id::text = e.ordering_key WHERE e.type = 'lab.ready' AND l.course_id = 'bench'");
                 var rows = query.executeQuery()) {
                int events = 0;
                while (rows.next()) {
                    events++;
                    Long at = received.get(rows.getString(1));
                    if (at != null) {
                        latencies.add((at - rows.getLong(2)) / 1000.0);
                    }
                }
                java.util.Collections.sort(latencies);
                int n = latencies.size();
                return n == 0 ? new Deliveries(0, events, Double.NaN, Double.NaN, Double.NaN)
                        : new Deliveries(n, events, latencies.get((n - 1) / 2), latencies.get((int) Math.ceil(n * 0.99) - 1), latencies.get(n - 1));
            }
        }

        @Override
        public void close() {
            server.stop(0);
            threads.shutdownNow();
        }
    }

    /** Where the CPU went while the creates were being answered: wall seconds, and CPU seconds per party. */
    record Burst(double seconds, double service, double postgres, double cluster, double serviceUptime, double[] serviceGc, double[] clusterGc) {
    }

    /** GC pauses so far in the service, from its metrics (Micrometer's jvm_gc_pause_seconds): count and seconds. */
    static double[] serviceGc(String base) throws Exception {
        double[] gc = new double[2];
        for (String line : get(base + "/q/metrics", ADMIN_TOKEN).body().split("\n")) {
            if (line.startsWith("jvm_gc_pause_seconds_count{") || line.startsWith("jvm_gc_pause_seconds_sum{")) {
                gc[line.startsWith("jvm_gc_pause_seconds_count") ? 0 : 1] += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return gc;
    }

    /** GC pauses so far in this JVM (load generator and simulated cluster): count and seconds. */
    static double[] ownGc() {
        double[] gc = new double[2];
        for (var bean : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
            gc[0] += Math.max(0, bean.getCollectionCount());
            gc[1] += Math.max(0, bean.getCollectionTime()) / 1000.0;
        }
        return gc;
    }

    static double[] minus(double[] after, double[] before) {
        return new double[]{after[0] - before[0], after[1] - before[1]};
    }

    /** CPU seconds (user + system) a process has used so far, from /proc (Linux); 0 if it is gone. */
    static double cpuSeconds(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0; // utime, stime in USER_HZ ticks
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** CPU seconds of the service, of the PostgreSQL processes, and of this JVM. */
    static double[] cpu(Process service) {
        // pg_ctl detaches the server from this JVM: its processes are found by name (another PostgreSQL on the machine would count too).
        double postgres = ProcessHandle.allProcesses()
                .filter(p -> p.info().command().map(c -> c.endsWith("/postgres")).orElse(false))
                .mapToDouble(p -> cpuSeconds(p.pid())).sum();
        return new double[]{cpuSeconds(service.pid()), postgres, cpuSeconds(ProcessHandle.current().pid())};
    }

    /**
     * The cluster both runs talk to, hosted in this JVM (with a real PostgreSQL for the volumes' databases and the
     * service's own): the imitation, or upstream's control plane. The service runs in real mode against it, so its
     * process holds the service alone and its RSS is the service's.
     */
    interface BenchCluster extends AutoCloseable {
        EmbeddedPostgresServer postgres();

        /** How the service reaches it (API URL, and on the control plane its ServiceAccount token and the CA). */
        java.util.Map<String, String> serviceEnv();

        /** The bare client of the baseline. */
        io.fabric8.kubernetes.client.Config baselineConfig();

        /** Kubernetes requests the service has made so far (not counting the cluster's own components). */
        long serviceRequests() throws Exception;

        static BenchCluster start(Path dir) throws Exception {
            return CONTROL_PLANE ? new ControlPlaneCluster(dir) : new SimulatedCluster(dir);
        }
    }

    /**
     * Upstream's control plane and the node agent. The service is its own ServiceAccount (k8s/ files); its requests are
     * counted from the API server's audit log (one line per request but watches); the baseline writes as the sandbox's
     * administrator, so that it meets no RBAC at all.
     */
    static final class ControlPlaneCluster implements BenchCluster {
        final EmbeddedPostgresServer postgres;
        final ControlPlane plane;
        final KubernetesClient agentClient;
        final ClaimDatabases databases;
        final NodeAgent agent;
        final String token;
        final Path dir;

        ControlPlaneCluster(Path dir) throws Exception {
            this.dir = dir.toAbsolutePath();
            var binaries = ControlPlane.Binaries.find(java.util.Optional.ofNullable(System.getenv("LABS_SANDBOX_CONTROL_PLANE_BIN")))
                    .orElseThrow(() -> new IllegalStateException("-Dcluster=control-plane needs bash sandbox-cluster/build-control-plane.sh first"));
            postgres = EmbeddedPostgresServer.start(this.dir.resolve("postgres"));
            plane = ControlPlane.start(binaries, this.dir.resolve("control-plane"), "127.0.0.1");
            try (var admin = new KubernetesClientBuilder().withConfig(plane.adminConfig()).build()) {
                token = ServiceIdentity.create(admin);
            }
            databases = new ClaimDatabases(postgres.jdbcUrl("postgres"));
            agentClient = new KubernetesClientBuilder().withConfig(io.fabric8.kubernetes.client.Config.fromKubeconfig(
                    Files.readString(this.dir.resolve("control-plane").resolve(ControlPlane.NODE_AGENT_KUBECONFIG)))).build();
            // Ready at once and room for every lab's pod, as the simulator gives the imitation's runs.
            agent = new NodeAgent(agentClient, new NodeAgent.Settings(Duration.ZERO, Duration.ZERO, 100_000, image -> true), databases);
            agent.start();
        }

        public EmbeddedPostgresServer postgres() {
            return postgres;
        }

        public java.util.Map<String, String> serviceEnv() {
            return java.util.Map.of("QUARKUS_KUBERNETES_CLIENT_API_SERVER_URL", plane.url(), "QUARKUS_KUBERNETES_CLIENT_TOKEN", token,
                    "QUARKUS_KUBERNETES_CLIENT_CA_CERT_FILE", plane.caCertificate().toString(),
                    "LABS_CLUSTER_POD_SECURITY_CHECK", "warn");
        }

        public io.fabric8.kubernetes.client.Config baselineConfig() {
            return new ConfigBuilder(plane.adminConfig()).withRequestRetryBackoffLimit(0).build();
        }

        public long serviceRequests() throws Exception {
            try (var lines = Files.lines(dir.resolve("control-plane/logs/audit.log"))) {
                String user = "\"username\":\"" + ServiceIdentity.USERNAME + "\"";
                return lines.filter(l -> l.contains(user)).count();
            }
        }

        @Override
        public void close() throws Exception {
            agent.close();
            agentClient.close();
            databases.close();
            plane.close();
            postgres.close();
        }
    }

    static final class SimulatedCluster implements BenchCluster {
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

        public EmbeddedPostgresServer postgres() {
            return postgres;
        }

        public java.util.Map<String, String> serviceEnv() {
            return java.util.Map.of("QUARKUS_KUBERNETES_CLIENT_API_SERVER_URL", api.url(), "LABS_CLUSTER_POD_SECURITY_CHECK", "warn");
        }

        public io.fabric8.kubernetes.client.Config baselineConfig() {
            return new ConfigBuilder().withMasterUrl(api.url()).withTrustCerts(true).withRequestRetryBackoffLimit(0).build();
        }

        public long serviceRequests() {
            return new SandboxControls(api.url()).stats().requests();
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

    /** One run of the service; with a receiver, a webhook subscription to it is made before the warm-up. */
    static Result runService(Path jar, BenchCluster cluster, WebhookReceiver receiver) throws Exception {
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
        env.put("QUARKUS_DATASOURCE_JDBC_URL", cluster.postgres().jdbcUrl(EmbeddedPostgresServer.SERVICE_DATABASE));
        env.put("QUARKUS_DATASOURCE_USERNAME", cluster.postgres().user());
        env.putAll(cluster.serviceEnv());
        env.put("LABS_ADMIN_BOOTSTRAP_TOKEN", ADMIN_TOKEN);
        env.put("LABS_LEARNER_SIGNING_KEY", java.util.Base64.getEncoder().encodeToString(new byte[32]));
        env.put("LABS_LTI_KEY_ENCRYPTION_KEY", java.util.Base64.getEncoder().encodeToString(new byte[32]));
        env.put("LABS_RECONCILER_WORKERS", Integer.toString(WORKERS));
        env.put("QUARKUS_LOG_LEVEL", "WARN");
        // glibc's default of 8 malloc arenas per core only adds RSS to a JVM (the usual container setting).
        env.put("MALLOC_ARENA_MAX", "2");
        // The receiver is on loopback over plain http, which real mode refuses unless told.
        env.put("LABS_WEBHOOKS_ALLOW_HTTP", "true");
        env.put("LABS_WEBHOOKS_ALLOW_PRIVATE_ADDRESSES", "true");
        // -DserviceEnv=NAME=value,NAME=value: further settings of the service, to try one (e.g. LABS_RECONCILER_WORKERS=2).
        for (String pair : System.getProperty("serviceEnv", "").split(",")) {
            if (pair.contains("=")) {
                env.put(pair.substring(0, pair.indexOf('=')), pair.substring(pair.indexOf('=') + 1));
            }
        }
        Process service = builder.start();
        try {
            String base = "http://127.0.0.1:" + port;
            waitFor(() -> status(get(base + "/q/health/ready", null)) == 200, Duration.ofSeconds(90), "service ready");
            String secret = field(post(base + "/api/v1/admin/clients", ADMIN_TOKEN,
                    "{\"name\":\"bench\",\"scopes\":[\"labs:read\",\"labs:write\"]}").body(), "secret");
            if (receiver != null) {
                // Before the warm-up, so that the outbox's path is compiled too before the measured creates.
                var subscribed = post(base + "/api/v1/webhooks", secret, "{\"url\":\"" + receiver.url() + "\"}");
                if (subscribed.statusCode() != 201) {
                    throw new IllegalStateException("subscribing answered " + subscribed.statusCode() + ": " + subscribed.body());
                }
            }
            // The LMS's 50 workers, each with its connection, used for the warm-up and then for the measurement.
            ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
            ThreadLocal<LmsConnection> connections = ThreadLocal.withInitial(() -> LmsConnection.open(port));
            // Warm-up on the measured path (new labs, 202), in a course of its own; they are all READY, and the
            // cluster quiet again, before the measurement starts. They stay: the baseline writes as many first.
            createLabs(clients, connections, secret, "warm-up", WARMUP);
            waitFor(() -> labsIn(base, secret, "warm-up", "READY") >= WARMUP, Duration.ofMinutes(20), "the warm-up labs READY");
            long before = cluster.serviceRequests();

            double[] serviceGcBefore = serviceGc(base);
            double[] ownGcBefore = ownGc();
            profiler(service.pid(), PROFILER_START);
            profiler(ProcessHandle.current().pid(), PROFILER_START);
            double[] cpuBefore = cpu(service);
            long uptimeMs = java.time.Duration.between(service.info().startInstant().orElseThrow(), java.time.Instant.now()).toMillis();
            long start = System.nanoTime();
            long[] latencies = createLabs(clients, connections, secret, "bench", LABS);
            double burstSeconds = (System.nanoTime() - start) / 1e9;
            clients.shutdown();
            double[] cpuAfter = cpu(service);
            double[] ownGcAfter = ownGc();
            var burst = new Burst(burstSeconds, cpuAfter[0] - cpuBefore[0], cpuAfter[1] - cpuBefore[1],
                    cpuAfter[2] - cpuBefore[2], uptimeMs / 1000.0, minus(serviceGc(base), serviceGcBefore), minus(ownGcAfter, ownGcBefore));
            profiler(service.pid(), "stop,collapsed,file=" + Path.of("target/benchmark-service-profile.collapsed").toAbsolutePath());
            profiler(ProcessHandle.current().pid(), "stop,collapsed,file=" + Path.of("target/benchmark-cluster-profile.collapsed").toAbsolutePath());
            if (WAIT_READY) {
                waitFor(() -> labsIn(base, secret, "bench", "READY") >= LABS, Duration.ofMinutes(20), "all labs READY");
            }
            if (receiver != null) {
                waitFor(() -> receiver.received.size() >= LABS, Duration.ofMinutes(5), "every measured lab's lab.ready webhook");
            }
            double wall = WAIT_READY ? (System.nanoTime() - start) / 1e9 : Double.NaN;
            double serviceCpuToEnd = cpuSeconds(service.pid()) - cpuBefore[0];
            Deliveries deliveries = receiver == null ? null : receiver.deliveries(cluster);
            long requests = WAIT_READY ? cluster.serviceRequests() - before : -1;
            Arrays.sort(latencies);
            long[] rss = rss(service.pid());
            return new Result(requests, wall, latencies[LABS / 2] / 1e6, latencies[(int) Math.ceil(LABS * 0.99) - 1] / 1e6, rss[0], rss[1], burst,
                    serviceCpuToEnd, deliveries);
        } finally {
            service.destroy();
            service.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** Sends an async-profiler command to a JVM (jcmd JVMTI.agent_load), if -Dprofiler names the library. */
    static void profiler(long pid, String command) throws Exception {
        if (!PROFILER.isEmpty()) {
            new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), Long.toString(pid), "JVMTI.agent_load",
                    PROFILER, '"' + command + '"').redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
        }
    }

    /** {@code count} new labs in {@code course} from the clients, as fast as they answer; each create's latency in ns. */
    static long[] createLabs(ExecutorService clients, ThreadLocal<LmsConnection> connections, String secret, String course, int count)
            throws Exception {
        long[] latencies = new long[count];
        long[] starts = new long[count];
        int[] connection = new int[count];
        long zero = System.nanoTime();
        List<Future<?>> calls = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int n = i;
            calls.add(clients.submit(() -> {
                long t = System.nanoTime();
                starts[n] = t - zero;
                connection[n] = connections.get().number;
                var response = connections.get().send("POST", "/api/v1/labs", secret,
                        "{\"learnerId\":\"" + course + "-" + n + "\",\"courseId\":\"" + course + "\",\"template\":\"postgres-statefulset\"}");
                latencies[n] = System.nanoTime() - t;
                if (response.status() != 202) {
                    throw new IllegalStateException("create answered " + response.status() + ": " + response.body());
                }
                return null;
            }));
        }
        for (var call : calls) {
            call.get();
        }
        // Each call's start and latency, for a look at when the slow ones happened (GC, compilation, other work).
        var csv = new StringBuilder("start_ms,latency_ms,connection\n");
        for (int i = 0; i < count; i++) {
            csv.append(String.format(java.util.Locale.ROOT, "%.2f,%.2f,%d%n", starts[i] / 1e6, latencies[i] / 1e6, connection[i]));
        }
        Files.writeString(Path.of("target/benchmark-" + course + "-latencies.csv"), csv);
        return latencies;
    }

    /** The same objects, written by the bare fabric8 client with as many threads, the same simulator making them Ready. */
    static double runBaseline(BenchCluster cluster) throws Exception {
        try (KubernetesClient client = new KubernetesClientBuilder().withConfig(cluster.baselineConfig()).build()) {
            var ready = new java.util.concurrent.atomic.AtomicInteger();
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
                        ready.incrementAndGet();
                    }
                }
            });
            // As many labs as the service's warm-up first, untimed, so that both runs time 1,000 labs on a
            // cluster that already holds as many.
            writeLabs(client, WARMUP);
            waitFor(() -> ready.get() >= WARMUP, Duration.ofMinutes(20), "the baseline's first labs Ready");
            long start = System.nanoTime();
            writeLabs(client, LABS);
            waitFor(() -> ready.get() >= WARMUP + LABS, Duration.ofMinutes(20), "the baseline labs Ready");
            double wall = (System.nanoTime() - start) / 1e9;
            informer.stop();
            return wall;
        }
    }

    /** Each lab's objects, created by the bare client from as many threads as the service has workers. */
    static void writeLabs(KubernetesClient client, int count) throws Exception {
        ExecutorService writers = Executors.newFixedThreadPool(WORKERS);
        List<Future<?>> labs = new ArrayList<>();
        for (int i = 0; i < count; i++) {
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
    }

    static LabSpec spec(UUID id) {
        var template = new LabTemplate("postgres-statefulset", 1, "PostgreSQL on a StatefulSet", "",
                new LabTemplate.Postgres("docker.io/library/postgres:17", "1Gi", "100m", "128Mi", "1", "512Mi", 1, 999, null), null, null);
        return new LabSpec(id, "bench", "bench-learner", template, "benchmark-password", "restricted", "lab-provisioner", "lab-provisioner");
    }

    static long labsIn(String base, String secret, String course, String state) throws Exception {
        return Long.parseLong(field(get(base + "/api/v1/labs?state=" + state + "&courseId=" + course + "&size=1", secret).body(), "total"));
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

    /**
     * One LMS worker's connection: HTTP/1.1 kept alive, one request at a time, as a pooled client holds one. So
     * 50 clients are 50 connections (the JDK client would multiplex them all over one HTTP/2 connection), and
     * the load generator, which shares the cores with the service here, costs little CPU: a socket and a parser
     * of status line, headers and a Content-Length or chunked body.
     */
    static final class LmsConnection {
        private final java.net.Socket socket;
        private final java.io.InputStream in;
        private final java.io.OutputStream out;
        /** In the order the connections were opened (the server hands them to its event loops in turn). */
        final int number = OPENED.getAndIncrement();
        private static final java.util.concurrent.atomic.AtomicInteger OPENED = new java.util.concurrent.atomic.AtomicInteger();

        record Response(int status, String body) {
        }

        private LmsConnection(java.net.Socket socket) throws IOException {
            this.socket = socket;
            socket.setTcpNoDelay(true);
            this.in = new java.io.BufferedInputStream(socket.getInputStream());
            this.out = new java.io.BufferedOutputStream(socket.getOutputStream());
        }

        static LmsConnection open(int port) {
            try {
                return new LmsConnection(new java.net.Socket("127.0.0.1", port));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        Response send(String method, String path, String token, String json) throws IOException {
            byte[] body = json == null ? new byte[0] : json.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            out.write((method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token
                    + "\r\nContent-Type: application/json\r\nAccept: application/json\r\nContent-Length: " + body.length + "\r\n\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            String statusLine = line();
            int status = Integer.parseInt(statusLine.split(" ")[1]);
            int length = -1;
            boolean chunked = false;
            for (String header = line(); !header.isEmpty(); header = line()) {
                String name = header.substring(0, header.indexOf(':')).trim().toLowerCase(java.util.Locale.ROOT);
                String value = header.substring(header.indexOf(':') + 1).trim();
                if (name.equals("content-length")) {
                    length = Integer.parseInt(value);
                } else if (name.equals("transfer-encoding") && value.equalsIgnoreCase("chunked")) {
                    chunked = true;
                }
            }
            var content = new java.io.ByteArrayOutputStream();
            if (chunked) {
                for (int size = Integer.parseInt(line().split(";")[0].trim(), 16); size > 0; size = Integer.parseInt(line().split(";")[0].trim(), 16)) {
                    content.write(in.readNBytes(size));
                    line();
                }
                line();
            } else if (length > 0) {
                content.write(in.readNBytes(length));
            }
            return new Response(status, content.toString(java.nio.charset.StandardCharsets.UTF_8));
        }

        private String line() throws IOException {
            var b = new StringBuilder();
            for (int c = in.read(); c != '\n'; c = in.read()) {
                if (c < 0) {
                    throw new IOException("connection closed by the service");
                }
                if (c != '\r') {
                    b.append((char) c);
                }
            }
            return b.toString();
        }
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
