package dev.labprovisioner.sandbox;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.LimitRangeBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuotaBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v1.Scale;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Drives the simulator against the fabric8 mock server, the way the lab's checkpoints use it. */
class StatefulSetSimulatorTest {

    private static final Duration READY_DELAY = Duration.ofMillis(300);
    private static final Duration DEADLINE = Duration.ofSeconds(20);
    private static final AtomicInteger NAMESPACES = new AtomicInteger();

    private static SimulatedCluster cluster;
    private static SandboxKubernetesApi api;
    private static KubernetesClient client;
    private static StatefulSetSimulator simulator;
    private static PodEventLog podWatch;
    /** Pod events in the order the API reported them: "add ns/pod", "ready ns/pod", "delete ns/pod". */
    private static List<String> events;
    private static final List<String> claimsCreated = new CopyOnWriteArrayList<>();
    private static final List<String> claimsDeleted = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() {
        cluster = SimulatedCluster.start(new StatefulSetSimulator.Settings(READY_DELAY, 2.0, image -> image.contains("does-not-exist")),
                SimulatedCluster.noting(claimsCreated, claimsDeleted));
        api = cluster.api;
        client = cluster.client;
        simulator = cluster.simulator;
        podWatch = cluster.pods;
        events = podWatch.events;
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    // ------------------------------------------------------------------ the lab's checkpoints

    @Test
    void orderedReadyScalesUpInOrderAndDownInReverseKeepingVolumes() {
        String ns = newNamespace();
        client.apps().statefulSets().inNamespace(ns).resource(postgres(0, "OrderedReady", "postgres:17")).create();

        client.apps().statefulSets().inNamespace(ns).withName("postgres").scale(3);
        awaitReadyPods(ns, "postgres-0", "postgres-1", "postgres-2");

        List<String> adds = eventsOf(ns, "add");
        assertEquals(List.of("postgres-0", "postgres-1", "postgres-2"), adds, "pods created in ordinal order");
        // OrderedReady: pod i is created only once pod i-1 is Running and Ready
        assertTrue(indexOf(ns, "ready postgres-0") < indexOf(ns, "add postgres-1"), events.toString());
        assertTrue(indexOf(ns, "ready postgres-1") < indexOf(ns, "add postgres-2"), events.toString());

        Map<String, String> claimUids = new java.util.HashMap<>();
        for (int i = 0; i < 3; i++) {
            Pod pod = client.pods().inNamespace(ns).withName("postgres-" + i).get();
            assertEquals("postgres-" + i, pod.getSpec().getHostname());
            assertEquals("postgres", pod.getSpec().getSubdomain());
            assertEquals("postgres-" + i, pod.getMetadata().getLabels().get("statefulset.kubernetes.io/pod-name"));
            assertEquals(Integer.toString(i), pod.getMetadata().getLabels().get("apps.kubernetes.io/pod-index"));
            assertEquals("postgres", pod.getMetadata().getLabels().get("app"));
            assertNotNull(pod.getMetadata().getLabels().get("controller-revision-hash"));
            assertEquals("StatefulSet", pod.getMetadata().getOwnerReferences().get(0).getKind());
            assertEquals(Boolean.TRUE, pod.getMetadata().getOwnerReferences().get(0).getController());
            assertEquals("data-postgres-" + i, pod.getSpec().getVolumes().stream()
                    .filter(v -> "data".equals(v.getName())).findFirst().orElseThrow()
                    .getPersistentVolumeClaim().getClaimName());
            assertTrue(pod.getStatus().getContainerStatuses().get(0).getReady());
            PersistentVolumeClaim pvc = client.persistentVolumeClaims().inNamespace(ns).withName("data-postgres-" + i).get();
            assertEquals("Bound", pvc.getStatus().getPhase());
            assertEquals("postgres", pvc.getMetadata().getLabels().get("app"));
            assertTrue(claimsCreated.contains(pvc.getMetadata().getUid()));
            claimUids.put(pvc.getMetadata().getName(), pvc.getMetadata().getUid());
        }
        await().atMost(DEADLINE).untilAsserted(() -> {
            var status = client.apps().statefulSets().inNamespace(ns).withName("postgres").get().getStatus();
            assertEquals(3, status.getReadyReplicas());
            assertEquals(3, status.getReplicas());
            assertEquals(3, status.getAvailableReplicas());
            assertEquals(3, status.getCurrentReplicas());
        });

        client.apps().statefulSets().inNamespace(ns).withName("postgres").scale(1);
        await().atMost(DEADLINE).until(() -> podNames(ns).equals(List.of("postgres-0")));
        assertEquals(List.of("postgres-2", "postgres-1"), eventsOf(ns, "delete"), "terminated in reverse order");
        for (var claim : claimUids.entrySet()) {
            PersistentVolumeClaim pvc = client.persistentVolumeClaims().inNamespace(ns).withName(claim.getKey()).get();
            assertNotNull(pvc, claim.getKey() + " kept after scale down");
            assertEquals(claim.getValue(), pvc.getMetadata().getUid());
            assertTrue(!claimsDeleted.contains(claim.getValue()));
        }
        await().atMost(DEADLINE).untilAsserted(() -> assertEquals(1,
                client.apps().statefulSets().inNamespace(ns).withName("postgres").get().getStatus().getReadyReplicas()));

        // scaling up again reuses the same claims (stable storage)
        client.apps().statefulSets().inNamespace(ns).withName("postgres").scale(2);
        awaitReadyPods(ns, "postgres-0", "postgres-1");
        assertEquals(claimUids.get("data-postgres-1"),
                client.persistentVolumeClaims().inNamespace(ns).withName("data-postgres-1").get().getMetadata().getUid());
    }

    @Test
    void parallelCreatesAllPodsAtOnce() {
        String ns = newNamespace();
        client.apps().statefulSets().inNamespace(ns).resource(postgres(3, "Parallel", "postgres:17")).create();
        awaitReadyPods(ns, "postgres-0", "postgres-1", "postgres-2");
        // none waited for a predecessor: all three existed before the first became Ready
        int firstReady = events.stream().filter(e -> e.startsWith("ready " + ns + "/")).mapToInt(events::indexOf).min().orElseThrow();
        for (int i = 0; i < 3; i++) {
            assertTrue(indexOf(ns, "add postgres-" + i) < firstReady, events.toString());
        }
        // and scale down deletes all condemned pods at once
        client.apps().statefulSets().inNamespace(ns).withName("postgres").scale(0);
        await().atMost(DEADLINE).until(() -> podNames(ns).isEmpty());
        assertEquals(3, client.persistentVolumeClaims().inNamespace(ns).list().getItems().size());
    }

    @Test
    void deletedPodComesBackWithNewUidOnTheSameClaim() {
        String ns = newNamespace();
        client.apps().statefulSets().inNamespace(ns).resource(postgres(1, "OrderedReady", "postgres:17")).create();
        awaitReadyPods(ns, "postgres-0");
        String podUid = client.pods().inNamespace(ns).withName("postgres-0").get().getMetadata().getUid();
        String claimUid = client.persistentVolumeClaims().inNamespace(ns).withName("data-postgres-0").get().getMetadata().getUid();
        int created = claimsCreated.size();

        client.pods().inNamespace(ns).withName("postgres-0").delete();
        await().atMost(DEADLINE).until(() -> {
            Pod pod = client.pods().inNamespace(ns).withName("postgres-0").get();
            return pod != null && !podUid.equals(pod.getMetadata().getUid()) && StatefulSetSimulator.isRunningAndReady(pod);
        });
        Pod pod = client.pods().inNamespace(ns).withName("postgres-0").get();
        assertEquals("data-postgres-0", pod.getSpec().getVolumes().stream()
                .filter(v -> v.getPersistentVolumeClaim() != null).findFirst().orElseThrow().getPersistentVolumeClaim().getClaimName());
        assertEquals(claimUid, client.persistentVolumeClaims().inNamespace(ns).withName("data-postgres-0").get().getMetadata().getUid());
        assertTrue(claimsCreated.stream().skip(created).noneMatch(claimUid::equals), "no new volume for the same claim");
    }

    @Test
    void deletingTheStatefulSetKeepsClaimsUnlessRetentionSaysDelete() {
        String ns = newNamespace();
        client.apps().statefulSets().inNamespace(ns).resource(postgres(2, "OrderedReady", "postgres:17")).create();
        awaitReadyPods(ns, "postgres-0", "postgres-1");
        String claim0 = claimUid(ns, "data-postgres-0");
        String claim1 = claimUid(ns, "data-postgres-1");

        client.apps().statefulSets().inNamespace(ns).withName("postgres").delete();
        await().atMost(DEADLINE).until(() -> podNames(ns).isEmpty());
        assertEquals(claim0, claimUid(ns, "data-postgres-0"));
        assertEquals(claim1, claimUid(ns, "data-postgres-1"));

        // re-created: the same claims come back under the new pods
        client.apps().statefulSets().inNamespace(ns).resource(postgres(2, "OrderedReady", "postgres:17")).create();
        awaitReadyPods(ns, "postgres-0", "postgres-1");
        assertEquals(claim0, claimUid(ns, "data-postgres-0"));
        assertEquals(claim1, claimUid(ns, "data-postgres-1"));
        assertTrue(!claimsDeleted.contains(claim0) && !claimsDeleted.contains(claim1));

        // whenDeleted: Delete removes the claims with the StatefulSet
        String ns2 = newNamespace();
        StatefulSet sts = postgres(2, "Parallel", "postgres:17");
        sts.getSpec().setPersistentVolumeClaimRetentionPolicy(
                new io.fabric8.kubernetes.api.model.apps.StatefulSetPersistentVolumeClaimRetentionPolicyBuilder()
                        .withWhenDeleted("Delete").withWhenScaled("Retain").build());
        client.apps().statefulSets().inNamespace(ns2).resource(sts).create();
        awaitReadyPods(ns2, "postgres-0", "postgres-1");
        String c0 = claimUid(ns2, "data-postgres-0");
        String c1 = claimUid(ns2, "data-postgres-1");
        client.apps().statefulSets().inNamespace(ns2).withName("postgres").delete();
        await().atMost(DEADLINE).until(() -> podNames(ns2).isEmpty()
                && client.persistentVolumeClaims().inNamespace(ns2).list().getItems().isEmpty());
        await().atMost(DEADLINE).until(() -> claimsDeleted.containsAll(List.of(c0, c1)));
    }

    @Test
    void whenScaledDeleteRemovesOnlyTheCondemnedClaims() {
        String ns = newNamespace();
        StatefulSet sts = postgres(2, "OrderedReady", "postgres:17");
        sts.getSpec().setPersistentVolumeClaimRetentionPolicy(
                new io.fabric8.kubernetes.api.model.apps.StatefulSetPersistentVolumeClaimRetentionPolicyBuilder()
                        .withWhenDeleted("Retain").withWhenScaled("Delete").build());
        client.apps().statefulSets().inNamespace(ns).resource(sts).create();
        awaitReadyPods(ns, "postgres-0", "postgres-1");
        String c0 = claimUid(ns, "data-postgres-0");
        String c1 = claimUid(ns, "data-postgres-1");
        // a pod deleted for another reason keeps its claim
        client.pods().inNamespace(ns).withName("postgres-1").delete();
        await().atMost(DEADLINE).until(() -> readyPods(ns).size() == 2 && client.pods().inNamespace(ns).withName("postgres-1").get() != null);
        assertEquals(c1, claimUid(ns, "data-postgres-1"));

        client.apps().statefulSets().inNamespace(ns).withName("postgres").scale(1);
        await().atMost(DEADLINE).until(() -> claimUid(ns, "data-postgres-1") == null);
        assertEquals(c0, claimUid(ns, "data-postgres-0"));
        await().atMost(DEADLINE).until(() -> claimsDeleted.contains(c1));
        assertTrue(!claimsDeleted.contains(c0));
    }

    @Test
    void unpullableImageBacksOffAndBlocksOrderedReady() {
        String ns = newNamespace();
        client.apps().statefulSets().inNamespace(ns).resource(postgres(2, "OrderedReady", "postgres:does-not-exist")).create();
        await().atMost(DEADLINE).untilAsserted(() -> {
            Pod pod = client.pods().inNamespace(ns).withName("postgres-0").get();
            assertNotNull(pod);
            assertEquals("ImagePullBackOff", pod.getStatus().getContainerStatuses().get(0).getState().getWaiting().getReason());
            assertEquals("Pending", pod.getStatus().getPhase());
        });
        assertTrue(eventsOf(ns, "ready").isEmpty());
        assertNull(client.pods().inNamespace(ns).withName("postgres-1").get(), "OrderedReady waits for postgres-0");
        await().atMost(DEADLINE).untilAsserted(() -> {
            var status = client.apps().statefulSets().inNamespace(ns).withName("postgres").get().getStatus();
            assertEquals(1, status.getReplicas());
            assertEquals(0, status.getReadyReplicas());
        });
    }

    @Test
    void tooMuchCpuIsUnschedulable() {
        String ns = newNamespace();
        StatefulSet sts = postgres(1, "OrderedReady", "postgres:17");
        sts.getSpec().getTemplate().getSpec().getContainers().get(0).setResources(
                new io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder()
                        .addToRequests("cpu", new Quantity("2500m")).build());
        client.apps().statefulSets().inNamespace(ns).resource(sts).create();
        await().atMost(DEADLINE).untilAsserted(() -> {
            Pod pod = client.pods().inNamespace(ns).withName("postgres-0").get();
            assertNotNull(pod);
            assertEquals("Pending", pod.getStatus().getPhase());
            PodCondition scheduled = pod.getStatus().getConditions().stream()
                    .filter(c -> "PodScheduled".equals(c.getType())).findFirst().orElseThrow();
            assertEquals("False", scheduled.getStatus());
            assertEquals("Unschedulable", scheduled.getReason());
            assertTrue(scheduled.getMessage().startsWith("0/1 nodes are available: 1 Insufficient cpu."), scheduled.getMessage());
            assertNull(pod.getSpec().getNodeName());
        });
    }

    @Test
    void deletingTheNamespaceEmptiesIt() {
        String ns = newNamespace();
        client.apps().statefulSets().inNamespace(ns).resource(postgres(2, "Parallel", "postgres:17")).create();
        client.services().inNamespace(ns).resource(new ServiceBuilder().withNewMetadata().withName("postgres").endMetadata()
                .withNewSpec().withClusterIP("None").addToSelector("app", "postgres").endSpec().build()).create();
        client.secrets().inNamespace(ns).resource(new SecretBuilder().withNewMetadata().withName("pg").endMetadata()
                .addToStringData("password", "x").build()).create();
        client.configMaps().inNamespace(ns).resource(new ConfigMapBuilder().withNewMetadata().withName("cm").endMetadata().build()).create();
        client.serviceAccounts().inNamespace(ns).resource(new ServiceAccountBuilder().withNewMetadata().withName("learner").endMetadata().build()).create();
        client.rbac().roles().inNamespace(ns).resource(new RoleBuilder().withNewMetadata().withName("learner").endMetadata().build()).create();
        client.rbac().roleBindings().inNamespace(ns).resource(new RoleBindingBuilder().withNewMetadata().withName("learner").endMetadata()
                .withNewRoleRef().withKind("Role").withName("learner").withApiGroup("rbac.authorization.k8s.io").endRoleRef().build()).create();
        client.resourceQuotas().inNamespace(ns).resource(new ResourceQuotaBuilder().withNewMetadata().withName("q").endMetadata().build()).create();
        client.limitRanges().inNamespace(ns).resource(new LimitRangeBuilder().withNewMetadata().withName("l").endMetadata().build()).create();
        client.network().networkPolicies().inNamespace(ns).resource(new NetworkPolicyBuilder().withNewMetadata().withName("deny").endMetadata().build()).create();
        awaitReadyPods(ns, "postgres-0", "postgres-1");
        String c0 = claimUid(ns, "data-postgres-0");
        String c1 = claimUid(ns, "data-postgres-1");

        client.namespaces().withName(ns).delete();
        await().atMost(DEADLINE).untilAsserted(() -> {
            assertTrue(client.apps().statefulSets().inNamespace(ns).list().getItems().isEmpty());
            assertTrue(client.pods().inNamespace(ns).list().getItems().isEmpty());
            assertTrue(client.persistentVolumeClaims().inNamespace(ns).list().getItems().isEmpty());
            assertTrue(client.services().inNamespace(ns).list().getItems().isEmpty());
            assertTrue(client.secrets().inNamespace(ns).list().getItems().isEmpty());
            assertTrue(client.configMaps().inNamespace(ns).list().getItems().isEmpty());
            assertTrue(client.serviceAccounts().inNamespace(ns).list().getItems().isEmpty());
            assertTrue(client.rbac().roles().inNamespace(ns).list().getItems().isEmpty());
            assertTrue(client.rbac().roleBindings().inNamespace(ns).list().getItems().isEmpty());
            assertTrue(client.resourceQuotas().inNamespace(ns).list().getItems().isEmpty());
            assertTrue(client.limitRanges().inNamespace(ns).list().getItems().isEmpty());
            assertTrue(client.network().networkPolicies().inNamespace(ns).list().getItems().isEmpty());
            assertTrue(claimsDeleted.containsAll(List.of(c0, c1)));
        });
        assertNull(client.pods().inNamespace(ns).withName("postgres-0").get());
    }

    @Test
    void templateChangeRollsPodsFromTheHighestOrdinalDown() {
        String ns = newNamespace();
        client.apps().statefulSets().inNamespace(ns).resource(postgres(3, "OrderedReady", "postgres:17")).create();
        awaitReadyPods(ns, "postgres-0", "postgres-1", "postgres-2");
        await().atMost(DEADLINE).until(() -> client.apps().statefulSets().inNamespace(ns).withName("postgres").get()
                .getStatus().getCurrentRevision() != null);
        String oldRevision = client.apps().statefulSets().inNamespace(ns).withName("postgres").get().getStatus().getCurrentRevision();
        int mark = events.size();
        Map<String, String> claimUids = List.of(0, 1, 2).stream()
                .collect(Collectors.toMap(i -> "data-postgres-" + i, i -> claimUid(ns, "data-postgres-" + i)));

        editRetryingOnConflict(ns, s -> s.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("postgres:18"));
        await().atMost(DEADLINE).untilAsserted(() -> {
            var status = client.apps().statefulSets().inNamespace(ns).withName("postgres").get().getStatus();
            assertNotEquals(oldRevision, status.getUpdateRevision());
            assertEquals(status.getUpdateRevision(), status.getCurrentRevision());
            assertEquals(3, status.getUpdatedReplicas());
            assertEquals(3, status.getReadyReplicas());
        });
        List<String> after = events.subList(mark, events.size()).stream()
                .filter(e -> e.contains(" " + ns + "/")).map(e -> e.substring(0, e.indexOf(' ')) + " " + e.substring(e.indexOf('/') + 1))
                .toList();
        assertEquals(List.of("delete postgres-2", "add postgres-2", "ready postgres-2",
                "delete postgres-1", "add postgres-1", "ready postgres-1",
                "delete postgres-0", "add postgres-0", "ready postgres-0"), after);
        String newRevision = client.apps().statefulSets().inNamespace(ns).withName("postgres").get().getStatus().getUpdateRevision();
        for (Pod pod : client.pods().inNamespace(ns).list().getItems()) {
            assertEquals("postgres:18", pod.getSpec().getContainers().get(0).getImage());
            assertEquals(newRevision, pod.getMetadata().getLabels().get("controller-revision-hash"));
        }
        claimUids.forEach((name, uid) -> assertEquals(uid, claimUid(ns, name)));
    }

    @Test
    void onDeleteUpdatesOnlyDeletedPods() {
        String ns = newNamespace();
        StatefulSet sts = postgres(2, "OrderedReady", "postgres:17");
        sts.getSpec().setUpdateStrategy(new io.fabric8.kubernetes.api.model.apps.StatefulSetUpdateStrategyBuilder().withType("OnDelete").build());
        client.apps().statefulSets().inNamespace(ns).resource(sts).create();
        awaitReadyPods(ns, "postgres-0", "postgres-1");
        editRetryingOnConflict(ns, s -> s.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("postgres:18"));
        await().atMost(DEADLINE).until(() -> {
            var status = client.apps().statefulSets().inNamespace(ns).withName("postgres").get().getStatus();
            return status.getUpdateRevision() != null && !status.getUpdateRevision().equals(status.getCurrentRevision());
        });
        assertTrue(client.pods().inNamespace(ns).list().getItems().stream()
                .allMatch(p -> "postgres:17".equals(p.getSpec().getContainers().get(0).getImage())));
        client.pods().inNamespace(ns).withName("postgres-1").delete();
        await().atMost(DEADLINE).until(() -> {
            Pod pod = client.pods().inNamespace(ns).withName("postgres-1").get();
            return pod != null && "postgres:18".equals(pod.getSpec().getContainers().get(0).getImage())
                    && StatefulSetSimulator.isRunningAndReady(pod);
        });
        assertEquals("postgres:17", client.pods().inNamespace(ns).withName("postgres-0").get().getSpec().getContainers().get(0).getImage());
    }

    @Test
    void convergesDespiteFailingWrites() {
        String ns = newNamespace();
        client.apps().statefulSets().inNamespace(ns).resource(postgres(3, "OrderedReady", "postgres:17")).create();
        // the API's control endpoint: 30% of writes fail (500 after the write, or a late 504)
        sandboxControl("faults?rate=0.3&delayMs=100");
        try {
            // The test reads through the same flaky API: a read that meets a closed connection is tried again.
            await().atMost(Duration.ofSeconds(40)).ignoreExceptions()
                    .until(() -> readyPods(ns).equals(List.of("postgres-0", "postgres-1", "postgres-2")));
        } finally {
            sandboxControl("faults?rate=0&delayMs=100");
        }
        assertEquals(List.of("postgres-0", "postgres-1", "postgres-2"), eventsOf(ns, "add").stream().distinct().toList());
        for (int i = 0; i < 3; i++) {
            assertEquals("Bound", client.persistentVolumeClaims().inNamespace(ns).withName("data-postgres-" + i).get().getStatus().getPhase());
        }
        String stats = sandboxControl("stats");
        var faults = java.util.regex.Pattern.compile("\"injectedFaults\":(\\d+)").matcher(stats);
        assertTrue(faults.find() && Long.parseLong(faults.group(1)) > 0, stats);
    }

    // ------------------------------------------------------------------ the learner's actions, through any client

    @Test
    void scalesThroughMergeJsonAndStrategicPatches() {
        String ns = newNamespace();
        client.apps().statefulSets().inNamespace(ns).resource(postgres(1, "OrderedReady", "postgres:17")).create();
        awaitReadyPods(ns, "postgres-0");

        // what `kubectl patch --type merge` and fabric8's JSON_MERGE send
        client.apps().statefulSets().inNamespace(ns).withName("postgres")
                .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"replicas\":2}}");
        awaitReadyPods(ns, "postgres-0", "postgres-1");

        // what `kubectl patch --type json` sends
        client.apps().statefulSets().inNamespace(ns).withName("postgres")
                .patch(PatchContext.of(PatchType.JSON), "[{\"op\":\"replace\",\"path\":\"/spec/replicas\",\"value\":3}]");
        awaitReadyPods(ns, "postgres-0", "postgres-1", "postgres-2");

        // what plain `kubectl patch` sends: a strategic merge patch
        client.apps().statefulSets().inNamespace(ns).withName("postgres")
                .patch(PatchContext.of(PatchType.STRATEGIC_MERGE), "{\"spec\":{\"replicas\":1}}");
        await().atMost(DEADLINE).until(() -> podNames(ns).equals(List.of("postgres-0")));

        StatefulSet sts = client.apps().statefulSets().inNamespace(ns).withName("postgres").get();
        assertEquals(1, sts.getSpec().getReplicas());
        // the patches touched replicas only
        assertEquals("postgres:17", sts.getSpec().getTemplate().getSpec().getContainers().get(0).getImage());
        assertEquals("/var/lib/postgresql/data",
                sts.getSpec().getTemplate().getSpec().getContainers().get(0).getVolumeMounts().get(0).getMountPath());
        assertEquals(List.of("postgres-0", "postgres-1", "postgres-2"), eventsOf(ns, "add"));
        assertEquals(List.of("postgres-2", "postgres-1"), eventsOf(ns, "delete"));
    }

