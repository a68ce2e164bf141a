package dev.labprovisioner.sandbox;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The lab's steps typed as a learner types them: kubectl against the in-process API and the simulator. Runs only
 * where kubectl is on the PATH (skipped otherwise); kubectl gets a kubeconfig and a HOME of its own.
 */
class SandboxKubectlTest {

    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static final AtomicInteger NAMESPACES = new AtomicInteger();
    private static final String MANIFEST = """
            apiVersion: v1
            kind: Service
            metadata:
              name: postgres
            spec:
              clusterIP: None
              selector: {app: postgres}
              ports: [{name: pg, port: 5432}]
            ---
            apiVersion: apps/v1
            kind: StatefulSet
            metadata:
              name: postgres
            spec:
              serviceName: postgres
              replicas: 1
              podManagementPolicy: POLICY
              selector:
                matchLabels: {app: postgres}
              template:
                metadata:
                  labels: {app: postgres}
                spec:
                  containers:
                  - name: postgres
                    image: postgres:17
                    ports: [{name: pg, containerPort: 5432}]
                    volumeMounts: [{name: data, mountPath: /var/lib/postgresql/data}]
              volumeClaimTemplates:
              - metadata: {name: data}
                spec:
                  accessModes: [ReadWriteOnce]
                  resources: {requests: {storage: 1Gi}}
            """;

    private static Path kubectl;
    private static Kubectl kube;
    private static SimulatedCluster cluster;
    private static SandboxKubernetesApi api;
    private static KubernetesClient client;
    private static StatefulSetSimulator simulator;
    private static PodEventLog podWatch;
    /** Pod events in the order the API reported them: "add ns/pod", "ready ns/pod", "delete ns/pod". */
    private static List<String> events;

    @BeforeAll
    static void start() throws IOException {
        kubectl = Kubectl.find().orElse(null);
        if (kubectl == null) {
            return; // each test is skipped, or fails where test tools are required (see requireKubectl)
        }
        cluster = SimulatedCluster.start(new StatefulSetSimulator.Settings(Duration.ofMillis(300), 2.0, image -> false),
                SimulatedCluster.noting(null, null));
        api = cluster.api;
        client = cluster.client;
        simulator = cluster.simulator;
        podWatch = cluster.pods;
        events = podWatch.events;
        // the sandbox's administrator (the namespaces here are made by the test, not by the service)
        kube = Kubectl.with(kubectl, dev.labprovisioner.cluster.Kubeconfig.yaml("sandbox", api.url(), api.caCertificatePem(), "admin",
                api.adminToken(), "default"), "default");
    }

    @BeforeEach
    void requireKubectl() {
        Kubectl.require();
    }

    @AfterAll
    static void stop() throws IOException {
        if (cluster != null) {
            cluster.close();
        }
        if (kube != null) {
            kube.close();
        }
    }

    @Test
    void scalingPatchingAndRollingOutThroughKubectl() {
        String ns = newNamespace();
        assertTrue(ok(ns, null, "version").contains(SandboxKubernetesApi.Discovery.GIT_VERSION));
        String applied = ok(ns, manifest("OrderedReady"), "apply", "-f", "-");
        assertTrue(applied.contains("service/postgres created") && applied.contains("statefulset.apps/postgres created"), applied);
        assertTrue(ok(ns, null, "rollout", "status", "statefulset/postgres", "--timeout=60s").contains("roll out complete"));
        assertTrue(ok(ns, null, "get", "pods").matches("(?s).*postgres-0\\s+1/1\\s+Running\\s+0.*"));

        // kubectl scale: the scale subresource
        assertTrue(ok(ns, null, "scale", "statefulset", "postgres", "--replicas=3").contains("scaled"));
        ok(ns, null, "rollout", "status", "statefulset/postgres", "--timeout=60s");
        assertEquals(List.of("postgres-0", "postgres-1", "postgres-2"), readyPods(ns));
        assertTrue(indexOf(ns, "ready postgres-0") < indexOf(ns, "add postgres-1"), events.toString());
        assertTrue(indexOf(ns, "ready postgres-1") < indexOf(ns, "add postgres-2"), events.toString());
        assertTrue(ok(ns, null, "get", "statefulset", "postgres").matches("(?s).*postgres\\s+3/3\\s.*"));

        // kubectl patch: strategic merge (the default), merge and JSON patches
        ok(ns, null, "patch", "statefulset", "postgres", "-p", "{\"spec\":{\"replicas\":1}}");
        await().atMost(DEADLINE).until(() -> podNames(ns).equals(List.of("postgres-0")));
        ok(ns, null, "patch", "statefulset", "postgres", "--type", "merge", "-p", "{\"spec\":{\"replicas\":2}}");
        ok(ns, null, "rollout", "status", "statefulset/postgres", "--timeout=60s");
        assertEquals(List.of("postgres-0", "postgres-1"), readyPods(ns));
        ok(ns, null, "patch", "statefulset", "postgres", "--type", "json", "-p",
                "[{\"op\":\"replace\",\"path\":\"/spec/replicas\",\"value\":3}]");
        ok(ns, null, "rollout", "status", "statefulset/postgres", "--timeout=60s");
        assertEquals(List.of("postgres-0", "postgres-1", "postgres-2"), readyPods(ns));

        // kubectl set env: a template change rolls the pods from the highest ordinal down, one Ready pod at a time
        int mark = events.size();
        assertTrue(ok(ns, null, "set", "env", "statefulset/postgres", "POSTGRES_INITDB_ARGS=--data-checksums").contains("env updated"));
        ok(ns, null, "rollout", "status", "statefulset/postgres", "--timeout=60s");
        assertEquals(List.of("delete postgres-2", "add postgres-2", "ready postgres-2",
                "delete postgres-1", "add postgres-1", "ready postgres-1",
                "delete postgres-0", "add postgres-0", "ready postgres-0"), eventsSince(mark, ns));
        for (int i = 0; i < 3; i++) {
            assertEquals("--data-checksums postgres:17", ok(ns, null, "get", "pod", "postgres-" + i, "-o",
                    "jsonpath={.spec.containers[0].env[0].value} {.spec.containers[0].image}"));
        }
    }

