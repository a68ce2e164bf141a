package dev.labprovisioner.bench;

import dev.labprovisioner.cluster.LabNames;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.labprovisioner.bench.ProvisioningBenchmark.HTTP;
import static dev.labprovisioner.bench.ProvisioningBenchmark.field;
import static dev.labprovisioner.bench.ProvisioningBenchmark.freePort;
import static dev.labprovisioner.bench.ProvisioningBenchmark.labsIn;
import static dev.labprovisioner.bench.ProvisioningBenchmark.get;
import static dev.labprovisioner.bench.ProvisioningBenchmark.post;
import static dev.labprovisioner.bench.ProvisioningBenchmark.status;
import static dev.labprovisioner.bench.ProvisioningBenchmark.waitFor;

/**
 * Issue 3's benchmark (README): with {@code -Dlabs} (1,000) live labs in the packaged service in sandbox
 * mode, the p50/p99 of validating every non-acting checkpoint of one lab ({@code POST /api/v1/labs/{id}/validate}),
 * and the memory the informers and the timeline add per lab.
 * <p>
 * {@code -Dworked} (50) of the labs are worked through first the way a learner would (data written through the
 * SQL endpoint, scaled to 3 and back to 1 with the learner's kubeconfig), so their validations read the lab
 * database, a real timeline and every checkpoint's evidence. Validations go one at a time ({@code -Dvalidations},
 * 1,000, after {@code -Dwarmup}, 200) to random worked labs while the other labs stay live.
 * <p>
 * Memory: the service's heap after a full GC before the labs exist and once they are READY, divided by the
 * labs (an upper bound: the sandbox's in-process Kubernetes API and simulator live in that JVM too); then the
 * informers alone, measured in this JVM ({@link #informerMemory}). The timeline costs no heap once written
 * (its queue drains in batches): its rows per lab are printed from the service's metric.
 */
public final class CheckpointBenchmark {

    static final int LABS = Integer.getInteger("labs", 1000);
    static final int WORKED = Integer.getInteger("worked", 50);
    static final int VALIDATIONS = Integer.getInteger("validations", 1000);
    static final int WARMUP = Integer.getInteger("warmup", 200);
    static final String ADMIN = "sandbox-admin-token";
    static final String JAVA_OPTS = System.getProperty("serviceJavaOpts", "-Xmx1g");