    @Test
    void scaleSubresourceServesAScaleAndScalesTheStatefulSet() {
        String ns = newNamespace();
        client.apps().statefulSets().inNamespace(ns).resource(postgres(1, "OrderedReady", "postgres:17")).create();
        awaitReadyPods(ns, "postgres-0");
        String uid = client.apps().statefulSets().inNamespace(ns).withName("postgres").get().getMetadata().getUid();
        String scalePath = "/apis/apps/v1/namespaces/" + ns + "/statefulsets/postgres/scale";

        // GET .../scale: an autoscaling/v1 Scale, not the StatefulSet
        var get = rawRequest("GET", scalePath, null, null);
        assertEquals(200, get.statusCode(), get.body());
        Scale scale = client.getKubernetesSerialization().unmarshal(get.body(), Scale.class);
        assertEquals("Scale", scale.getKind());
        assertEquals("autoscaling/v1", scale.getApiVersion());
        assertEquals("postgres", scale.getMetadata().getName());
        assertEquals(ns, scale.getMetadata().getNamespace());
        assertEquals(uid, scale.getMetadata().getUid());
        assertEquals(1, scale.getSpec().getReplicas());
        assertEquals("app=postgres", scale.getStatus().getSelector());
        await().atMost(DEADLINE).until(() -> client.getKubernetesSerialization()
                .unmarshal(rawRequest("GET", scalePath, null, null).body(), Scale.class).getStatus().getReplicas() == 1);

        // `kubectl scale --replicas=2`: a merge patch of the Scale
        var patched = rawRequest("PATCH", scalePath, "application/merge-patch+json", "{\"spec\":{\"replicas\":2}}");
        assertEquals(200, patched.statusCode(), patched.body());
        Scale afterPatch = client.getKubernetesSerialization().unmarshal(patched.body(), Scale.class);
        assertEquals("Scale", afterPatch.getKind());
        assertEquals(2, afterPatch.getSpec().getReplicas());
        awaitReadyPods(ns, "postgres-0", "postgres-1");

        // a JSON patch of the Scale
        var jsonPatched = rawRequest("PATCH", scalePath, "application/json-patch+json",
                "[{\"op\":\"replace\",\"path\":\"/spec/replicas\",\"value\":3}]");
        assertEquals(200, jsonPatched.statusCode(), jsonPatched.body());
        awaitReadyPods(ns, "postgres-0", "postgres-1", "postgres-2");

        // `kubectl scale --current-replicas=3 --replicas=1` (and fabric8's scale(n)): GET the Scale, PUT it back
        Scale current = client.getKubernetesSerialization().unmarshal(rawRequest("GET", scalePath, null, null).body(), Scale.class);
        current.getSpec().setReplicas(1);
        var put = rawRequest("PUT", scalePath, "application/json", client.getKubernetesSerialization().asJson(current));
        assertEquals(200, put.statusCode(), put.body());
        assertEquals(1, client.getKubernetesSerialization().unmarshal(put.body(), Scale.class).getSpec().getReplicas());
        await().atMost(DEADLINE).until(() -> podNames(ns).equals(List.of("postgres-0")));
        // the same PUT again carries a stale resourceVersion: a conflict, as on a real API server
        var stale = rawRequest("PUT", scalePath, "application/json", client.getKubernetesSerialization().asJson(current));
        assertEquals(409, stale.statusCode(), stale.body());

        client.apps().statefulSets().inNamespace(ns).withName("postgres").scale(2);
        awaitReadyPods(ns, "postgres-0", "postgres-1");

        // every write went to the StatefulSet's spec.replicas and nowhere else
        StatefulSet sts = client.apps().statefulSets().inNamespace(ns).withName("postgres").get();
        assertEquals("StatefulSet", sts.getKind());
        assertEquals(uid, sts.getMetadata().getUid());
        assertEquals(2, sts.getSpec().getReplicas());
        assertEquals("postgres:17", sts.getSpec().getTemplate().getSpec().getContainers().get(0).getImage());
        assertEquals(1, sts.getSpec().getVolumeClaimTemplates().size());
        assertEquals(404, rawRequest("GET", "/apis/apps/v1/namespaces/" + ns + "/statefulsets/nope/scale", null, null).statusCode());
        assertEquals(404, rawRequest("PATCH", "/apis/apps/v1/namespaces/" + ns + "/statefulsets/nope/scale",
                "application/merge-patch+json", "{\"spec\":{\"replicas\":2}}").statusCode());
    }

