package dev.labprovisioner.sandbox.controlplane;

import dev.labprovisioner.sandbox.ClaimDatabases;
import dev.labprovisioner.sandbox.PodStatusSignature;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodIPBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.BindingBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import org.jboss.logging.Logger;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * What no control plane has: a node. Plays the scheduler, the kubelet and a volume provisioner against any
 * API server, as KWOK does: it binds pods to one simulated node, reports them Running and Ready after a
 * delay (or ErrImagePull/ImagePullBackOff, InvalidImageName, a failing readiness probe, Unschedulable),
 * keeps a deleted pod Terminating for a short grace period, creates and binds a PersistentVolume for each
 * claim, backed by that claim's own PostgreSQL database, and records the Events a kubelet would.
 * It only talks to the API server; the StatefulSet, garbage-collector, namespace and PV-binder controllers
 * are upstream's.
 */
public final class NodeAgent implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(NodeAgent.class);
    public static final String NODE_NAME = "sandbox-node";
    static final String PROVISIONER = "sandbox.lab-provisioner.dev/postgres-database";
    /** The annotation naming the PostgreSQL database behind a volume (an annotation key has one '/'). */
    static final String DATABASE_ANNOTATION = "sandbox.lab-provisioner.dev/database";
    private static final String HOST_IP = "10.0.0.10";
    private static final Duration IMAGE_PULL_BACKOFF = Duration.ofMillis(500);
    private static final Duration RETRY = Duration.ofMillis(500);
    /** Docker's reference grammar, roughly: lower-case path components, an optional tag of word characters. */
    private static final Pattern IMAGE_REFERENCE = Pattern.compile(
            "(?:[a-z0-9.-]+(?::\\d+)?/)?[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*"
                    + "(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?");

    /**
     * {@code podReadyDelay}: from binding to Ready. {@code terminationDelay}: how long a deleted pod stays
     * Terminating (capped by its grace period). {@code pullable}: whether a registry has this image.
     */
    public record Settings(Duration podReadyDelay, Duration terminationDelay, double cpuCores, Predicate<String> pullable) {
    }

    /** Tags the official PostgreSQL image is published with: a version, optionally a variant. */
    private static final Pattern POSTGRES_TAG = Pattern.compile(
            "latest|alpine|bookworm|bullseye|trixie|(\\d{1,2})(\\.\\d{1,2}){0,2}(-(alpine(3\\.\\d{1,2})?|bookworm|bullseye|trixie))?");

    private final KubernetesClient client;
    private final Settings settings;
    private final ClaimDatabases volumes;
    private final KubeletEvents events;
    private final ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "sandbox-node-agent");
        t.setDaemon(true);
        return t;
    });
    private final Set<String> queued = ConcurrentHashMap.newKeySet();
    /** When this node started each pod's containers (its bind), by pod UID. */
    private final Map<String, Long> started = new ConcurrentHashMap<>();
    private final Map<String, Long> terminating = new ConcurrentHashMap<>();
    private final Set<String> reported = ConcurrentHashMap.newKeySet();
    private final Set<String> warned = ConcurrentHashMap.newKeySet();
    private final AtomicInteger podIps = new AtomicInteger();
    private SharedIndexInformer<Pod> pods;
    private SharedIndexInformer<PersistentVolumeClaim> claims;

    public NodeAgent(KubernetesClient client, Settings settings, ClaimDatabases volumes) {
        this.client = client;
        this.settings = settings;
        this.volumes = volumes;
        this.events = new KubeletEvents(client, NODE_NAME);
    }

    public void start() {
        registerNode();
        pods = client.pods().inAnyNamespace().inform(new Handler<>("pod"), 30_000);
        claims = client.persistentVolumeClaims().inAnyNamespace().inform(new Handler<>("claim") {
            @Override
            public void onDelete(PersistentVolumeClaim claim, boolean unknown) {
                worker.execute(() -> claimDeleted(claim));
            }
        }, 30_000);
        LOG.infof("Node agent: node %s (%.1f CPU) schedules pods, runs them as a kubelet would (Ready after %s) and "
                + "provisions a PostgreSQL database per claim", NODE_NAME, settings.cpuCores(), settings.podReadyDelay());
    }

    private void registerNode() {
        String cpu = BigDecimal.valueOf(settings.cpuCores()).stripTrailingZeros().toPlainString();
        String now = now();
        Node node = new NodeBuilder().withNewMetadata().withName(NODE_NAME)
                .addToLabels("kubernetes.io/hostname", NODE_NAME).addToLabels("kubernetes.io/os", "linux")
                .addToLabels("type", "sandbox-node-agent").endMetadata()
                .withNewStatus()
                .addToCapacity("cpu", new Quantity(cpu)).addToCapacity("memory", new Quantity("16Gi")).addToCapacity("pods", new Quantity("500"))
                .addToAllocatable("cpu", new Quantity(cpu)).addToAllocatable("memory", new Quantity("16Gi")).addToAllocatable("pods", new Quantity("500"))
                .addNewCondition().withType("Ready").withStatus("True").withReason("KubeletReady")
                .withMessage("sandbox node agent is posting ready status").withLastHeartbeatTime(now).withLastTransitionTime(now).endCondition()
                .addNewAddress().withType("InternalIP").withAddress(HOST_IP).endAddress()
                .withNewNodeInfo().withKubeletVersion(ControlPlane.VERSION).withContainerRuntimeVersion("sandbox://postgres-databases")
                .withOperatingSystem("linux").withArchitecture("amd64").withOsImage("lab-provisioner sandbox")
                .withKernelVersion("").withKubeProxyVersion("").withMachineID("").withSystemUUID("").withBootID("").endNodeInfo()
                .endStatus().build();
        // Nodes keep the status they are created with.
        client.nodes().resource(node).createOr(existing -> existing.update());
    }

    private class Handler<T extends HasMetadata> implements ResourceEventHandler<T> {
        private final String kind;

        Handler(String kind) {
            this.kind = kind;
        }

        @Override
        public void onAdd(T obj) {
            enqueue(kind, obj, Duration.ZERO);
        }

        @Override
        public void onUpdate(T oldObj, T newObj) {
            enqueue(kind, newObj, Duration.ZERO);
        }

        @Override
        public void onDelete(T obj, boolean deletedFinalStateUnknown) {
            String uid = obj.getMetadata().getUid();
            started.remove(uid);
            terminating.remove(uid);
        }
    }

    private void enqueue(String kind, HasMetadata obj, Duration delay) {
        String key = kind + ":" + obj.getMetadata().getNamespace() + "/" + obj.getMetadata().getName();
        if (!queued.add(key + "@" + delay.toMillis())) {
            return;
        }
        worker.schedule(() -> {
            queued.remove(key + "@" + delay.toMillis());
            try {
                if (kind.equals("pod")) {
                    syncPod(key.substring(4));
                } else {
                    syncClaim(key.substring(6));
                }
            } catch (KubernetesClientException e) {
                if (e.getCode() == 409 || e.getCode() == 404) {
                    // A conflict or a lost race: the informer has (or will have) the newer object; look again.
                    LOG.debugf("%s: %s, retrying", key, e.getMessage());
                } else if (warned.add(key + ":" + e.getCode())) {
                    // Anything else is this agent's bug or the cluster's refusal: say so once, not at every retry.
                    LOG.warnf("Node agent could not handle %s (HTTP %d: %s); retrying", key, e.getCode(),
                            e.getStatus() == null ? e.getMessage() : e.getStatus().getMessage());
                }
                enqueue(kind, obj, RETRY);
            } catch (RuntimeException e) {
                LOG.warnf(e, "Node agent could not handle %s; retrying", key);
                enqueue(kind, obj, RETRY);
            }
        }, delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Whether a registry would have this image. This node pulls nothing, so it knows one repository's tags,
     * the official {@code postgres} image's (a tag that cannot exist there, {@code postgres:17-typo}, fails as
     * a real pull would); any other repository is taken to have every tag.
     */
    public static boolean registryHas(String image) {
        String ref = image.contains("@") ? image.substring(0, image.indexOf('@')) : image;
        int colon = ref.lastIndexOf(':');
        String repository = colon > ref.lastIndexOf('/') ? ref.substring(0, colon) : ref;
        String tag = colon > ref.lastIndexOf('/') ? ref.substring(colon + 1) : "latest";
        boolean officialPostgres = repository.equals("postgres") || repository.equals("library/postgres")
                || repository.equals("docker.io/library/postgres") || repository.equals("docker.io/postgres");
        return !officialPostgres || image.contains("@") || POSTGRES_TAG.matcher(tag).matches();
    }

    // ------------------------------------------------------------------ scheduler

    private void syncPod(String key) {
        Pod pod = pods.getStore().getByKey(key);
        if (pod == null) {
            return;
        }
        if (pod.getMetadata().getDeletionTimestamp() != null) {
            terminate(pod);
            return;
        }
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        if ("Succeeded".equals(phase) || "Failed".equals(phase)) {
            return;
        }
        if (pod.getSpec().getNodeName() == null) {
            schedule(pod);
        } else if (NODE_NAME.equals(pod.getSpec().getNodeName())) {
            run(pod);
        }
    }

    private void schedule(Pod pod) {
        String ns = pod.getMetadata().getNamespace();
        String name = pod.getMetadata().getName();
        String unschedulable = insufficientCpu(pod);
        if (unschedulable == null) {
            for (String claimName : claimNames(pod)) {
                PersistentVolumeClaim claim = claims.getStore().getByKey(ns + "/" + claimName);
                if (claim == null) {
                    unschedulable = "0/1 nodes are available: 1 persistentvolumeclaim \"" + claimName + "\" not found.";
                } else if (claim.getStatus() == null || !"Bound".equals(claim.getStatus().getPhase())) {
                    // The binder binds the volume this agent provisions in a moment: wait, as the scheduler does.
                    enqueue("pod", pod, RETRY);
                    return;
                }
            }
        }
        String now = now();
        if (unschedulable != null) {
            PodStatus status = new PodStatusBuilder().withPhase("Pending").withQosClass(qosClass(pod))
                    .withConditions(condition("PodScheduled", "False", "Unschedulable", unschedulable, now)).build();
            if (writeStatus(pod, status)) {
                events.warning(pod, "FailedScheduling", unschedulable, "default-scheduler");
            }
            enqueue("pod", pod, Duration.ofSeconds(5));
            return;
        }
        client.bindings().inNamespace(ns).resource(new BindingBuilder().withNewMetadata().withName(name).withNamespace(ns)
                .withUid(pod.getMetadata().getUid()).endMetadata()
                .withNewTarget().withApiVersion("v1").withKind("Node").withName(NODE_NAME).endTarget().build()).create();
        events.normal(pod, "Scheduled", "Successfully assigned " + ns + "/" + name + " to " + NODE_NAME, "default-scheduler");
    }

    // ------------------------------------------------------------------ kubelet

    private void run(Pod pod) {
        String uid = pod.getMetadata().getUid();
        long since = started.computeIfAbsent(uid, u -> System.nanoTime());
        Duration age = Duration.ofNanos(System.nanoTime() - since);
        List<Container> containers = pod.getSpec().getContainers();
        String now = now();
        String startTime = pod.getStatus() != null && pod.getStatus().getStartTime() != null ? pod.getStatus().getStartTime() : now;
        PodStatusBuilder status = new PodStatusBuilder().withHostIP(HOST_IP).withStartTime(startTime).withQosClass(qosClass(pod));

        List<ContainerStatus> statuses = new ArrayList<>();
        boolean waiting = false;
        for (Container c : containers) {
            String image = c.getImage();
            String reason = null;
            String message = null;
            if (!IMAGE_REFERENCE.matcher(image).matches()) {
                reason = "InvalidImageName";
                message = "Failed to apply default image tag \"" + image + "\": couldn't parse image reference \"" + image
                        + "\": invalid reference format";
                String invalid = message;
                once(pod, "InvalidImageName:" + c.getName(), () -> events.warning(pod, "InspectFailed", invalid, "kubelet"));
            } else if (!settings.pullable().test(image)) {
                boolean backOff = age.compareTo(IMAGE_PULL_BACKOFF) >= 0;
                reason = backOff ? "ImagePullBackOff" : "ErrImagePull";
                message = backOff ? "Back-off pulling image \"" + image + "\""
                        : "rpc error: code = NotFound desc = failed to pull and unpack image \"" + qualified(image)
                        + "\": failed to resolve reference \"" + qualified(image) + "\": " + qualified(image) + ": not found";
                String pullMessage = message;
                once(pod, "Pulling:" + c.getName(), () -> events.normal(pod, "Pulling", "Pulling image \"" + image + "\"", "kubelet"));
                once(pod, "Failed:" + c.getName(), () -> {
                    events.warning(pod, "Failed", "Failed to pull image \"" + image + "\": " + pullMessage, "kubelet");
                    events.warning(pod, "Failed", "Error: ErrImagePull", "kubelet");
                });
                if (backOff) {
                    once(pod, "BackOff:" + c.getName(), () -> {
                        events.normal(pod, "BackOff", "Back-off pulling image \"" + image + "\"", "kubelet");
                        events.warning(pod, "Failed", "Error: ImagePullBackOff", "kubelet");
                    });
                } else {
                    enqueue("pod", pod, IMAGE_PULL_BACKOFF.minus(age));
                }
            } else if (age.compareTo(settings.podReadyDelay()) < 0) {
                reason = "ContainerCreating";
                once(pod, "Pulling:" + c.getName(), () -> events.normal(pod, "Pulling", "Pulling image \"" + image + "\"", "kubelet"));
                enqueue("pod", pod, settings.podReadyDelay().minus(age));
            }
            if (reason != null) {
                waiting = true;
                statuses.add(new ContainerStatusBuilder().withName(c.getName()).withImage(image).withImageID("")
                        .withReady(false).withStarted(false).withRestartCount(0)
                        .withNewState().withNewWaiting().withReason(reason).withMessage(message).endWaiting().endState().build());
                continue;
            }
            once(pod, "Started:" + c.getName(), () -> {
                events.normal(pod, "Pulled", "Successfully pulled image \"" + image + "\" in 1.2s", "kubelet");
                events.normal(pod, "Created", "Created container " + c.getName(), "kubelet");
                events.normal(pod, "Started", "Started container " + c.getName(), "kubelet");
            });
            String probeFailure = readinessFailure(c);
            if (probeFailure != null) {
                once(pod, "Unhealthy:" + c.getName(), () -> events.warning(pod, "Unhealthy", "Readiness probe failed: " + probeFailure, "kubelet"));
            }
            statuses.add(new ContainerStatusBuilder().withName(c.getName()).withImage(image).withImageID("docker.io/library/" + image)
                    .withContainerID("containerd://" + Integer.toHexString(Objects.hash(uid, c.getName())))
                    .withReady(probeFailure == null).withStarted(true).withRestartCount(0)
                    .withNewState().withNewRunning().withStartedAt(startTime).endRunning().endState().build());
        }
        boolean ready = !waiting && statuses.stream().allMatch(ContainerStatus::getReady);
        String unready = statuses.stream().filter(s -> !s.getReady()).map(ContainerStatus::getName).sorted().toList().toString();
        String ip = pod.getStatus() != null && pod.getStatus().getPodIP() != null ? pod.getStatus().getPodIP() : nextPodIp();
        if (!waiting) {
            status.withPodIP(ip).withPodIPs(new PodIPBuilder().withIp(ip).build());
        }
        status.withPhase(waiting ? "Pending" : "Running").withContainerStatuses(statuses).withConditions(
                condition("Initialized", "True", null, null, now),
                ready ? condition("Ready", "True", null, null, now)
                        : condition("Ready", "False", "ContainersNotReady", "containers with unready status: " + unready, now),
                ready ? condition("ContainersReady", "True", null, null, now)
                        : condition("ContainersReady", "False", "ContainersNotReady", "containers with unready status: " + unready, now),
                condition("PodScheduled", "True", null, null, now));
        writeStatus(pod, status.build());
    }

    /**
     * Readiness probes as they would go against a PostgreSQL container: {@code pg_isready} succeeds (the
     * pod's volume is a live PostgreSQL database), a TCP probe succeeds on 5432 only; anything else fails, the
     * way {@code false} or an HTTP probe against PostgreSQL would. Null: ready.
     */
    static String readinessFailure(Container c) {
        Probe probe = c.getReadinessProbe();
        if (probe == null) {
            return null;
        }
        if (probe.getExec() != null && probe.getExec().getCommand() != null) {
            String command = String.join(" ", probe.getExec().getCommand());
            return command.contains("pg_isready") || command.trim().equals("true") ? null
                    : "command \"" + command + "\" exited with a non-zero code";
        }
        if (probe.getTcpSocket() != null && probe.getTcpSocket().getPort() != null) {
            var port = probe.getTcpSocket().getPort();
            boolean postgresPort = Objects.equals(port.getIntVal(), 5432)
                    || c.getPorts() != null && c.getPorts().stream().anyMatch(p -> p.getContainerPort() == 5432
                    && p.getName() != null && p.getName().equals(port.getStrVal()));
            return postgresPort ? null : "dial tcp " + HOST_IP + ":" + port.getValue() + ": connect: connection refused";
        }
        if (probe.getHttpGet() != null) {
            return "Get \"http://" + HOST_IP + ":" + probe.getHttpGet().getPort().getValue() + Objects.requireNonNullElse(probe.getHttpGet().getPath(), "/")
                    + "\": dial tcp: connect: connection refused";
        }
        return null;
    }

    /** A deleted pod: the kubelet stops its containers within the grace period, then removes it for good. */
    private void terminate(Pod pod) {
        String uid = pod.getMetadata().getUid();
        if (pod.getSpec().getNodeName() == null) {
            delete(pod); // never ran: nothing to stop
            return;
        }
        long since = terminating.computeIfAbsent(uid, u -> {
            for (Container c : pod.getSpec().getContainers()) {
                events.normal(pod, "Killing", "Stopping container " + c.getName(), "kubelet");
            }
            return System.nanoTime();
        });
        Long grace = pod.getMetadata().getDeletionGracePeriodSeconds();
        Duration stay = grace == null ? settings.terminationDelay()
                : settings.terminationDelay().compareTo(Duration.ofSeconds(grace)) < 0 ? settings.terminationDelay() : Duration.ofSeconds(grace);
        Duration left = stay.minus(Duration.ofNanos(System.nanoTime() - since));
        if (!left.isNegative() && !left.isZero()) {
            enqueue("pod", pod, left);
            return;
        }
        delete(pod);
    }

    /**
     * Removes this very pod for good (grace period 0, as a kubelet does once its containers are stopped), with a UID
     * precondition: by name alone, a second pass over a pod already gone would delete the one the StatefulSet
     * controller has put in its place (it did, under load: a checkpoint then saw two deletions).
     */
    private void delete(Pod pod) {
        String base = client.getMasterUrl().toString().replaceAll("/+$", "");
        try {
            client.raw(base + "/api/v1/namespaces/" + pod.getMetadata().getNamespace() + "/pods/" + pod.getMetadata().getName(), "DELETE",
                    Map.of("apiVersion", "v1", "kind", "DeleteOptions", "gracePeriodSeconds", 0,
                            "preconditions", Map.of("uid", pod.getMetadata().getUid())));
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404 && e.getCode() != 409) { // gone already, or another pod has the name now
                throw e;
            }
        }
    }

    // ------------------------------------------------------------------ volume provisioner

    private void syncClaim(String key) {
        PersistentVolumeClaim claim = claims.getStore().getByKey(key);
        if (claim == null || claim.getMetadata().getDeletionTimestamp() != null
                || claim.getSpec().getVolumeName() != null && !claim.getSpec().getVolumeName().isEmpty()) {
            return;
        }
        String storageClass = claim.getSpec().getStorageClassName();
        if (storageClass != null && !storageClass.isEmpty()) {
            return; // another provisioner's class: as on a cluster that lacks it, the claim stays Pending and the PV binder says why
        }
        String pvName = "pvc-" + claim.getMetadata().getUid();
        if (client.persistentVolumes().withName(pvName).get() != null) {
            return; // provisioned; the binder binds it
        }
        Quantity size = claim.getSpec().getResources() != null && claim.getSpec().getResources().getRequests() != null
                ? claim.getSpec().getResources().getRequests().get("storage") : null;
        PersistentVolume pv = new PersistentVolumeBuilder().withNewMetadata().withName(pvName)
                .addToAnnotations("pv.kubernetes.io/provisioned-by", PROVISIONER)
                .addToAnnotations(DATABASE_ANNOTATION, ClaimDatabases.databaseName(claim.getMetadata().getUid()))
                .endMetadata()
                .withNewSpec()
                .addToCapacity("storage", size == null ? new Quantity("1Gi") : size)
                .withAccessModes(claim.getSpec().getAccessModes())
                .withStorageClassName(Objects.requireNonNullElse(claim.getSpec().getStorageClassName(), ""))
                .withVolumeMode(claim.getSpec().getVolumeMode())
                // Retain, and this agent deletes it with its claim: the in-tree binder has no deleter for our volumes.
                .withPersistentVolumeReclaimPolicy("Retain")
                .withNewHostPath().withPath("/var/lib/lab-sandbox/" + pvName).withType("DirectoryOrCreate").endHostPath()
                .withNewClaimRef().withApiVersion("v1").withKind("PersistentVolumeClaim")
                .withNamespace(claim.getMetadata().getNamespace()).withName(claim.getMetadata().getName())
                .withUid(claim.getMetadata().getUid()).endClaimRef()
                .endSpec().build();
        client.persistentVolumes().resource(pv).create();
        volumes.claimCreated(claim);
        events.normal(claim, "ProvisioningSucceeded", "Successfully provisioned volume " + pvName
                + " (PostgreSQL database " + ClaimDatabases.databaseName(claim.getMetadata().getUid()) + ")", PROVISIONER);
    }

    /** A claim gone: its volume and the database behind it go too, as a Delete reclaim policy would have it. */
    private void claimDeleted(PersistentVolumeClaim claim) {
        String pvName = "pvc-" + claim.getMetadata().getUid();
        try {
            client.persistentVolumes().withName(pvName).delete();
        } catch (KubernetesClientException e) {
            LOG.debugf("Volume %s could not be deleted: %s", pvName, e.getMessage());
        }
        volumes.claimDeleted(claim);
    }

    // ------------------------------------------------------------------ helpers

    private boolean writeStatus(Pod pod, PodStatus desired) {
        if (PodStatusSignature.of(pod.getStatus()).equals(PodStatusSignature.of(desired))) {
            return false;
        }
        if (pod.getStatus() != null && pod.getStatus().getConditions() != null) {
            for (PodCondition c : desired.getConditions()) {
                pod.getStatus().getConditions().stream()
                        .filter(o -> o.getType().equals(c.getType()) && Objects.equals(o.getStatus(), c.getStatus()))
                        .findFirst().ifPresent(o -> c.setLastTransitionTime(o.getLastTransitionTime()));
            }
        }
        Pod copy = new io.fabric8.kubernetes.api.model.PodBuilder(pod).withStatus(desired).build();
        client.pods().inNamespace(pod.getMetadata().getNamespace()).resource(copy).updateStatus();
        return true;
    }

    private void once(Pod pod, String what, Runnable record) {
        if (reported.add(pod.getMetadata().getUid() + "/" + what)) {
            record.run();
        }
    }

    private static String qualified(String image) {
        String first = image.contains("/") ? image.substring(0, image.indexOf('/')) : "";
        boolean hasRegistry = first.contains(".") || first.contains(":") || first.equals("localhost");
        String withRegistry = hasRegistry ? image : "docker.io/" + (image.contains("/") ? image : "library/" + image);
        return withRegistry.contains(":") && withRegistry.lastIndexOf(':') > withRegistry.lastIndexOf('/') ? withRegistry : withRegistry + ":latest";
    }

    private String insufficientCpu(Pod pod) {
        BigDecimal cpu = BigDecimal.ZERO;
        for (Container c : pod.getSpec().getContainers()) {
            var r = c.getResources();
            Quantity q = r == null ? null : r.getRequests() != null && r.getRequests().get("cpu") != null ? r.getRequests().get("cpu")
                    : r.getLimits() == null ? null : r.getLimits().get("cpu");
            if (q != null) {
                cpu = cpu.add(Quantity.getAmountInBytes(q));
            }
        }
        return cpu.compareTo(BigDecimal.valueOf(settings.cpuCores())) > 0
                ? "0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod."
                : null;
    }

    private static List<String> claimNames(Pod pod) {
        if (pod.getSpec().getVolumes() == null) {
            return List.of();
        }
        return pod.getSpec().getVolumes().stream().filter(v -> v.getPersistentVolumeClaim() != null)
                .map(v -> v.getPersistentVolumeClaim().getClaimName()).toList();
    }

    private static String qosClass(Pod pod) {
        boolean any = false;
        boolean guaranteed = true;
        for (Container c : pod.getSpec().getContainers()) {
            var r = c.getResources();
            boolean hasReq = r != null && r.getRequests() != null && !r.getRequests().isEmpty();
            boolean hasLim = r != null && r.getLimits() != null && !r.getLimits().isEmpty();
            any |= hasReq || hasLim;
            guaranteed &= hasLim && r.getLimits().containsKey("cpu") && r.getLimits().containsKey("memory")
                    && (r.getRequests() == null || r.getRequests().isEmpty() || Objects.equals(r.getRequests(), r.getLimits()));
        }
        return !any ? "BestEffort" : guaranteed ? "Guaranteed" : "Burstable";
    }

    private static PodCondition condition(String type, String status, String reason, String message, String now) {
        return new PodConditionBuilder().withType(type).withStatus(status).withReason(reason).withMessage(message)
                .withLastTransitionTime(now).withLastProbeTime(null).build();
    }

    private String nextPodIp() {
        int n = podIps.getAndIncrement();
        return "10.244." + (n / 250) % 250 + "." + (n % 250 + 2);
    }

    private static String now() {
        return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    }

    @Override
    public void close() {
        if (pods != null) {
            pods.close();
        }
        if (claims != null) {
            claims.close();
        }
        worker.shutdownNow();
    }
}