    @Test
    void deletingPodsAndTheStatefulSetThroughKubectlKeepsTheClaims() {
        String ns = newNamespace();
        ok(ns, manifest("OrderedReady"), "apply", "-f", "-");
        ok(ns, null, "scale", "statefulset", "postgres", "--replicas=2");
        ok(ns, null, "rollout", "status", "statefulset/postgres", "--timeout=60s");
        String claims = claimUids(ns);
        assertTrue(claims.contains("data-postgres-0") && claims.contains("data-postgres-1"), claims);

        // kubectl delete pod: the same name comes back, on the same claim
        String oldUid = ok(ns, null, "get", "pod", "postgres-0", "-o", "jsonpath={.metadata.uid}");
        assertTrue(ok(ns, null, "delete", "pod", "postgres-0").contains("pod \"postgres-0\" deleted"));
        await().atMost(DEADLINE).until(() -> {
            Pod pod = client.pods().inNamespace(ns).withName("postgres-0").get();
            return pod != null && !oldUid.equals(pod.getMetadata().getUid());
        });
        ok(ns, null, "wait", "--for=condition=Ready", "pod/postgres-0", "--timeout=60s");
        assertEquals("data-postgres-0", ok(ns, null, "get", "pod", "postgres-0", "-o",
                "jsonpath={.spec.volumes[?(@.name==\"data\")].persistentVolumeClaim.claimName}"));
        assertEquals(claims, claimUids(ns));

        // kubectl delete statefulset: the pods go, the claims stay
        String yaml = ok(ns, null, "get", "statefulset", "postgres", "-o", "yaml");
        String oldSet = ok(ns, null, "get", "statefulset", "postgres", "-o", "jsonpath={.metadata.uid}");
        assertTrue(ok(ns, null, "delete", "statefulset", "postgres").contains("deleted"));
        await().atMost(DEADLINE).until(() -> podNames(ns).isEmpty());
        assertEquals(claims, claimUids(ns));

        // re-created from its own YAML, resourceVersion and uid removed by hand: the new pods get the old claims
        String edited = yaml.replaceAll("(?m)^\\s*(resourceVersion|uid):.*\\n", "");
        assertTrue(ok(ns, edited, "create", "-f", "-").contains("statefulset.apps/postgres created"));
        ok(ns, null, "rollout", "status", "statefulset/postgres", "--timeout=60s");
        String newSet = ok(ns, null, "get", "statefulset", "postgres", "-o", "jsonpath={.metadata.uid}");
        assertNotEquals(oldSet, newSet);
        assertEquals(newSet + " " + newSet, ok(ns, null, "get", "pods", "-o", "jsonpath={.items[*].metadata.ownerReferences[0].uid}"));
        assertEquals(claims, claimUids(ns));

        // re-created as Parallel (podManagementPolicy cannot be changed in place): scaling up does not wait
        ok(ns, null, "delete", "statefulset", "postgres");
        await().atMost(DEADLINE).until(() -> podNames(ns).isEmpty());
        ok(ns, manifest("Parallel"), "apply", "-f", "-");
        ok(ns, null, "rollout", "status", "statefulset/postgres", "--timeout=60s");
        int mark = events.size();
        ok(ns, null, "scale", "statefulset", "postgres", "--replicas=3");
        ok(ns, null, "rollout", "status", "statefulset/postgres", "--timeout=60s");
        List<String> after = eventsSince(mark, ns);
        assertTrue(after.indexOf("add postgres-2") >= 0 && after.indexOf("add postgres-2") < after.indexOf("ready postgres-1"),
                after.toString());
        assertTrue(claimUids(ns).startsWith(claims), claimUids(ns));

        // kubectl delete --cascade=orphan: the pods keep running; the StatefulSet re-created adopts them
        String pods = ok(ns, null, "get", "pods", "--sort-by=.metadata.name", "-o", "jsonpath={.items[*].metadata.uid}");
        String saved = ok(ns, null, "get", "statefulset", "postgres", "-o", "yaml").replaceAll("(?m)^\\s*(resourceVersion|uid):.*\\n", "");
        assertTrue(ok(ns, null, "delete", "statefulset", "postgres", "--cascade=orphan").contains("deleted"));
        assertEquals(pods, ok(ns, null, "get", "pods", "--sort-by=.metadata.name", "-o", "jsonpath={.items[*].metadata.uid}"));
        assertEquals("", ok(ns, null, "get", "pods", "-o", "jsonpath={.items[*].metadata.ownerReferences}"));
        ok(ns, saved, "create", "-f", "-");
        ok(ns, null, "rollout", "status", "statefulset/postgres", "--timeout=60s");
        String adopter = ok(ns, null, "get", "statefulset", "postgres", "-o", "jsonpath={.metadata.uid}");
        await().atMost(DEADLINE).until(() -> ok(ns, null, "get", "pods", "-o", "jsonpath={.items[*].metadata.ownerReferences[0].uid}")
                .equals(adopter + " " + adopter + " " + adopter));
        assertEquals(pods, ok(ns, null, "get", "pods", "--sort-by=.metadata.name", "-o", "jsonpath={.items[*].metadata.uid}"));
    }