    public static void main(String[] args) throws Exception {
        ProvisioningBenchmark.MOCK_SERVER_LOG.setLevel(java.util.logging.Level.WARNING);
        Path jar = Path.of("target/quarkus-app/quarkus-run.jar");
        if (!jar.toFile().exists()) {
            throw new IllegalStateException("Build first: ./mvnw package -DskipTests");
        }
        int port = freePort();
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(Arrays.asList(JAVA_OPTS.split(" ")));
        command.addAll(List.of("-jar", jar.toString()));
        var builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(Path.of("target/checkpoint-benchmark-service.log").toFile());
        var env = builder.environment();
        env.put("QUARKUS_PROFILE", "sandbox");
        env.put("QUARKUS_HTTP_PORT", Integer.toString(port));
        env.put("LABS_SANDBOX_WORK_DIR", Path.of("target/checkpoint-benchmark-sandbox").toAbsolutePath().toString());
        env.put("LABS_SANDBOX_POD_READY_DELAY", "100ms");
        env.put("QUARKUS_LOG_LEVEL", "WARN");
        Process service = builder.start();
        try {
            String base = "http://127.0.0.1:" + port;
            waitFor(() -> status(get(base + "/q/health/ready", null)) == 200, Duration.ofSeconds(120), "service ready");
            String secret = field(post(base + "/api/v1/admin/clients", ADMIN,
                    "{\"name\":\"bench\",\"scopes\":[\"labs:read\",\"labs:write\"]}").body(), "secret");
            long heapBefore = heapAfterGc(base, service.pid());
            double eventsBefore = metric(base, "labs_timeline_events_total");

            System.out.printf("creating %d labs ...%n", LABS);
            long start = System.nanoTime();
            String[] ids = new String[LABS];
            String[] urls = new String[LABS];
            ExecutorService clients = Executors.newFixedThreadPool(8);
            List<Future<?>> calls = new ArrayList<>();
            for (int i = 0; i < LABS; i++) {
                int n = i;
                calls.add(clients.submit(() -> {
                    String body = post(base + "/api/v1/labs", secret,
                            "{\"learnerId\":\"bench-" + n + "\",\"courseId\":\"bench\",\"template\":\"postgres-statefulset\",\"ttlMinutes\":480}").body();
                    ids[n] = field(body, "id");
                    urls[n] = field(body, "learnerUrl");
                    return null;
                }));
            }
            for (var call : calls) {
                call.get();
            }
            waitFor(() -> labsIn(base, secret, "bench", "READY") >= LABS, Duration.ofMinutes(30), "all labs READY");
            System.out.printf("%d labs READY in %.0f s%n", LABS, (System.nanoTime() - start) / 1e9);
            long heapLive = heapAfterGc(base, service.pid());
            double eventsLive = metric(base, "labs_timeline_events_total");

            System.out.printf("working %d labs as learners would ...%n", WORKED);
            List<Future<?>> work = new ArrayList<>();
            for (int i = 0; i < WORKED; i++) {
                int n = i;
                work.add(clients.submit(() -> {
                    learnerWork(urls[n]);
                    return null;
                }));
            }
            for (var w : work) {
                w.get();
            }
            clients.shutdown();

            var random = new Random(42);
            long[] latencies = new long[VALIDATIONS];
            int[] passedSeen = new int[1];
            for (int i = -WARMUP; i < VALIDATIONS; i++) {
                String id = ids[random.nextInt(WORKED)];
                long t = System.nanoTime();
                var response = post(base + "/api/v1/labs/" + id + "/validate", secret, "");
                long elapsed = System.nanoTime() - t;
                if (response.statusCode() != 200) {
                    throw new IllegalStateException("validate answered " + response.statusCode() + ": " + response.body());
                }
                if (i >= 0) {
                    latencies[i] = elapsed;
                    passedSeen[0] = Math.max(passedSeen[0], count(response.body(), "\"status\":\"PASSED\""));
                }
            }
            Arrays.sort(latencies);
            System.out.println();
            System.out.println("== Checkpoint benchmark (issue 3) ==");
            System.out.printf("live labs %d, of which %d worked (data written, scaled 1 -> 3 -> 1); %d validations of all 8 checkpoints, one at a time%n",
                    LABS, WORKED, VALIDATIONS);
            System.out.printf("checkpoints PASSED in a worked lab  %d of 8 (expected 4: stable-identity, write-data, scale-up-ordered, scale-down-retains-volumes)%n",
                    passedSeen[0]);
            System.out.printf("validate all, p50 / p99             %.1f ms / %.1f ms  (target p99 < 100 ms)%n",
                    latencies[VALIDATIONS / 2] / 1e6, latencies[(int) Math.ceil(VALIDATIONS * 0.99) - 1] / 1e6);
            System.out.printf("heap after GC, per live lab          %.1f KB  (%d MB idle -> %d MB with %d labs; includes the in-process API and simulator)%n",
                    (heapLive - heapBefore) / 1024.0 / LABS, heapBefore >> 20, heapLive >> 20, LABS);
            System.out.printf("timeline rows per lab, provisioning  %.1f (rows live in PostgreSQL, not in the heap)%n",
                    (eventsLive - eventsBefore) / LABS);
            System.out.printf("timeline rows per worked lab, total  %.1f%n",
                    (metric(base, "labs_timeline_events_total") - eventsLive) / WORKED + (eventsLive - eventsBefore) / LABS);
        } finally {
            service.destroy();
            service.waitFor(30, TimeUnit.SECONDS);
        }
        informerMemory();
        System.exit(0);
    }