    @Test
    void recreatedFromItsOwnYamlAdoptsTheSameClaims() {
        String ns = newNamespace();
        client.apps().statefulSets().inNamespace(ns).resource(postgres(2, "OrderedReady", "postgres:17")).create();
        awaitReadyPods(ns, "postgres-0", "postgres-1");
        await().atMost(DEADLINE).until(() -> client.apps().statefulSets().inNamespace(ns).withName("postgres").get()
                .getStatus().getReadyReplicas() == 2);
        String oldUid = client.apps().statefulSets().inNamespace(ns).withName("postgres").get().getMetadata().getUid();
        Map<String, String> claimUids = Map.of("data-postgres-0", claimUid(ns, "data-postgres-0"),
                "data-postgres-1", claimUid(ns, "data-postgres-1"));
        int created = claimsCreated.size();

        // `kubectl get sts postgres -o yaml > sts.yaml`, then resourceVersion and uid deleted by hand: the status,
        // creationTimestamp and generation stay in the file
        String yaml = client.getKubernetesSerialization()
                .asYaml(client.apps().statefulSets().inNamespace(ns).withName("postgres").get())
                .replaceAll("(?m)^\\s*(resourceVersion|uid):.*\\n", "");
        assertTrue(yaml.contains("status:") && !yaml.contains("uid:"), yaml);

        // `kubectl delete sts postgres && kubectl create -f sts.yaml`: the old pods may still exist when it comes back
        client.apps().statefulSets().inNamespace(ns).withName("postgres").delete();
        await().atMost(DEADLINE).until(() -> client.apps().statefulSets().inNamespace(ns).withName("postgres").get() == null);
        StatefulSet recreated = client.apps().statefulSets().inNamespace(ns)
                .load(new java.io.ByteArrayInputStream(yaml.getBytes(java.nio.charset.StandardCharsets.UTF_8))).item();
        String newUid = client.apps().statefulSets().inNamespace(ns).resource(recreated).create().getMetadata().getUid();
        assertNotEquals(oldUid, newUid);

        await().atMost(DEADLINE).untilAsserted(() -> {
            List<Pod> pods = client.pods().inNamespace(ns).list().getItems();
            assertEquals(List.of("postgres-0", "postgres-1"), pods.stream().map(p -> p.getMetadata().getName()).sorted().toList());
            for (Pod pod : pods) {
                assertEquals(newUid, pod.getMetadata().getOwnerReferences().get(0).getUid());
                assertTrue(StatefulSetSimulator.isRunningAndReady(pod));
            }
        });
        for (int i = 0; i < 2; i++) {
            Pod pod = client.pods().inNamespace(ns).withName("postgres-" + i).get();
            assertEquals("data-postgres-" + i, pod.getSpec().getVolumes().stream()
                    .filter(v -> v.getPersistentVolumeClaim() != null).findFirst().orElseThrow()
                    .getPersistentVolumeClaim().getClaimName());
        }
        // adopted, not re-created: the same claims (same UIDs), no new volume, none deleted
        claimUids.forEach((name, uid) -> assertEquals(uid, claimUid(ns, name), name));
        assertEquals(2, client.persistentVolumeClaims().inNamespace(ns).list().getItems().size());
        assertTrue(claimsCreated.stream().skip(created).noneMatch(claimUids::containsValue), claimsCreated.toString());
        assertTrue(claimUids.values().stream().noneMatch(claimsDeleted::contains));
        await().atMost(DEADLINE).untilAsserted(() -> {
            var status = client.apps().statefulSets().inNamespace(ns).withName("postgres").get().getStatus();
            assertEquals(2, status.getReadyReplicas());
            assertEquals(status.getUpdateRevision(), status.getCurrentRevision());
        });
    }