    @Test
    void kubectlSaysWhatIsMissing() {
        String ns = newNamespace();
        Kubectl.Result missing = kubectl(ns, null, "get", "pod", "postgres-9");
        assertEquals(1, missing.exit());
        assertTrue(missing.output().contains("pods \"postgres-9\" not found"), missing.output());
        assertTrue(kubectl(ns, null, "get", "pods").output().contains("No resources found"));
        client.pods().inNamespace(ns).resource(new io.fabric8.kubernetes.api.model.PodBuilder().withNewMetadata().withName("lonely")
                .endMetadata().withNewSpec().addNewContainer().withName("c").withImage("busybox").endContainer().endSpec().build()).create();
        ok(ns, null, "wait", "--for=condition=Ready", "pod/lonely", "--timeout=60s");
        Kubectl.Result logs = kubectl(ns, null, "logs", "lonely");
        assertEquals(1, logs.exit());
        assertTrue(logs.output().contains("runs no containers"), logs.output());
    }

    // ------------------------------------------------------------------ helpers


    private static String manifest(String policy) {
        return MANIFEST.replace("POLICY", policy);
    }

    /** Runs kubectl and asserts it succeeded; returns what it printed. */
    private static String ok(String ns, String stdin, String... args) {
        Kubectl.Result result = kubectl(ns, stdin, args);
        assertEquals(0, result.exit(), "kubectl " + String.join(" ", args) + ":\n" + result.output());
        return result.output().strip();
    }

    private static Kubectl.Result kubectl(String ns, String stdin, String... args) {
        return kube.runIn(ns, stdin, args);
    }

    private static String newNamespace() {
        String ns = "kubectl-" + NAMESPACES.incrementAndGet();
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create();
        return ns;
    }

    /** "data-postgres-0=UID ..." as kubectl prints the claims, sorted by name. */
    private static String claimUids(String ns) {
        return ok(ns, null, "get", "pvc", "--sort-by=.metadata.name", "-o",
                "jsonpath={range .items[*]}{.metadata.name}={.metadata.uid} {end}");
    }

    private static List<String> readyPods(String ns) {
        return client.pods().inNamespace(ns).list().getItems().stream().filter(StatefulSetSimulator::isRunningAndReady)
                .map(p -> p.getMetadata().getName()).sorted().toList();
    }

    private static List<String> podNames(String ns) {
        return client.pods().inNamespace(ns).list().getItems().stream().map(p -> p.getMetadata().getName()).sorted().toList();
    }

    private static List<String> eventsSince(int mark, String ns) {
        return events.subList(mark, events.size()).stream()
                .filter(e -> e.contains(" " + ns + "/"))
                .map(e -> e.substring(0, e.indexOf(' ')) + " " + e.substring(e.indexOf('/') + 1))
                .toList();
    }

    private static int indexOf(String ns, String event) {
        int space = event.indexOf(' ');
        int i = events.indexOf(event.substring(0, space) + " " + ns + "/" + event.substring(space + 1));
        assertTrue(i >= 0, event + " not seen in " + events);
        return i;
    }

    private static String key(Pod pod) {
        return PodEventLog.key(pod);
    }
}
