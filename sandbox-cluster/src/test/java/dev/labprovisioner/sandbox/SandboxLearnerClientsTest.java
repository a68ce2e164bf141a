package dev.labprovisioner.sandbox;

import dev.labprovisioner.cluster.Kubeconfig;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A learner's kubeconfig on the imitation, used with the clients a learner uses: kubectl (Debian's 1.20, as the lab's
 * steps type it), the official Python client ({@code python3-kubernetes}) and the official JavaScript client
 * ({@code @kubernetes/client-node}, {@code src/test/k8s-clients}). The imitation runs as the sandbox process runs it:
 * TLS with its own CA, a token on every request. Without a tool, a test is skipped, or fails where test tools are
 * required ({@code LABS_REQUIRE_TEST_TOOLS=true}).
 */
class SandboxLearnerClientsTest {

    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static final AtomicInteger LABS = new AtomicInteger();
    private static final Path CLIENTS = Path.of("src/test/k8s-clients");
    private static final String STATEFUL_SET = """
            apiVersion: apps/v1
            kind: StatefulSet
            metadata:
              name: postgres
            spec:
              serviceName: postgres
              replicas: 1
              selector:
                matchLabels: {app: postgres}
              template:
                metadata:
                  labels: {app: postgres}
                spec:
                  containers:
                  - name: postgres
                    image: postgres:17
              volumeClaimTemplates:
              - metadata: {name: data}
                spec:
                  accessModes: [ReadWriteOnce]
                  resources: {requests: {storage: 1Gi}}
            """;

    private static SimulatedCluster cluster;
    private static KubernetesClient admin;
    private static final List<AutoCloseable> opened = new ArrayList<>();

