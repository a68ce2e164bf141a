package dev.labprovisioner.sandbox;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
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
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Drives the simulator against the fabric8 mock server, the way the lab's checkpoints use it. */
class StatefulSetSimulatorTest {

    private static final Duration READY_DELAY = Duration.ofMillis(300);
    private static final Duration DEADLINE = Duration.ofSeconds(20);
    private static final AtomicInteger NAMESPACES = new AtomicInteger();

    private static SandboxKubernetesApi api;
    private static KubernetesClient client;
    private static StatefulSetSimulator simulator;
    private static SharedIndexInformer<Pod> podWatch;
    /** Pod events in the order the API reported them: "add ns/pod", "ready ns/pod", "delete ns/pod". */
    private static final List<String> events = new CopyOnWriteArrayList<>();
    private static final Set<String> readySeen = ConcurrentHashMap.newKeySet();
    private static final List<String> claimsCreated = new CopyOnWriteArrayList<>();
    private static final List<String> claimsDeleted = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() {
        api = SandboxKubernetesApi.start(0);
        client = new KubernetesClientBuilder()
                .withConfig(new ConfigBuilder().withMasterUrl(api.url()).withTrustCerts(true).build()).build();
        simulator = new StatefulSetSimulator(client,
                new StatefulSetSimulator.Settings(READY_DELAY, 2.0, image -> image.contains("does-not-exist")),
                new StatefulSetSimulator.VolumeDatabases() {
                    @Override
                    public void claimCreated(PersistentVolumeClaim pvc) {
                        claimsCreated.add(pvc.getMetadata().getUid());
                    }

                    @Override
                    public void claimDeleted(PersistentVolumeClaim pvc) {
                        claimsDeleted.add(pvc.getMetadata().getUid());
                    }
                });
        simulator.start();
        podWatch = client.pods().inAnyNamespace().inform(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod pod) {
                events.add("add " + key(pod));
                onUpdate(null, pod);
            }

            @Override
            public void onUpdate(Pod oldPod, Pod pod) {
                if (StatefulSetSimulator.isRunningAndReady(pod) && readySeen.add(pod.getMetadata().getUid())) {
                    events.add("ready " + key(pod));
                }
            }

            @Override
            public void onDelete(Pod pod, boolean unknown) {
                events.add("delete " + key(pod));
            }
        });
    }

    @AfterAll
    static void stop() {
        if (podWatch != null) {
            podWatch.close();
        }
        if (simulator != null) {
            simulator.close();
        }
        if (client != null) {
            client.close();
        }
        if (api != null) {
            api.close();
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

        client.apps().statefulSets().inNamespace(ns).withName("postgres").edit(s -> {
            s.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("postgres:18");
            return s;
        });
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
        client.apps().statefulSets().inNamespace(ns).withName("postgres").edit(s -> {
            s.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("postgres:18");
            return s;
        });
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

    /** POST to the sandbox API's own control path (not a Kubernetes path). */
    private static String sandboxControl(String pathAndQuery) {
        try {
            var request = java.net.http.HttpRequest.newBuilder(
                            java.net.URI.create(api.url() + SandboxKubernetesApi.CONTROL_PATH + pathAndQuery))
                    .POST(java.net.http.HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(10)).build();
            var response = java.net.http.HttpClient.newHttpClient().send(request, java.net.http.HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode(), response.body());
            return response.body();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String key(Pod pod) {
        return pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
    }
}