    /**
     * What the service's shared informers hold per lab, measured alone: the same simulated cluster with the
     * labs' objects and Ready pods in this JVM, heap after GC before and after opening the informers the way
     * LabClusterWatch does (pods, PVCs, StatefulSets, Services in all namespaces; lab namespaces by label).
     */
    static void informerMemory() throws Exception {
        System.out.printf("%nmeasuring the informers alone: %d labs in an in-process simulated cluster ...%n", LABS);
        try (var cluster = new ProvisioningBenchmark.SimulatedCluster(Path.of("target/checkpoint-benchmark-informers"))) {
            ProvisioningBenchmark.runBaseline(cluster);
            try (KubernetesClient client = new KubernetesClientBuilder().withConfig(new ConfigBuilder().withMasterUrl(cluster.api.url()).build()).build()) {
                client.namespaces().list();
                long before = heapAfterGc();
                var informers = List.of(
                        client.apps().statefulSets().inAnyNamespace().inform(),
                        client.pods().inAnyNamespace().inform(),
                        client.persistentVolumeClaims().inAnyNamespace().inform(),
                        client.services().inAnyNamespace().inform(),
                        client.namespaces().withLabel(LabNames.MANAGED_BY_LABEL, LabNames.MANAGED_BY).inform());
                waitFor(() -> informers.stream().allMatch(i -> i.hasSynced()), Duration.ofMinutes(2), "informers synced");
                long pods = informers.get(1).getStore().list().size();
                long after = heapAfterGc();
                System.out.printf("informer caches, per lab              %.1f KB  (%d pods, %d MB for %d labs)%n",
                        (after - before) / 1024.0 / LABS, pods, (after - before) >> 20, LABS);
                informers.forEach(i -> i.stop());
            }
        }
    }

    static long heapAfterGc() {
        var memory = java.lang.management.ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return memory.getHeapMemoryUsage().getUsed();
    }

    /** Data into postgres-0 through the SQL endpoint, write-data checked, scaled to 3 and back to 1 with the learner's kubeconfig. */
    static void learnerWork(String url) throws Exception {
        var sql = HTTP.send(HttpRequest.newBuilder(URI.create(url + "/pods/postgres-0/sql")).header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("CREATE TABLE notes (id int PRIMARY KEY, body text); "
                        + "INSERT INTO notes SELECT g, 'note ' || g FROM generate_series(1, 100) g")).build(), HttpResponse.BodyHandlers.ofString());
        if (sql.statusCode() != 200) {
            throw new IllegalStateException("SQL answered " + sql.statusCode() + ": " + sql.body());
        }
        var check = HTTP.send(HttpRequest.newBuilder(URI.create(url + "/checkpoints/write-data/validate"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        if (!check.body().contains("\"PASSED\"")) {
            throw new IllegalStateException("write-data did not pass: " + check.body());
        }
        String kubeconfig = get(url + "/kubeconfig", null).body();
        try (KubernetesClient kube = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(kubeconfig)).build()) {
            var sts = kube.apps().statefulSets().withName("postgres");
            sts.patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"replicas\":3}}");
            waitFor(() -> ready(kube) == 3, Duration.ofMinutes(5), "3 pods Ready");
            // Checked while at 3 (the learner's Check button), so it stays PASSED after the scale-down.
            waitFor(() -> HTTP.send(HttpRequest.newBuilder(URI.create(url + "/checkpoints/scale-up-ordered/validate"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString()).body().contains("\"PASSED\""),
                    Duration.ofMinutes(2), "scale-up-ordered PASSED");
            sts.patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"replicas\":1}}");
            waitFor(() -> kube.pods().list().getItems().size() == 1, Duration.ofMinutes(5), "back to 1 pod");
        }
    }

    static long ready(KubernetesClient kube) {
        return kube.pods().list().getItems().stream().filter(p -> p.getStatus() != null && p.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()))).count();
    }

    static long heapAfterGc(String base, long pid) throws Exception {
        String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        for (int i = 0; i < 2; i++) {
            new ProcessBuilder(jcmd, Long.toString(pid), "GC.run").redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
        }
        return (long) sum(get(base + "/q/metrics", ADMIN).body(), "jvm_memory_used_bytes\\{area=\"heap\"[^}]*\\}");
    }

    static double metric(String base, String name) throws Exception {
        return sum(get(base + "/q/metrics", ADMIN).body(), Pattern.quote(name) + "(\\{[^}]*\\})?");
    }

    static double sum(String metrics, String series) {
        Matcher m = Pattern.compile("(?m)^" + series + " ([0-9.eE+-]+)$").matcher(metrics);
        double total = 0;
        while (m.find()) {
            total += Double.parseDouble(m.group(m.groupCount()));
        }
        return total;
    }

    static int count(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }
}