    @BeforeAll
    static void start() {
        cluster = SimulatedCluster.start(new StatefulSetSimulator.Settings(Duration.ofMillis(300), 2.0, image -> false),
                SimulatedCluster.noting(null, null));
        admin = cluster.client;
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable c : opened) {
            c.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    /** A lab as the service leaves it: a namespace, the learner's ServiceAccount, the StatefulSet, two Secrets. */
    private record Lab(String namespace, String kubeconfig) {
    }

    private static Lab lab() {
        String ns = "lab-" + LABS.incrementAndGet() + "-clients";
        admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create();
        admin.serviceAccounts().inNamespace(ns).resource(new ServiceAccountBuilder().withNewMetadata().withName("learner").endMetadata()
                .build()).create();
        for (String secret : List.of("postgres-credentials", "other")) {
            admin.secrets().inNamespace(ns).resource(new SecretBuilder().withNewMetadata().withName(secret).endMetadata()
                    .addToStringData("password", "pw").build()).create();
        }
        admin.load(new java.io.ByteArrayInputStream(STATEFUL_SET.getBytes(StandardCharsets.UTF_8))).inNamespace(ns).create();
        String token = admin.serviceAccounts().inNamespace(ns).withName("learner").tokenRequest(new TokenRequestBuilder().withNewSpec()
                .withExpirationSeconds(3600L).endSpec().build()).getStatus().getToken();
        return new Lab(ns, Kubeconfig.yaml("sandbox", cluster.api.url(), cluster.api.caCertificatePem(), "learner", token, ns));
    }

    private static Kubectl kubectl(String kubeconfig, String namespace) {
        Kubectl kubectl = Kubectl.with(Kubectl.require(), kubeconfig, namespace);
        opened.add(kubectl);
        return kubectl;
    }

    // ------------------------------------------------------------------ kubectl, confined

    @Test
    void kubectlAuthCanIAnswersWhatTheLearnerRoleGrantsInTheirNamespaceAndNothingElse() {
        Lab lab = lab();
        Lab other = lab();
        Kubectl kube = kubectl(lab.kubeconfig(), lab.namespace());
        // DESIGN §2: scale, delete pods, exec, read logs, create/delete StatefulSets and PVCs, in their namespace
        for (String allowed : List.of("get pods", "list pods", "watch pods", "delete pods", "create pods --subresource=exec",
                "get pods --subresource=log", "create statefulsets.apps", "delete statefulsets.apps", "patch statefulsets.apps",
                "update statefulsets.apps --subresource=scale", "create persistentvolumeclaims", "delete persistentvolumeclaims",
                "get secrets/postgres-credentials", "list events", "get services")) {
            assertEquals("yes", canI(kube, allowed, null), allowed);
        }
        for (String denied : List.of("list secrets", "get secrets/other", "delete services", "create roles.rbac.authorization.k8s.io",
                "create rolebindings.rbac.authorization.k8s.io", "delete networkpolicies.networking.k8s.io", "create pods")) {
            assertEquals("no", canI(kube, denied, null), denied);
        }
        // another lab's namespace; namespaces; anything cluster-scoped
        for (String denied : List.of("get pods", "delete statefulsets.apps", "get secrets/postgres-credentials")) {
            assertEquals("no", canI(kube, denied, other.namespace()), denied + " in " + other.namespace());
        }
        for (String denied : List.of("delete namespaces", "list namespaces", "create clusterrolebindings.rbac.authorization.k8s.io",
                "list nodes", "create persistentvolumes")) {
            assertEquals("no", canI(kube, denied + " --all-namespaces", null), denied);
        }
    }

    @Test
    void kubectlWithTheLearnersKubeconfigIsRefusedOutsideTheirNamespace() {
        Lab lab = lab();
        Lab other = lab();
        Kubectl kube = kubectl(lab.kubeconfig(), lab.namespace());
        await().atMost(DEADLINE).until(() -> kube.run(null, "get", "pods").output().contains("postgres-0"));
        assertTrue(kube.ok("scale", "statefulset", "postgres", "--replicas=2").contains("scaled"));
        assertEquals("pw", new String(java.util.Base64.getDecoder().decode(
                kube.ok("get", "secret", "postgres-credentials", "-o", "jsonpath={.data.password}")), StandardCharsets.UTF_8));

        forbidden(kube.runIn(other.namespace(), null, "get", "pods"));
        forbidden(kube.runIn(other.namespace(), null, "get", "secret", "postgres-credentials"));
        forbidden(kube.runIn(other.namespace(), null, "delete", "pod", "postgres-0"));
        forbidden(kube.runIn(other.namespace(), null, "delete", "statefulset", "postgres"));
        forbidden(kube.run(null, "get", "secret", "other"));
        forbidden(kube.run(null, "delete", "namespace", other.namespace()));
        forbidden(kube.run(null, "delete", "namespace", lab.namespace()));
        forbidden(kube.run(null, "get", "namespaces"));
        forbidden(kube.run("""
                apiVersion: rbac.authorization.k8s.io/v1
                kind: ClusterRoleBinding
                metadata: {name: mine}
                roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
                subjects: [{kind: ServiceAccount, name: learner, namespace: %s}]
                """.formatted(lab.namespace()), "create", "-f", "-"));
        // all of it left as it was
        assertTrue(admin.namespaces().withName(other.namespace()).get() != null);
        assertTrue(admin.apps().statefulSets().inNamespace(other.namespace()).withName("postgres").get() != null);
        assertTrue(admin.rbac().clusterRoleBindings().withName("mine").get() == null);
    }

    @Test
    void kubectlServerSideDryRunsAnswerWhatWouldBeAndChangeNothing() {
        Lab lab = lab();
        Kubectl kube = kubectl(lab.kubeconfig(), lab.namespace());
        await().atMost(DEADLINE).until(() -> kube.run(null, "get", "pods").output().matches("(?s).*postgres-0\\s+1/1\\s+Running.*"));
        String pod = kube.ok("get", "pod", "postgres-0", "-o", "jsonpath={.metadata.uid}");
        String version = kube.ok("get", "statefulset", "postgres", "-o", "jsonpath={.metadata.resourceVersion}");

        String scaled = kube.ok("scale", "statefulset", "postgres", "--replicas=3", "--dry-run=server");
        assertTrue(scaled.contains("scaled"), scaled);
        // kubectl 1.20 checks OpenAPI v2 for dry-run support before a patch or delete, and the imitation's has no paths:
        // the same requests through the official Java client (fabric8), as the learner
        try (KubernetesClient learner = new io.fabric8.kubernetes.client.KubernetesClientBuilder()
                .withConfig(io.fabric8.kubernetes.client.Config.fromKubeconfig(lab.kubeconfig())).build()) {
            var statefulSet = learner.apps().statefulSets().inNamespace(lab.namespace()).withName("postgres");
            assertEquals(4, statefulSet.dryRun().patch(io.fabric8.kubernetes.client.dsl.base.PatchContext.of(
                    io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE), "{\"spec\":{\"replicas\":4}}").getSpec().getReplicas());
            assertEquals(5, statefulSet.dryRun().patch(io.fabric8.kubernetes.client.dsl.base.PatchContext.of(
                    io.fabric8.kubernetes.client.dsl.base.PatchType.JSON), "[{\"op\":\"replace\",\"path\":\"/spec/replicas\",\"value\":5}]")
                    .getSpec().getReplicas());
            assertEquals("postgres:18", statefulSet.dryRun().patch(io.fabric8.kubernetes.client.dsl.base.PatchContext.of(
                    io.fabric8.kubernetes.client.dsl.base.PatchType.STRATEGIC_MERGE),
                    "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"postgres\",\"image\":\"postgres:18\"}]}}}}")
                    .getSpec().getTemplate().getSpec().getContainers().get(0).getImage());
            learner.pods().inNamespace(lab.namespace()).withName("postgres-0").dryRun().delete();
            var refused = org.junit.jupiter.api.Assertions.assertThrows(io.fabric8.kubernetes.client.KubernetesClientException.class,
                    () -> statefulSet.dryRun().patch(io.fabric8.kubernetes.client.dsl.base.PatchContext.of(
                            io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE), "{\"spec\":{\"serviceName\":\"other\"}}"));
            assertEquals(422, refused.getCode(), refused.getMessage());
        }

        // nothing changed: one replica, the same pod, the StatefulSet untouched
        assertEquals("1 postgres:17 " + version, kube.ok("get", "statefulset", "postgres", "-o",
                "jsonpath={.spec.replicas} {.spec.template.spec.containers[0].image} {.metadata.resourceVersion}"));
        assertEquals(pod, kube.ok("get", "pod", "postgres-0", "-o", "jsonpath={.metadata.uid}"));
        assertTrue(kube.run(null, "get", "pod", "postgres-1").output().contains("not found"));
    }

    @Test
    void aTokenTheImitationNeverIssuedIsUnauthorized() {
        // (no token at all: kubectl would prompt for a password; SandboxKubernetesApiTest asserts the 401 over HTTP)
        Lab lab = lab();
        Kubectl.Result forged = kubectl(lab.kubeconfig().replaceAll("token: tokenrequest-[0-9a-f]+", "token: tokenrequest-00"),
                lab.namespace()).run(null, "get", "pods");
        assertEquals(1, forged.exit(), forged.output());
        assertTrue(forged.output().contains("Unauthorized"), forged.output());
    }

    private static String canI(Kubectl kube, String what, String namespace) {
        List<String> args = new ArrayList<>(List.of("auth", "can-i"));
        args.addAll(List.of(what.split(" ")));
        Kubectl.Result result = namespace == null ? kube.run(null, args.toArray(String[]::new))
                : kube.runIn(namespace, null, args.toArray(String[]::new));
        String answer = result.output().strip();
        // "no" can carry a warning line about an unknown resource; the answer is the last line
        return answer.substring(answer.lastIndexOf('\n') + 1).strip();
    }

    private static void forbidden(Kubectl.Result result) {
        assertEquals(1, result.exit(), result.output());
        assertTrue(result.output().contains("Error from server (Forbidden)"), result.output());
    }

    // ------------------------------------------------------------------ watches that stream

    @Test
    void kubectlGetPodsWatchShowsTheNewPodAppearAndBecomeReady() {
        Lab lab = lab();
        Kubectl kube = kubectl(lab.kubeconfig(), lab.namespace());
        await().atMost(DEADLINE).until(() -> kube.run(null, "get", "pods").output().matches("(?s).*postgres-0\\s+1/1\\s+Running.*"));
        Kubectl.Running plain = kube.start("get", "pods", "-w");
        Kubectl.Running events = kube.start("get", "pods", "-w", "--output-watch-events");
        opened.add(plain);
        opened.add(events);
        await().atMost(DEADLINE).until(() -> String.join("\n", plain.lines()).contains("postgres-0")
                && String.join("\n", events.lines()).contains("postgres-0"));
        admin.apps().statefulSets().inNamespace(lab.namespace()).withName("postgres").scale(2);
        await().atMost(DEADLINE).until(() -> plain.lines().stream().anyMatch(l -> l.matches("postgres-1\\s+1/1\\s+Running.*")));
        await().atMost(DEADLINE).until(() -> events.lines().stream().anyMatch(l -> l.matches("MODIFIED\\s+postgres-1\\s+1/1\\s+Running.*")));
        assertTrue(events.lines().stream().anyMatch(l -> l.matches("ADDED\\s+postgres-1\\s+0/1\\s+.*")), events.lines().toString());
        assertTrue(plain.alive() && events.alive(), "kubectl get -w is still watching");
        admin.pods().inNamespace(lab.namespace()).withName("postgres-1").delete();
        await().atMost(DEADLINE).until(() -> events.lines().stream().anyMatch(l -> l.matches("DELETED\\s+postgres-1\\s+.*")));
    }

    @Test
    void thePythonClientsWatchStreamsThePodsChanges() {
        String python = python();
        Lab lab = lab();
        List<String> lines = run(lab, python, "watch.py", lab.namespace(), "20");
        await().atMost(DEADLINE).until(() -> lines.contains("ADDED postgres-0 ready") || lines.contains("MODIFIED postgres-0 ready"));
        admin.apps().statefulSets().inNamespace(lab.namespace()).withName("postgres").scale(2);
        await().atMost(DEADLINE).until(() -> lines.contains("MODIFIED postgres-1 ready"));
        assertTrue(lines.contains("ADDED postgres-1 not-ready"), lines.toString());
        assertTrue(!lines.contains("END"), "still watching: " + lines);
        // timeout_seconds: the server ends the watch, and the client's stream with it
        await().atMost(Duration.ofSeconds(40)).until(() -> lines.contains("END"));
    }

    @Test
    void theJavaScriptClientsWatchStreamsThePodsChanges() {
        requireNodeClient();
        Lab lab = lab();
        List<String> lines = run(lab, "node", "watch.mjs", lab.namespace(), "30");
        await().atMost(DEADLINE).until(() -> lines.contains("ADDED postgres-0 ready") || lines.contains("MODIFIED postgres-0 ready"));
        admin.apps().statefulSets().inNamespace(lab.namespace()).withName("postgres").scale(2);
        await().atMost(DEADLINE).until(() -> lines.contains("MODIFIED postgres-1 ready"));
        assertTrue(lines.contains("ADDED postgres-1 not-ready"), lines.toString());
        admin.pods().inNamespace(lab.namespace()).withName("postgres-1").delete();
        await().atMost(DEADLINE).until(() -> lines.stream().anyMatch(l -> l.startsWith("DELETED postgres-1")));
        assertTrue(lines.stream().noneMatch(l -> l.startsWith("END")), "still watching: " + lines);
    }

    /** Runs a client script in src/test/k8s-clients with the lab's kubeconfig; its output lines, as they come. */
    private static List<String> run(Lab lab, String... command) {
        try {
            Path kubeconfig = Files.createTempFile("learner", ".kubeconfig");
            Files.writeString(kubeconfig, lab.kubeconfig());
            ProcessBuilder builder = new ProcessBuilder(command).directory(CLIENTS.toFile()).redirectErrorStream(true);
            builder.environment().put("KUBECONFIG", kubeconfig.toString());
            Process process = builder.start();
            opened.add(() -> {
                process.destroy();
                Files.deleteIfExists(kubeconfig);
            });
            List<String> lines = new CopyOnWriteArrayList<>();
            Thread reader = new Thread(() -> {
                try (var in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    in.lines().forEach(lines::add);
                } catch (IOException e) {
                    lines.add("READ FAILED " + e);
                }
            }, "client-output");
            reader.setDaemon(true);
            reader.start();
            return lines;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Debian's python3 with python3-kubernetes (a pyenv python on the PATH usually lacks it). */
    private static String python() {
        for (String candidate : List.of("/usr/bin/python3", "python3")) {
            try {
                Process p = new ProcessBuilder(candidate, "-c", "import kubernetes").redirectErrorStream(true).start();
                if (p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0) {
                    return candidate;
                }
            } catch (IOException e) {
                // try the next
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        require(false, "python3 with the kubernetes client (apt-get install python3-kubernetes)");
        return null;
    }

    private static void requireNodeClient() {
        boolean node;
        try {
            Process p = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
            node = p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            node = false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        require(node, "node (apt-get install nodejs)");
        require(Files.isDirectory(CLIENTS.resolve("node_modules/@kubernetes/client-node")),
                "@kubernetes/client-node (cd src/test/k8s-clients && npm ci --no-audit --no-fund)");
    }

    private static void require(boolean present, String what) {
        if ("true".equals(System.getenv("LABS_REQUIRE_TEST_TOOLS"))) {
            assertTrue(present, what + " is required");
        }
        assumeTrue(present, "missing: " + what);
    }
}