    @Test
    void orphanDeleteLeavesThePodsAndTheRecreatedSetAdoptsThem() {
        String ns = newNamespace();
        client.apps().statefulSets().inNamespace(ns).resource(postgres(2, "OrderedReady", "postgres:17")).create();
        awaitReadyPods(ns, "postgres-0", "postgres-1");
        Map<String, String> podUids = podUids(ns);
        Map<String, String> claimUids = Map.of("data-postgres-0", claimUid(ns, "data-postgres-0"),
                "data-postgres-1", claimUid(ns, "data-postgres-1"));

        // `kubectl delete statefulset postgres --cascade=orphan`: "the Pods managed by the StatefulSet are left behind
        // even after the StatefulSet object itself is deleted" (Delete a StatefulSet), with no owner any more
        client.apps().statefulSets().inNamespace(ns).withName("postgres").withPropagationPolicy(DeletionPropagation.ORPHAN).delete();
        await().atMost(DEADLINE).until(() -> client.apps().statefulSets().inNamespace(ns).withName("postgres").get() == null);
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertEquals(podUids, podUids(ns), "the garbage collector leaves orphans alone");
            assertEquals(List.of("postgres-0", "postgres-1"), readyPods(ns));
        });
        for (Pod pod : client.pods().inNamespace(ns).list().getItems()) {
            assertTrue(pod.getMetadata().getOwnerReferences() == null || pod.getMetadata().getOwnerReferences().isEmpty(),
                    pod.getMetadata().getOwnerReferences().toString());
        }
        int mark = events.size();

        // re-created with the same selector and template: the orphans are adopted, not replaced
        String newUid = client.apps().statefulSets().inNamespace(ns).resource(postgres(2, "OrderedReady", "postgres:17"))
                .create().getMetadata().getUid();
        await().atMost(DEADLINE).untilAsserted(() -> {
            for (Pod pod : client.pods().inNamespace(ns).list().getItems()) {
                // not adopted yet: no owner (an assertion, so that the wait goes on)
                assertFalse(pod.getMetadata().getOwnerReferences() == null || pod.getMetadata().getOwnerReferences().isEmpty(),
                        pod.getMetadata().getName() + " has no owner yet");
                assertEquals(newUid, pod.getMetadata().getOwnerReferences().get(0).getUid());
                assertEquals(Boolean.TRUE, pod.getMetadata().getOwnerReferences().get(0).getController());
            }
            var status = client.apps().statefulSets().inNamespace(ns).withName("postgres").get().getStatus();
            assertEquals(2, status.getReadyReplicas());
        });
        assertEquals(podUids, podUids(ns));
        assertEquals(List.of(), eventsSince(mark, ns).stream().filter(e -> !e.startsWith("ready")).toList());
        claimUids.forEach((name, uid) -> assertEquals(uid, claimUid(ns, name)));
    }

    @Test
    void recreatedAsParallelScalesUpWithoutWaitingForReady() {
        String ns = newNamespace();
        client.apps().statefulSets().inNamespace(ns).resource(postgres(1, "OrderedReady", "postgres:17")).create();
        awaitReadyPods(ns, "postgres-0");
        String claim0 = claimUid(ns, "data-postgres-0");

        // the API server refuses to change podManagementPolicy in place: the StatefulSet has to be re-created
        var refused = org.junit.jupiter.api.Assertions.assertThrows(io.fabric8.kubernetes.client.KubernetesClientException.class,
                () -> client.apps().statefulSets().inNamespace(ns).withName("postgres")
                        .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"podManagementPolicy\":\"Parallel\"}}"));
        assertEquals(422, refused.getCode());
        assertTrue(refused.getMessage().contains("updates to statefulset spec for fields other than"), refused.getMessage());
        assertEquals("OrderedReady", client.apps().statefulSets().inNamespace(ns).withName("postgres").get().getSpec().getPodManagementPolicy());

        client.apps().statefulSets().inNamespace(ns).withName("postgres").delete();
        await().atMost(DEADLINE).until(() -> podNames(ns).isEmpty());
        String newUid = client.apps().statefulSets().inNamespace(ns).resource(postgres(1, "Parallel", "postgres:17"))
                .create().getMetadata().getUid();
        await().atMost(DEADLINE).until(() -> {
            Pod pod = client.pods().inNamespace(ns).withName("postgres-0").get();
            return pod != null && newUid.equals(pod.getMetadata().getOwnerReferences().get(0).getUid())
                    && StatefulSetSimulator.isRunningAndReady(pod);
        });
        assertEquals(claim0, claimUid(ns, "data-postgres-0"));
        int mark = events.size();

        client.apps().statefulSets().inNamespace(ns).withName("postgres")
                .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"replicas\":3}}");
        awaitReadyPods(ns, "postgres-0", "postgres-1", "postgres-2");
        List<String> after = eventsSince(mark, ns);
        // "Parallel pod management tells the StatefulSet controller to launch ... all Pods in parallel, and to not
        // wait for Pods to become Running and Ready": postgres-2 exists before postgres-1 is Ready
        assertTrue(after.indexOf("add postgres-1") >= 0 && after.indexOf("add postgres-2") >= 0, after.toString());
        assertTrue(after.indexOf("add postgres-1") < after.indexOf("ready postgres-1"), after.toString());
        assertTrue(after.indexOf("add postgres-2") < after.indexOf("ready postgres-1"), after.toString());
        assertEquals(claim0, claimUid(ns, "data-postgres-0"));
    }

    @Test
    void setEnvStrategicPatchRollsPodsFromTheHighestOrdinalDown() {
        String ns = newNamespace();
        client.apps().statefulSets().inNamespace(ns).resource(postgres(3, "OrderedReady", "postgres:17")).create();
        awaitReadyPods(ns, "postgres-0", "postgres-1", "postgres-2");
        await().atMost(DEADLINE).until(() -> client.apps().statefulSets().inNamespace(ns).withName("postgres").get()
                .getStatus().getCurrentRevision() != null);
        String oldRevision = client.apps().statefulSets().inNamespace(ns).withName("postgres").get().getStatus().getCurrentRevision();
        Map<String, String> claimUids = List.of(0, 1, 2).stream()
                .collect(Collectors.toMap(i -> "data-postgres-" + i, i -> claimUid(ns, "data-postgres-" + i)));
        int mark = events.size();

        // what `kubectl set env statefulset/postgres POSTGRES_INITDB_ARGS=--data-checksums` sends: a strategic merge
        // patch whose containers list is merged by name (a JSON merge patch would replace the whole list)
        var response = rawRequest("PATCH", "/apis/apps/v1/namespaces/" + ns + "/statefulsets/postgres",
                "application/strategic-merge-patch+json",
                "{\"spec\":{\"template\":{\"spec\":{\"$setElementOrder/containers\":[{\"name\":\"postgres\"}],"
                        + "\"containers\":[{\"env\":[{\"name\":\"POSTGRES_INITDB_ARGS\",\"value\":\"--data-checksums\"}],"
                        + "\"name\":\"postgres\"}]}}}}");
        assertEquals(200, response.statusCode(), response.body());
        StatefulSet patched = client.apps().statefulSets().inNamespace(ns).withName("postgres").get();
        var container = patched.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertEquals(1, patched.getSpec().getTemplate().getSpec().getContainers().size());
        assertEquals("postgres:17", container.getImage(), "the container kept what the patch did not name");
        assertEquals("/var/lib/postgresql/data", container.getVolumeMounts().get(0).getMountPath());
        assertEquals("--data-checksums", container.getEnv().get(0).getValue());

        await().atMost(DEADLINE).untilAsserted(() -> {
            var status = client.apps().statefulSets().inNamespace(ns).withName("postgres").get().getStatus();
            assertNotEquals(oldRevision, status.getUpdateRevision());
            assertEquals(status.getUpdateRevision(), status.getCurrentRevision());
            assertEquals(3, status.getUpdatedReplicas());
            assertEquals(3, status.getReadyReplicas());
        });
        // each pod is replaced only once its successor's replacement is Running and Ready
        assertEquals(List.of("delete postgres-2", "add postgres-2", "ready postgres-2",
                "delete postgres-1", "add postgres-1", "ready postgres-1",
                "delete postgres-0", "add postgres-0", "ready postgres-0"), eventsSince(mark, ns));
        for (Pod pod : client.pods().inNamespace(ns).list().getItems()) {
            assertEquals("--data-checksums", pod.getSpec().getContainers().get(0).getEnv().get(0).getValue());
            assertEquals("postgres:17", pod.getSpec().getContainers().get(0).getImage());
        }
        claimUids.forEach((name, uid) -> assertEquals(uid, claimUid(ns, name)));
    }

    // ------------------------------------------------------------------ helpers

    private static String newNamespace() {
        String ns = "lab-sim-" + NAMESPACES.incrementAndGet();
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create();
        return ns;
    }

    private static StatefulSet postgres(int replicas, String policy, String image) {
        return new StatefulSetBuilder()
                .withNewMetadata().withName("postgres").endMetadata()
                .withNewSpec()
                .withReplicas(replicas)
                .withServiceName("postgres")
                .withPodManagementPolicy(policy)
                .withNewSelector().addToMatchLabels("app", "postgres").endSelector()
                .withNewTemplate()
                .withNewMetadata().addToLabels("app", "postgres").endMetadata()
                .withNewSpec()
                .addNewContainer().withName("postgres").withImage(image)
                .addNewVolumeMount().withName("data").withMountPath("/var/lib/postgresql/data").endVolumeMount()
                .endContainer()
                .endSpec()
                .endTemplate()
                .addNewVolumeClaimTemplate()
                .withNewMetadata().withName("data").endMetadata()
                .withNewSpec().withAccessModes("ReadWriteOnce")
                .withNewResources().addToRequests("storage", new Quantity("1Gi")).endResources()
                .endSpec()
                .endVolumeClaimTemplate()
                .endSpec()
                .build();
    }

    private static void awaitReadyPods(String ns, String... names) {
        await().atMost(DEADLINE).until(() -> readyPods(ns).equals(List.of(names)));
    }

    private static List<String> readyPods(String ns) {
        return client.pods().inNamespace(ns).list().getItems().stream()
                .filter(StatefulSetSimulator::isRunningAndReady)
                .map(p -> p.getMetadata().getName()).sorted().toList();
    }

    private static List<String> podNames(String ns) {
        return client.pods().inNamespace(ns).list().getItems().stream()
                .map(p -> p.getMetadata().getName()).sorted().toList();
    }

    private static Map<String, String> podUids(String ns) {
        return client.pods().inNamespace(ns).list().getItems().stream()
                .collect(Collectors.toMap(p -> p.getMetadata().getName(), p -> p.getMetadata().getUid()));
    }

    private static String claimUid(String ns, String name) {
        PersistentVolumeClaim pvc = client.persistentVolumeClaims().inNamespace(ns).withName(name).get();
        return pvc == null ? null : pvc.getMetadata().getUid();
    }

    private static List<String> eventsOf(String ns, String kind) {
        List<String> out = new ArrayList<>();
        for (String e : events) {
            if (e.startsWith(kind + " " + ns + "/")) {
                out.add(e.substring(e.indexOf('/') + 1));
            }
        }
        return out;
    }

    private static int indexOf(String ns, String event) {
        int space = event.indexOf(' ');
        int i = events.indexOf(event.substring(0, space) + " " + ns + "/" + event.substring(space + 1));
        assertTrue(i >= 0, event + " not seen in " + events);
        return i;
    }

    /** Pod events of one namespace since {@code mark}, as "add postgres-0". */
    private static List<String> eventsSince(int mark, String ns) {
        return events.subList(mark, events.size()).stream()
                .filter(e -> e.contains(" " + ns + "/"))
                .map(e -> e.substring(0, e.indexOf(' ')) + " " + e.substring(e.indexOf('/') + 1))
                .toList();
    }

    /** A request as another client (kubectl, client-go) would send it, straight over HTTP. */
    private static java.net.http.HttpResponse<String> rawRequest(String method, String path, String contentType, String body) {
        try {
            var builder = java.net.http.HttpRequest.newBuilder(java.net.URI.create(api.url() + path))
                    .timeout(Duration.ofSeconds(10)).header("Accept", "application/json")
                    .header("Authorization", "Bearer " + api.adminToken())
                    .method(method, body == null ? java.net.http.HttpRequest.BodyPublishers.noBody()
                            : java.net.http.HttpRequest.BodyPublishers.ofString(body));
            if (contentType != null) {
                builder.header("Content-Type", contentType);
            }
            return java.net.http.HttpClient.newBuilder().sslContext(api.sslContext()).build()
                    .send(builder.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** POST to the sandbox API's own control path (not a Kubernetes path). */
    private static String sandboxControl(String pathAndQuery) {
        try {
            var request = java.net.http.HttpRequest.newBuilder(
                            java.net.URI.create(api.url() + SandboxKubernetesApi.CONTROL_PATH + pathAndQuery))
                    .header("Authorization", "Bearer " + api.adminToken())
                    .POST(java.net.http.HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(10)).build();
            var response = java.net.http.HttpClient.newBuilder().sslContext(api.sslContext()).build()
                    .send(request, java.net.http.HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode(), response.body());
            return response.body();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * An edit sends the resourceVersion it read; the simulator's status writes may have moved it on (409), as
     * a controller's do on a real cluster: read again and retry, as kubectl edit would have you do.
     */
    private static void editRetryingOnConflict(String ns, java.util.function.Consumer<StatefulSet> change) {
        await().atMost(DEADLINE).ignoreExceptionsMatching(e -> e instanceof io.fabric8.kubernetes.client.KubernetesClientException k
                && k.getCode() == 409).until(() -> {
            client.apps().statefulSets().inNamespace(ns).withName("postgres").edit(s -> {
                change.accept(s);
                return s;
            });
            return true;
        });
    }

    private static String key(Pod pod) {
        return PodEventLog.key(pod);
    }
}
