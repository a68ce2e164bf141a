package dev.labprovisioner.sandbox;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodIPBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatus;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import org.jboss.logging.Logger;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * Sandbox only: plays, against the fabric8 mock server (which stores objects but runs no controllers),
 * the controllers a PostgreSQL StatefulSet lab needs: the StatefulSet controller, a PVC binder, the
 * scheduler and kubelet of a single node, the garbage collector (ownerReferences) and the namespace
 * controller. It follows https://kubernetes.io/docs/concepts/workloads/controllers/statefulset/ .
 *
 * <p>Level-triggered: informer events (and timers) only enqueue keys; one single-threaded executor
 * reconciles each key from the informer caches and tolerates 404/409 (the next event or a requeue
 * converges). Nothing blocks the informer threads.
 */
public final class StatefulSetSimulator implements AutoCloseable {

    public record Settings(Duration podReadyDelay,
                           double nodeCpuCores,
                           Predicate<String> unpullableImage) {
    }

    /** The "disk" behind each PVC is a real PostgreSQL database, managed by the caller. */
    public interface VolumeDatabases {
        void claimCreated(PersistentVolumeClaim pvc);

        void claimDeleted(PersistentVolumeClaim pvc);
    }

    private static final Logger LOG = Logger.getLogger(StatefulSetSimulator.class);

    static final String NODE_NAME = "sandbox-node";
    static final String POD_NAME_LABEL = "statefulset.kubernetes.io/pod-name";
    static final String POD_INDEX_LABEL = "apps.kubernetes.io/pod-index";
    static final String REVISION_LABEL = "controller-revision-hash";
    private static final Duration REQUEUE_CONFLICT = Duration.ofMillis(200);
    private static final Duration REQUEUE_ERROR = Duration.ofSeconds(1);
    private static final Duration RESYNC = Duration.ofSeconds(10);
    private static final Duration IMAGE_PULL_BACKOFF = Duration.ofMillis(500);

    private final KubernetesClient client;
    private final Settings settings;
    private final VolumeDatabases volumes;
    private final ScheduledExecutorService executor;
    private final Set<String> queued = ConcurrentHashMap.newKeySet();
    /** Pod UID → when the simulated kubelet first saw it (monotonic nanos): the ready delay runs from there. */
    private final Map<String, Long> podFirstSeen = new ConcurrentHashMap<>();
    /** PVC UIDs for which claimCreated has been called (touched on the executor thread only). */
    private final Set<String> notifiedClaims = ConcurrentHashMap.newKeySet();
    private final Set<String> deletedClaims = ConcurrentHashMap.newKeySet();
    /** Namespaces whose Namespace object was deleted: nothing may be created in them any more. */
    private final Set<String> deletedNamespaces = ConcurrentHashMap.newKeySet();
    /** Pod templates by revision, so pods below a partition can be re-created at the current revision. */
    private final Map<String, PodTemplateSpec> templatesByRevision = new ConcurrentHashMap<>();
    private final AtomicInteger podIps = new AtomicInteger();

    private SharedIndexInformer<StatefulSet> stsInformer;
    private SharedIndexInformer<Pod> podInformer;
    private SharedIndexInformer<PersistentVolumeClaim> pvcInformer;
    private SharedIndexInformer<Namespace> nsInformer;
    private volatile boolean closed;

    public StatefulSetSimulator(KubernetesClient client, Settings settings, VolumeDatabases volumes) {
        this.client = Objects.requireNonNull(client);
        this.settings = Objects.requireNonNull(settings);
        this.volumes = Objects.requireNonNull(volumes);
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sandbox-statefulset-simulator");
            t.setDaemon(true);
            return t;
        });
    }

    public void start() {
        LOG.infof("SANDBOX: simulating the StatefulSet, PVC, scheduler, kubelet, garbage-collector and namespace "
                + "controllers against the in-process Kubernetes API (ready delay %s, node of %.1f CPU); "
                + "nothing runs in a real cluster", settings.podReadyDelay(), settings.nodeCpuCores());
        nsInformer = client.namespaces().inform(new Handler<>() {
            @Override
            void changed(Namespace ns, boolean deleted) {
                String name = ns.getMetadata().getName();
                if (deleted) {
                    deletedNamespaces.add(name);
                    enqueue("ns:" + name);
                } else {
                    deletedNamespaces.remove(name);
                }
            }
        });
        stsInformer = client.apps().statefulSets().inAnyNamespace().inform(new Handler<>() {
            @Override
            void changed(StatefulSet sts, boolean deleted) {
                enqueue("sts:" + key(sts));
                if (deleted) {
                    enqueueDependents(sts);
                }
            }
        });
        pvcInformer = client.persistentVolumeClaims().inAnyNamespace().inform(new Handler<>() {
            @Override
            void changed(PersistentVolumeClaim pvc, boolean deleted) {
                if (deleted) {
                    executor.execute(() -> notifyDeleted(pvc));
                } else {
                    enqueue("pvc:" + key(pvc));
                }
                String ns = pvc.getMetadata().getNamespace();
                // pods waiting for this claim to be bound
                for (Pod pod : podInformer == null ? List.<Pod>of() : podInformer.getStore().list()) {
                    if (ns.equals(pod.getMetadata().getNamespace()) && claimNames(pod).contains(pvc.getMetadata().getName())) {
                        enqueue("pod:" + key(pod));
                    }
                }
            }
        });
        podInformer = client.pods().inAnyNamespace().inform(new Handler<>() {
            @Override
            void changed(Pod pod, boolean deleted) {
                if (deleted) {
                    podFirstSeen.remove(uid(pod));
                    enqueueDependents(pod);
                } else {
                    enqueue("pod:" + key(pod));
                }
                OwnerReference owner = controllerRef(pod.getMetadata());
                if (owner != null && "StatefulSet".equals(owner.getKind())) {
                    enqueue("sts:" + pod.getMetadata().getNamespace() + "/" + owner.getName());
                }
            }
        });
        // the caches were filled before the pod informer existed: look at everything once
        resync();
        executor.scheduleWithFixedDelay(this::resync, RESYNC.toMillis(), RESYNC.toMillis(), TimeUnit.MILLISECONDS);
        LOG.debug("StatefulSet simulator started, informers synced");
    }

    @Override
    public void close() {
        closed = true;
        for (var informer : new SharedIndexInformer<?>[] {podInformer, pvcInformer, stsInformer, nsInformer}) {
            if (informer != null) {
                try {
                    informer.close();
                } catch (RuntimeException e) {
                    LOG.debugf(e, "closing informer");
                }
            }
        }
        executor.shutdownNow();
    }

    // ------------------------------------------------------------------ queueing

    private abstract static class Handler<T extends HasMetadata> implements ResourceEventHandler<T> {
        abstract void changed(T obj, boolean deleted);

        @Override
        public void onAdd(T obj) {
            changed(obj, false);
        }

        @Override
        public void onUpdate(T oldObj, T newObj) {
            changed(newObj, false);
        }

        @Override
        public void onDelete(T obj, boolean deletedFinalStateUnknown) {
            changed(obj, true);
        }
    }

    private void resync() {
        if (closed) {
            return;
        }
        stsInformer.getStore().list().forEach(s -> enqueue("sts:" + key(s)));
        podInformer.getStore().list().forEach(p -> {
            enqueue("pod:" + key(p));
            OwnerReference owner = controllerRef(p.getMetadata());
            if (owner != null && "StatefulSet".equals(owner.getKind())) {
                enqueue("sts:" + p.getMetadata().getNamespace() + "/" + owner.getName());
            }
        });
        pvcInformer.getStore().list().forEach(p -> enqueue("pvc:" + key(p)));
        for (String ns : deletedNamespaces) {
            enqueue("ns:" + ns);
        }
    }

    private void enqueue(String key) {
        if (closed || !queued.add(key)) {
            return;
        }
        try {
            executor.execute(() -> {
                queued.remove(key);
                process(key);
            });
        } catch (RuntimeException e) {
            queued.remove(key); // shut down
        }
    }

    private void enqueueLater(String key, Duration delay) {
        if (closed) {
            return;
        }
        try {
            executor.schedule(() -> enqueue(key), Math.max(1, delay.toMillis()), TimeUnit.MILLISECONDS);
        } catch (RuntimeException e) {
            // shut down
        }
    }

    /** Objects whose ownerReferences point at {@code owner}: the garbage collector must look at them. */
    private void enqueueDependents(HasMetadata owner) {
        String ns = owner.getMetadata().getNamespace();
        String ownerUid = uid(owner);
        for (Pod p : podInformer == null ? List.<Pod>of() : podInformer.getStore().list()) {
            if (ns.equals(p.getMetadata().getNamespace()) && ownedBy(p.getMetadata(), ownerUid)) {
                enqueue("pod:" + key(p));
            }
        }
        for (PersistentVolumeClaim c : pvcInformer == null ? List.<PersistentVolumeClaim>of() : pvcInformer.getStore().list()) {
            if (ns.equals(c.getMetadata().getNamespace()) && ownedBy(c.getMetadata(), ownerUid)) {
                enqueue("pvc:" + key(c));
            }
        }
    }

    private void process(String key) {
        if (closed) {
            return;
        }
        int colon = key.indexOf(':');
        String kind = key.substring(0, colon);
        String name = key.substring(colon + 1);
        try {
            switch (kind) {
                case "sts" -> reconcileStatefulSet(name);
                case "pod" -> reconcilePod(name);
                case "pvc" -> reconcileClaim(name);
                case "ns" -> reconcileDeletedNamespace(name);
                default -> throw new IllegalArgumentException(key);
            }
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409 || e.getCode() == 404) {
                LOG.debugf("%s: %d (changed under us), requeued", key, e.getCode());
                enqueueLater(key, REQUEUE_CONFLICT);
            } else {
                LOG.debugf(e, "%s: API error %d, requeued", key, e.getCode());
                enqueueLater(key, REQUEUE_ERROR);
            }
        } catch (RuntimeException e) {
            if (!closed) {
                LOG.debugf(e, "%s: reconcile failed, requeued", key);
                enqueueLater(key, REQUEUE_ERROR);
            }
        }
    }

    // ------------------------------------------------------------------ StatefulSet controller

    private void reconcileStatefulSet(String key) {
        StatefulSet sts = stsInformer.getStore().getByKey(key);
        if (sts == null || sts.getMetadata().getDeletionTimestamp() != null) {
            return; // dependents are removed by the garbage collector (pod/pvc keys)
        }
        String ns = sts.getMetadata().getNamespace();
        if (deletedNamespaces.contains(ns)) {
            return;
        }
        String name = sts.getMetadata().getName();
        var spec = sts.getSpec();
        int replicas = spec.getReplicas() == null ? 1 : spec.getReplicas();
        int start = spec.getOrdinals() != null && spec.getOrdinals().getStart() != null ? spec.getOrdinals().getStart() : 0;
        boolean monotonic = !"Parallel".equals(spec.getPodManagementPolicy());
        String updateType = spec.getUpdateStrategy() == null || spec.getUpdateStrategy().getType() == null
                ? "RollingUpdate" : spec.getUpdateStrategy().getType();
        int partition = "RollingUpdate".equals(updateType) && spec.getUpdateStrategy() != null
                && spec.getUpdateStrategy().getRollingUpdate() != null
                && spec.getUpdateStrategy().getRollingUpdate().getPartition() != null
                ? spec.getUpdateStrategy().getRollingUpdate().getPartition() : 0;

        String updateRevision = name + "-" + revisionHash(spec.getTemplate());
        templatesByRevision.putIfAbsent(updateRevision, clone(spec.getTemplate()));
        String currentRevision = sts.getStatus() != null && sts.getStatus().getCurrentRevision() != null
                ? sts.getStatus().getCurrentRevision() : updateRevision;

        // pods this StatefulSet controls, by ordinal; pods of the same name owned by someone else block the ordinal
        Map<Integer, Pod> owned = new TreeMap<>();
        Set<Integer> blocked = new java.util.HashSet<>();
        for (Pod pod : podInformer.getStore().list()) {
            if (!ns.equals(pod.getMetadata().getNamespace())) {
                continue;
            }
            Integer ordinal = ordinal(name, pod.getMetadata().getName());
            if (ordinal == null) {
                continue;
            }
            OwnerReference ref = controllerRef(pod.getMetadata());
            if (ref != null && uid(sts).equals(ref.getUid())) {
                owned.put(ordinal, pod);
            } else if (ref == null && !isTerminating(pod) && selects(sts, pod)) {
                // An orphan (left by `kubectl delete statefulset --cascade=orphan`) whose labels match the selector
                // and whose name is one of this set's identities: the controller adopts it ("Non-cascading delete"
                // in the StatefulSet tutorial: the re-created StatefulSet takes over the Pods left running).
                Pod adopted = adopt(sts, pod);
                if (adopted != null) {
                    owned.put(ordinal, adopted);
                } else {
                    blocked.add(ordinal);
                }
            } else {
                blocked.add(ordinal);
            }
        }

        try {
            updateReplicas(sts, owned, blocked, replicas, start, monotonic, updateType, partition,
                    currentRevision, updateRevision);
        } finally {
            updateStatus(sts, owned, replicas, updateType, currentRevision, updateRevision);
        }
    }

    private void updateReplicas(StatefulSet sts, Map<Integer, Pod> owned, Set<Integer> blocked, int replicas, int start,
                                boolean monotonic, String updateType, int partition,
                                String currentRevision, String updateRevision) {
        String key = key(sts);
        // "For a StatefulSet with N replicas, when Pods are being deployed, they are created sequentially,
        // in order from {0..N-1}" and "Before a scaling operation is applied to a Pod, all of its
        // predecessors must be Running and Ready" (OrderedReady). "Parallel pod management tells the
        // StatefulSet controller to launch or terminate all Pods in parallel".
        for (int ordinal = start; ordinal < start + replicas; ordinal++) {
            Pod pod = owned.get(ordinal);
            if (pod != null && isFinished(pod)) {
                // a failed pod is deleted and re-created with the same identity
                LOG.debugf("%s: pod %s finished (%s), deleting it to re-create it", key, pod.getMetadata().getName(),
                        pod.getStatus().getPhase());
                deletePod(pod);
                if (monotonic) {
                    return;
                }
                continue;
            }
            if (pod == null) {
                if (blocked.contains(ordinal)) {
                    // the old pod of this name (another owner) is still being deleted
                    if (monotonic) {
                        return;
                    }
                    continue;
                }
                boolean useCurrent = "RollingUpdate".equals(updateType) && ordinal < start + partition;
                String revision = useCurrent && templatesByRevision.containsKey(currentRevision) ? currentRevision : updateRevision;
                createPod(sts, ordinal, revision, templatesByRevision.getOrDefault(revision, sts.getSpec().getTemplate()));
                if (monotonic) {
                    return;
                }
                continue;
            }
            ensureClaims(sts, ordinal, pod, false);
            if (monotonic && (isTerminating(pod) || !isRunningAndReady(pod))) {
                LOG.debugf("%s: waiting for %s to be Running and Ready", key, pod.getMetadata().getName());
                return;
            }
        }

        // Scale down: "When Pods are being deleted, they are terminated in reverse order, from {N-1..0}" and
        // "Before a Pod is terminated, all of its successors must be completely shutdown."
        List<Pod> condemned = new ArrayList<>();
        owned.forEach((ordinal, pod) -> {
            if (ordinal < start || ordinal >= start + replicas) {
                condemned.add(pod);
            }
        });
        condemned.sort(Comparator.comparing((Pod p) -> ordinal(sts.getMetadata().getName(), p.getMetadata().getName())).reversed());
        Pod firstUnhealthy = condemned.stream().filter(p -> !isRunningAndReady(p)).reduce((a, b) -> b).orElse(null);
        for (Pod pod : condemned) {
            if (isTerminating(pod)) {
                if (monotonic) {
                    return;
                }
                continue;
            }
            if (monotonic && !isRunningAndReady(pod) && pod != firstUnhealthy) {
                return;
            }
            int ordinal = ordinal(sts.getMetadata().getName(), pod.getMetadata().getName());
            // persistentVolumeClaimRetentionPolicy.whenScaled: Delete — "the condemned Pods are first set as
            // owners to the associated StatefulSet template PVCs, before the Pod is deleted".
            ensureClaims(sts, ordinal, pod, true);
            LOG.debugf("%s: scaling down, deleting %s", key, pod.getMetadata().getName());
            deletePod(pod);
            if (monotonic) {
                return;
            }
        }

        // "OnDelete: the StatefulSet controller will not automatically update the Pods in a StatefulSet."
        if (!"RollingUpdate".equals(updateType)) {
            return;
        }
        // RollingUpdate: "The StatefulSet controller will delete and recreate each Pod in the StatefulSet. It will
        // proceed in the same order as Pod termination (from the largest ordinal to the smallest), updating each
        // Pod one at a time. The Kubernetes control plane waits until an updated Pod is Running and Ready prior
        // to updating its predecessor." Pods below the partition are not updated.
        for (int ordinal = start + replicas - 1; ordinal >= start + partition; ordinal--) {
            Pod pod = owned.get(ordinal);
            if (pod == null) {
                return;
            }
            if (!updateRevision.equals(label(pod, REVISION_LABEL)) && !isTerminating(pod)) {
                LOG.debugf("%s: rolling update, deleting %s (revision %s -> %s)", key, pod.getMetadata().getName(),
                        label(pod, REVISION_LABEL), updateRevision);
                deletePod(pod);
                return;
            }
            if (!isRunningAndReady(pod)) {
                return;
            }
        }
    }

    /**
     * Makes the StatefulSet the pod's controller: an ownerReference added to the orphan; null when it may not adopt.
     * As the controllers' ControllerRefManager does, the StatefulSet is first read afresh from the API, not from the
     * cache: one being deleted (an orphaning delete marks it first) or gone must not take the pods it just let go.
     */
    private Pod adopt(StatefulSet sts, Pod orphan) {
        StatefulSet fresh = client.apps().statefulSets().inNamespace(sts.getMetadata().getNamespace())
                .withName(sts.getMetadata().getName()).get();
        if (fresh == null || !uid(sts).equals(uid(fresh)) || fresh.getMetadata().getDeletionTimestamp() != null) {
            LOG.debugf("%s: not adopting %s, the StatefulSet is being deleted", key(sts), orphan.getMetadata().getName());
            return null;
        }
        Pod copy = clone(orphan);
        List<OwnerReference> refs = new ArrayList<>(copy.getMetadata().getOwnerReferences() == null
                ? List.of() : copy.getMetadata().getOwnerReferences());
        refs.add(ownerRef(sts));
        copy.getMetadata().setOwnerReferences(refs);
        LOG.debugf("%s: adopting orphan pod %s", key(sts), orphan.getMetadata().getName());
        // carries the orphan's resourceVersion: if it changed meanwhile, the 409 requeues this StatefulSet
        return client.pods().inNamespace(orphan.getMetadata().getNamespace()).resource(copy).update();
    }

    /** The StatefulSet's label selector matches the pod's labels (matchLabels and matchExpressions). */
    static boolean selects(StatefulSet sts, Pod pod) {
        var selector = sts.getSpec().getSelector();
        Map<String, String> labels = pod.getMetadata().getLabels() == null ? Map.of() : pod.getMetadata().getLabels();
        if (selector == null || ((selector.getMatchLabels() == null || selector.getMatchLabels().isEmpty())
                && (selector.getMatchExpressions() == null || selector.getMatchExpressions().isEmpty()))) {
            return false; // an empty selector selects nothing for a controller
        }
        if (selector.getMatchLabels() != null && !selector.getMatchLabels().entrySet().stream()
                .allMatch(e -> e.getValue().equals(labels.get(e.getKey())))) {
            return false;
        }
        for (var expression : selector.getMatchExpressions() == null
                ? List.<io.fabric8.kubernetes.api.model.LabelSelectorRequirement>of() : selector.getMatchExpressions()) {
            String value = labels.get(expression.getKey());
            List<String> values = expression.getValues() == null ? List.of() : expression.getValues();
            boolean matches = switch (expression.getOperator()) {
                case "In" -> value != null && values.contains(value);
                case "NotIn" -> value == null || !values.contains(value);
                case "Exists" -> value != null;
                case "DoesNotExist" -> value == null;
                default -> false;
            };
            if (!matches) {
                return false;
            }
        }
        return true;
    }

    private void createPod(StatefulSet sts, int ordinal, String revision, PodTemplateSpec template) {
        String ns = sts.getMetadata().getNamespace();
        String stsName = sts.getMetadata().getName();
        String podName = stsName + "-" + ordinal;
        // "If you want to use storage volumes to provide persistence, the PVCs are created from the
        // volumeClaimTemplates" — before the pod that mounts them.
        ensureClaims(sts, ordinal, null, false);

        PodTemplateSpec t = clone(template);
        ObjectMeta meta = t.getMetadata() == null ? new ObjectMeta() : t.getMetadata();
        Map<String, String> labels = new LinkedHashMap<>(meta.getLabels() == null ? Map.of() : meta.getLabels());
        // "Pod name label: ... the StatefulSet controller adds a label, statefulset.kubernetes.io/pod-name"
        // and "Pod index label: ... apps.kubernetes.io/pod-index".
        labels.put(POD_NAME_LABEL, podName);
        labels.put(POD_INDEX_LABEL, Integer.toString(ordinal));
        labels.put(REVISION_LABEL, revision);
        meta.setLabels(labels);
        meta.setName(podName);
        meta.setNamespace(ns);
        meta.setGenerateName(null);
        meta.setResourceVersion(null);
        meta.setUid(null);
        meta.setOwnerReferences(List.of(ownerRef(sts)));
        var spec = t.getSpec();
        // "Stable Network ID: ... The domain managed by this Service takes the form:
        // $(service name).$(namespace).svc.cluster.local ... each Pod gets a matching DNS subdomain"
        spec.setHostname(podName);
        spec.setSubdomain(sts.getSpec().getServiceName());
        List<Volume> podVolumes = new ArrayList<>(spec.getVolumes() == null ? List.of() : spec.getVolumes());
        for (PersistentVolumeClaim template2 : claimTemplates(sts)) {
            String volumeName = template2.getMetadata().getName();
            podVolumes.removeIf(v -> volumeName.equals(v.getName()));
            podVolumes.add(new VolumeBuilder().withName(volumeName)
                    .withNewPersistentVolumeClaim().withClaimName(claimName(template2, stsName, ordinal)).endPersistentVolumeClaim()
                    .build());
        }
        spec.setVolumes(podVolumes);
        Pod pod = new Pod();
        pod.setApiVersion("v1");
        pod.setKind("Pod");
        pod.setMetadata(meta);
        pod.setSpec(spec);
        LOG.debugf("%s/%s: creating pod %s (revision %s)", ns, stsName, podName, revision);
        try {
            client.pods().inNamespace(ns).resource(pod).create();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw e;
            }
            LOG.debugf("pod %s/%s already exists", ns, podName);
        }
    }

    /**
     * Creates the missing claims of one ordinal and keeps their ownerReferences as the
     * persistentVolumeClaimRetentionPolicy requires ("whenDeleted: Delete": owned by the StatefulSet;
     * "whenScaled: Delete": owned by the condemned pod).
     */
    private void ensureClaims(StatefulSet sts, int ordinal, Pod pod, boolean condemned) {
        String ns = sts.getMetadata().getNamespace();
        var policy = sts.getSpec().getPersistentVolumeClaimRetentionPolicy();
        boolean deleteWhenDeleted = policy != null && "Delete".equals(policy.getWhenDeleted());
        boolean deleteWhenScaled = policy != null && "Delete".equals(policy.getWhenScaled());
        for (PersistentVolumeClaim template : claimTemplates(sts)) {
            String name = claimName(template, sts.getMetadata().getName(), ordinal);
            PersistentVolumeClaim existing = pvcInformer.getStore().getByKey(ns + "/" + name);
            if (existing == null) {
                if (condemned) {
                    continue;
                }
                PersistentVolumeClaim claim = clone(template);
                claim.setApiVersion("v1");
                claim.setKind("PersistentVolumeClaim");
                ObjectMeta meta = claim.getMetadata();
                meta.setName(name);
                meta.setNamespace(ns);
                meta.setResourceVersion(null);
                meta.setUid(null);
                Map<String, String> labels = new LinkedHashMap<>(meta.getLabels() == null ? Map.of() : meta.getLabels());
                if (sts.getSpec().getSelector() != null && sts.getSpec().getSelector().getMatchLabels() != null) {
                    labels.putAll(sts.getSpec().getSelector().getMatchLabels());
                }
                meta.setLabels(labels);
                meta.setOwnerReferences(deleteWhenDeleted ? List.of(ownerRef(sts)) : List.of());
                claim.setStatus(null);
                LOG.debugf("%s/%s: creating claim %s", ns, sts.getMetadata().getName(), name);
                try {
                    client.persistentVolumeClaims().inNamespace(ns).resource(claim).create();
                } catch (KubernetesClientException e) {
                    if (e.getCode() != 409) {
                        throw e;
                    }
                }
                continue;
            }
            // the ownerReference matrix of the StatefulSet controller for the retention policy
            boolean wantSetOwner = deleteWhenDeleted && !(deleteWhenScaled && condemned);
            boolean wantPodOwner = deleteWhenScaled && condemned && pod != null;
            List<OwnerReference> refs = new ArrayList<>(existing.getMetadata().getOwnerReferences() == null
                    ? List.of() : existing.getMetadata().getOwnerReferences());
            boolean changed = false;
            boolean hasSet = refs.stream().anyMatch(r -> uid(sts).equals(r.getUid()));
            if (wantSetOwner && !hasSet) {
                refs.add(ownerRef(sts));
                changed = true;
            } else if (!wantSetOwner && hasSet) {
                refs.removeIf(r -> uid(sts).equals(r.getUid()));
                changed = true;
            }
            if (pod != null) {
                boolean hasPod = refs.stream().anyMatch(r -> uid(pod).equals(r.getUid()));
                if (wantPodOwner && !hasPod) {
                    refs.add(new OwnerReferenceBuilder().withApiVersion("v1").withKind("Pod")
                            .withName(pod.getMetadata().getName()).withUid(uid(pod)).build());
                    changed = true;
                } else if (!wantPodOwner && hasPod) {
                    refs.removeIf(r -> uid(pod).equals(r.getUid()));
                    changed = true;
                }
            }
            if (changed) {
                PersistentVolumeClaim copy = clone(existing);
                copy.getMetadata().setOwnerReferences(refs);
                LOG.debugf("%s: claim %s ownerReferences -> %s", key(sts), name,
                        refs.stream().map(r -> r.getKind() + "/" + r.getName()).toList());
                client.persistentVolumeClaims().inNamespace(ns).resource(copy).update();
            }
        }
    }

    private void updateStatus(StatefulSet sts, Map<Integer, Pod> owned, int replicas, String updateType,
                              String currentRevision, String updateRevision) {
        int created = 0;
        int ready = 0;
        int current = 0;
        int updated = 0;
        for (Pod pod : owned.values()) {
            created++;
            if (isRunningAndReady(pod)) {
                ready++;
            }
            if (!isTerminating(pod)) {
                String revision = label(pod, REVISION_LABEL);
                if (currentRevision.equals(revision)) {
                    current++;
                }
                if (updateRevision.equals(revision)) {
                    updated++;
                }
            }
        }
        String newCurrentRevision = currentRevision;
        int newCurrent = current;
        // a rolling update is complete when every pod runs the update revision and is ready
        if (!"OnDelete".equals(updateType) ? (updated == replicas && ready == replicas && created == replicas)
                : (updated == created && ready == replicas)) {
            newCurrentRevision = updateRevision;
            newCurrent = updated;
        }
        StatefulSetStatus old = sts.getStatus();
        StatefulSetStatus status = new StatefulSetStatusBuilder()
                .withObservedGeneration(sts.getMetadata().getGeneration())
                .withReplicas(created)
                .withReadyReplicas(ready)
                .withAvailableReplicas(ready)
                .withCurrentReplicas(newCurrent)
                .withUpdatedReplicas(updated)
                .withCurrentRevision(newCurrentRevision)
                .withUpdateRevision(updateRevision)
                .withCollisionCount(old == null || old.getCollisionCount() == null ? 0 : old.getCollisionCount())
                .build();
        if (old != null && Objects.equals(old.getObservedGeneration(), status.getObservedGeneration())
                && Objects.equals(old.getReplicas(), status.getReplicas())
                && Objects.equals(old.getReadyReplicas(), status.getReadyReplicas())
                && Objects.equals(old.getAvailableReplicas(), status.getAvailableReplicas())
                && Objects.equals(old.getCurrentReplicas(), status.getCurrentReplicas())
                && Objects.equals(old.getUpdatedReplicas(), status.getUpdatedReplicas())
                && Objects.equals(old.getCurrentRevision(), status.getCurrentRevision())
                && Objects.equals(old.getUpdateRevision(), status.getUpdateRevision())) {
            return;
        }
        StatefulSet copy = clone(sts);
        copy.setStatus(status);
        LOG.debugf("%s: status replicas=%d ready=%d current=%d updated=%d", key(sts), created, ready, newCurrent, updated);
        client.apps().statefulSets().inNamespace(sts.getMetadata().getNamespace()).resource(copy).updateStatus();
    }

    // ------------------------------------------------------------------ scheduler + kubelet + GC for pods

    private void reconcilePod(String key) {
        Pod pod = podInformer.getStore().getByKey(key);
        if (pod == null || isTerminating(pod)) {
            return;
        }
        String ns = pod.getMetadata().getNamespace();
        if (deletedNamespaces.contains(ns)) {
            deletePod(pod);
            return;
        }
        // garbage collector: a pod whose StatefulSet owner is gone is deleted (background cascading deletion)
        if (allOwnersGone(pod.getMetadata())) {
            // The cache may lag: an orphaning delete (--cascade=orphan) removes the pods' ownerReferences just
            // before the owner goes, and the pod and StatefulSet informers are not in step. Like the garbage
            // collector, look at the dependent afresh before deleting it.
            Pod fresh = client.pods().inNamespace(ns).withName(pod.getMetadata().getName()).get();
            if (fresh != null && Objects.equals(uid(fresh), uid(pod)) && allOwnersGone(fresh.getMetadata())) {
                LOG.debugf("%s: owner gone, deleting pod", key);
                deletePod(fresh);
            }
            return;
        }
        if (isFinished(pod)) {
            return;
        }
        long firstSeen = podFirstSeen.computeIfAbsent(uid(pod), u -> System.nanoTime());
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();

        if (pod.getSpec().getNodeName() == null) {
            String unschedulable = unschedulableReason(pod);
            if (unschedulable != null) {
                PodStatus status = new PodStatusBuilder().withPhase("Pending").withQosClass(qosClass(pod))
                        .withConditions(condition("PodScheduled", "False", "Unschedulable", unschedulable, now))
                        .build();
                writeStatus(pod, status);
                return;
            }
            for (String claim : claimNames(pod)) {
                PersistentVolumeClaim pvc = pvcInformer.getStore().getByKey(ns + "/" + claim);
                if (pvc == null || pvc.getStatus() == null || !"Bound".equals(pvc.getStatus().getPhase())) {
                    LOG.debugf("%s: waiting for claim %s to be bound", key, claim);
                    enqueueLater("pod:" + key, REQUEUE_ERROR);
                    return; // the claim's events enqueue this pod again
                }
            }
            // bind the pod to the single node (the scheduler's binding) and report it scheduled
            Pod copy = clone(pod);
            copy.getSpec().setNodeName(NODE_NAME);
            copy.setStatus(desiredStatus(pod, firstSeen, now));
            LOG.debugf("%s: scheduled on %s", key, NODE_NAME);
            client.pods().inNamespace(ns).resource(copy).update();
            return;
        }
        PodStatus desired = desiredStatus(pod, firstSeen, now);
        writeStatus(pod, desired);
    }

    /** What the kubelet reports for a scheduled pod, given how long ago it was created. */
    private PodStatus desiredStatus(Pod pod, long firstSeenNanos, String now) {
        Duration age = Duration.ofNanos(System.nanoTime() - firstSeenNanos);
        String startTime = pod.getStatus() != null && pod.getStatus().getStartTime() != null ? pod.getStatus().getStartTime() : now;
        String key = key(pod);
        List<Container> containers = pod.getSpec().getContainers() == null ? List.of() : pod.getSpec().getContainers();
        boolean pullFails = containers.stream().anyMatch(c -> c.getImage() != null && settings.unpullableImage().test(c.getImage()));
        PodStatusBuilder status = new PodStatusBuilder().withHostIP("10.0.0.10")
                .withHostIPs(new io.fabric8.kubernetes.api.model.HostIPBuilder().withIp("10.0.0.10").build())
                .withStartTime(startTime).withQosClass(qosClass(pod));
        if (pullFails) {
            // the kubelet reports ErrImagePull, then backs off: ImagePullBackOff; the pod never becomes Ready
            boolean backOff = age.compareTo(IMAGE_PULL_BACKOFF) >= 0;
            if (!backOff) {
                enqueueLater("pod:" + key, IMAGE_PULL_BACKOFF.minus(age));
            }
            List<ContainerStatus> statuses = new ArrayList<>();
            for (Container c : containers) {
                boolean bad = c.getImage() != null && settings.unpullableImage().test(c.getImage());
                String reason = bad ? (backOff ? "ImagePullBackOff" : "ErrImagePull") : "ContainerCreating";
                String message = !bad ? null : backOff
                        ? "Back-off pulling image \"" + c.getImage() + "\""
                        : "failed to pull and unpack image \"" + c.getImage() + "\": not found (sandbox: image marked unpullable)";
                statuses.add(new ContainerStatusBuilder().withName(c.getName()).withImage(c.getImage()).withImageID("")
                        .withReady(false).withStarted(false).withRestartCount(0)
                        .withNewState().withNewWaiting().withReason(reason).withMessage(message).endWaiting().endState()
                        .build());
            }
            return status.withPhase("Pending")
                    .withConditions(
                            condition("PodReadyToStartContainers", "True", null, null, now),
                            condition("Initialized", "True", null, null, now),
                            condition("Ready", "False", "ContainersNotReady", "containers with unready status: " + names(containers), now),
                            condition("ContainersReady", "False", "ContainersNotReady", "containers with unready status: " + names(containers), now),
                            condition("PodScheduled", "True", null, null, now))
                    .withContainerStatuses(statuses).build();
        }
        if (age.compareTo(settings.podReadyDelay()) < 0) {
            enqueueLater("pod:" + key, settings.podReadyDelay().minus(age));
            List<ContainerStatus> statuses = containers.stream().map(c -> new ContainerStatusBuilder()
                    .withName(c.getName()).withImage(c.getImage()).withImageID("").withReady(false).withStarted(false)
                    .withRestartCount(0).withNewState().withNewWaiting().withReason("ContainerCreating").endWaiting().endState()
                    .build()).toList();
            return status.withPhase("Pending")
                    .withConditions(
                            condition("PodReadyToStartContainers", "False", null, null, now),
                            condition("Initialized", "True", null, null, now),
                            condition("Ready", "False", "ContainersNotReady", "containers with unready status: " + names(containers), now),
                            condition("ContainersReady", "False", "ContainersNotReady", "containers with unready status: " + names(containers), now),
                            condition("PodScheduled", "True", null, null, now))
                    .withContainerStatuses(statuses).build();
        }
        String ip = pod.getStatus() != null && pod.getStatus().getPodIP() != null ? pod.getStatus().getPodIP() : nextPodIp();
        List<ContainerStatus> statuses = containers.stream().map(c -> new ContainerStatusBuilder()
                .withName(c.getName()).withImage(c.getImage()).withImageID("sandbox://" + c.getImage())
                .withContainerID("containerd://" + Integer.toHexString(Objects.hash(uid(pod), c.getName())))
                .withReady(true).withStarted(true).withRestartCount(0)
                .withNewState().withNewRunning().withStartedAt(now).endRunning().endState()
                .build()).toList();
        return status.withPhase("Running").withPodIP(ip).withPodIPs(new PodIPBuilder().withIp(ip).build())
                .withConditions(
                        condition("PodReadyToStartContainers", "True", null, null, now),
                        condition("Initialized", "True", null, null, now),
                        condition("Ready", "True", null, null, now),
                        condition("ContainersReady", "True", null, null, now),
                        condition("PodScheduled", "True", null, null, now))
                .withContainerStatuses(statuses).build();
    }

    private void writeStatus(Pod pod, PodStatus desired) {
        if (PodStatusSignature.of(pod.getStatus()).equals(PodStatusSignature.of(desired))) {
            return;
        }
        // keep the transition times of conditions that did not change
        if (pod.getStatus() != null && pod.getStatus().getConditions() != null) {
            for (PodCondition c : desired.getConditions()) {
                pod.getStatus().getConditions().stream()
                        .filter(o -> o.getType().equals(c.getType()) && Objects.equals(o.getStatus(), c.getStatus()))
                        .findFirst().ifPresent(o -> c.setLastTransitionTime(o.getLastTransitionTime()));
            }
        }
        Pod copy = clone(pod);
        copy.setStatus(desired);
        LOG.debugf("%s: status %s", key(pod), PodStatusSignature.of(desired));
        client.pods().inNamespace(pod.getMetadata().getNamespace()).resource(copy).updateStatus();
    }

    private String unschedulableReason(Pod pod) {
        BigDecimal cpu = BigDecimal.ZERO;
        for (Container c : pod.getSpec().getContainers() == null ? List.<Container>of() : pod.getSpec().getContainers()) {
            Quantity q = cpuRequest(c);
            if (q != null) {
                cpu = cpu.add(Quantity.getAmountInBytes(q));
            }
        }
        if (cpu.compareTo(BigDecimal.valueOf(settings.nodeCpuCores())) > 0) {
            return "0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: "
                    + "1 No preemption victims found for incoming pod.";
        }
        // A claim not (yet) in the cache is not a reason to give up: the controller creates claims before pods,
        // and the real scheduler retries such a pod; the caller waits for the claim to be Bound.
        return null;
    }

    private static Quantity cpuRequest(Container c) {
        if (c.getResources() == null) {
            return null;
        }
        if (c.getResources().getRequests() != null && c.getResources().getRequests().get("cpu") != null) {
            return c.getResources().getRequests().get("cpu");
        }
        // a container that sets only a limit gets a request equal to it
        return c.getResources().getLimits() == null ? null : c.getResources().getLimits().get("cpu");
    }

    private static String qosClass(Pod pod) {
        boolean any = false;
        boolean guaranteed = true;
        for (Container c : pod.getSpec().getContainers() == null ? List.<Container>of() : pod.getSpec().getContainers()) {
            var r = c.getResources();
            boolean hasReq = r != null && r.getRequests() != null && !r.getRequests().isEmpty();
            boolean hasLim = r != null && r.getLimits() != null && !r.getLimits().isEmpty();
            any |= hasReq || hasLim;
            guaranteed &= hasLim && r.getLimits().containsKey("cpu") && r.getLimits().containsKey("memory")
                    && (r.getRequests() == null || Objects.equals(r.getRequests(), r.getLimits())
                    || r.getRequests().isEmpty());
        }
        return !any ? "BestEffort" : guaranteed ? "Guaranteed" : "Burstable";
    }

    private String nextPodIp() {
        int n = podIps.getAndIncrement();
        return "10.244." + (n / 250) % 250 + "." + (n % 250 + 2);
    }

    // ------------------------------------------------------------------ PVC binder + GC for claims

    private void reconcileClaim(String key) {
        PersistentVolumeClaim pvc = pvcInformer.getStore().getByKey(key);
        if (pvc == null || pvc.getMetadata().getDeletionTimestamp() != null) {
            return;
        }
        String ns = pvc.getMetadata().getNamespace();
        if (deletedNamespaces.contains(ns)) {
            deleteClaim(pvc);
            return;
        }
        // garbage collector: retention policy Delete made the StatefulSet or the condemned pod its owner
        if (allOwnersGone(pvc.getMetadata())) {
            // afresh, as for pods: an orphaning delete may have removed the ownerReferences the cache still shows
            PersistentVolumeClaim fresh = client.persistentVolumeClaims().inNamespace(ns).withName(pvc.getMetadata().getName()).get();
            if (fresh != null && Objects.equals(uid(fresh), uid(pvc)) && allOwnersGone(fresh.getMetadata())) {
                LOG.debugf("%s: owners gone, deleting claim", key);
                deleteClaim(fresh);
            }
            return;
        }
        if (pvc.getStatus() != null && "Bound".equals(pvc.getStatus().getPhase())) {
            return;
        }
        // dynamic provisioning: a volume appears for the claim (the caller creates its database) and binds
        if (!notifiedClaims.contains(uid(pvc))) {
            volumes.claimCreated(pvc);
            notifiedClaims.add(uid(pvc));
        }
        var requests = pvc.getSpec() == null || pvc.getSpec().getResources() == null ? null : pvc.getSpec().getResources().getRequests();
        Map<String, Quantity> capacity = new HashMap<>();
        if (requests != null && requests.get("storage") != null) {
            capacity.put("storage", requests.get("storage"));
        }
        PersistentVolumeClaim copy = clone(pvc);
        if (copy.getSpec() != null && copy.getSpec().getVolumeName() == null) {
            copy.getSpec().setVolumeName("pvc-" + uid(pvc));
        }
        copy.setStatus(new PersistentVolumeClaimStatusBuilder().withPhase("Bound")
                .withAccessModes(pvc.getSpec() == null ? List.of() : pvc.getSpec().getAccessModes())
                .withCapacity(capacity).build());
        LOG.debugf("%s: bound to %s", key, copy.getSpec() == null ? null : copy.getSpec().getVolumeName());
        // the mock server stores status sent with a plain update (a real API server would not)
        client.persistentVolumeClaims().inNamespace(ns).resource(copy).update();
    }

    private void notifyDeleted(PersistentVolumeClaim pvc) {
        String uid = uid(pvc);
        if (uid == null || !deletedClaims.add(uid)) {
            return;
        }
        notifiedClaims.remove(uid);
        try {
            volumes.claimDeleted(pvc);
        } catch (RuntimeException e) {
            LOG.warnf(e, "claimDeleted failed for %s", key(pvc));
        }
    }

    // ------------------------------------------------------------------ namespace controller

    private void reconcileDeletedNamespace(String name) {
        if (!deletedNamespaces.contains(name)) {
            return;
        }
        // "When you delete a namespace, ... all objects in it are deleted": the mock server removes only the
        // Namespace object, so the simulator empties it.
        LOG.debugf("namespace %s deleted, deleting its contents", name);
        client.apps().statefulSets().inNamespace(name).delete();
        client.pods().inNamespace(name).delete();
        client.persistentVolumeClaims().inNamespace(name).delete();
        client.services().inNamespace(name).delete();
        client.secrets().inNamespace(name).delete();
        client.configMaps().inNamespace(name).delete();
        client.serviceAccounts().inNamespace(name).delete();
        client.rbac().roles().inNamespace(name).delete();
        client.rbac().roleBindings().inNamespace(name).delete();
        client.resourceQuotas().inNamespace(name).delete();
        client.limitRanges().inNamespace(name).delete();
        client.network().networkPolicies().inNamespace(name).delete();
        client.apps().controllerRevisions().inNamespace(name).delete();
        client.endpoints().inNamespace(name).delete();
        client.v1().events().inNamespace(name).delete();
        // objects created concurrently while we deleted: the resync looks again later
    }

    // ------------------------------------------------------------------ helpers

    private void deletePod(Pod pod) {
        client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName()).delete();
    }

    private void deleteClaim(PersistentVolumeClaim pvc) {
        client.persistentVolumeClaims().inNamespace(pvc.getMetadata().getNamespace())
                .withName(pvc.getMetadata().getName()).delete();
    }

    /** True when the object has ownerReferences to kinds we track and every one of those owners is gone. */
    private boolean allOwnersGone(ObjectMeta meta) {
        List<OwnerReference> refs = meta.getOwnerReferences();
        if (refs == null || refs.isEmpty()) {
            return false;
        }
        for (OwnerReference ref : refs) {
            String ownerKey = meta.getNamespace() + "/" + ref.getName();
            HasMetadata owner;
            if ("StatefulSet".equals(ref.getKind())) {
                owner = stsInformer.getStore().getByKey(ownerKey);
            } else if ("Pod".equals(ref.getKind())) {
                owner = podInformer.getStore().getByKey(ownerKey);
            } else {
                return false; // an owner we do not track: assume it lives
            }
            if (owner != null && Objects.equals(uid(owner), ref.getUid())) {
                return false;
            }
        }
        return true;
    }

    private static boolean ownedBy(ObjectMeta meta, String ownerUid) {
        return meta.getOwnerReferences() != null && meta.getOwnerReferences().stream().anyMatch(r -> Objects.equals(ownerUid, r.getUid()));
    }

    private static OwnerReference controllerRef(ObjectMeta meta) {
        if (meta.getOwnerReferences() == null) {
            return null;
        }
        return meta.getOwnerReferences().stream().filter(r -> Boolean.TRUE.equals(r.getController())).findFirst().orElse(null);
    }

    private static OwnerReference ownerRef(StatefulSet sts) {
        return new OwnerReferenceBuilder().withApiVersion("apps/v1").withKind("StatefulSet")
                .withName(sts.getMetadata().getName()).withUid(sts.getMetadata().getUid())
                .withController(true).withBlockOwnerDeletion(true).build();
    }

    private static List<PersistentVolumeClaim> claimTemplates(StatefulSet sts) {
        return sts.getSpec().getVolumeClaimTemplates() == null ? List.of() : sts.getSpec().getVolumeClaimTemplates();
    }

    /** "The PersistentVolumeClaims ... are named <volumeClaimTemplate name>-<StatefulSet name>-<ordinal>". */
    static String claimName(PersistentVolumeClaim template, String stsName, int ordinal) {
        return template.getMetadata().getName() + "-" + stsName + "-" + ordinal;
    }

    private static List<String> claimNames(Pod pod) {
        if (pod.getSpec() == null || pod.getSpec().getVolumes() == null) {
            return List.of();
        }
        return pod.getSpec().getVolumes().stream().filter(v -> v.getPersistentVolumeClaim() != null)
                .map(v -> v.getPersistentVolumeClaim().getClaimName()).toList();
    }

    /** "Each Pod in a StatefulSet derives its hostname from the name of the StatefulSet and the ordinal". */
    static Integer ordinal(String stsName, String podName) {
        if (podName == null || !podName.startsWith(stsName + "-")) {
            return null;
        }
        String suffix = podName.substring(stsName.length() + 1);
        if (suffix.isEmpty() || suffix.length() > 9 || !suffix.chars().allMatch(Character::isDigit)
                || (suffix.length() > 1 && suffix.startsWith("0"))) {
            return null;
        }
        return Integer.parseInt(suffix);
    }

    private static boolean isTerminating(HasMetadata obj) {
        return obj.getMetadata().getDeletionTimestamp() != null;
    }

    private static boolean isFinished(Pod pod) {
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        return "Failed".equals(phase) || "Succeeded".equals(phase);
    }

    static boolean isRunningAndReady(Pod pod) {
        if (pod.getStatus() == null || !"Running".equals(pod.getStatus().getPhase()) || isTerminating(pod)) {
            return false;
        }
        return pod.getStatus().getConditions() != null && pod.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    private static PodCondition condition(String type, String status, String reason, String message, String now) {
        return new PodConditionBuilder().withType(type).withStatus(status).withReason(reason).withMessage(message)
                .withLastTransitionTime(now).withLastProbeTime(null).build();
    }

    private static String names(List<Container> containers) {
        return "[" + String.join(" ", containers.stream().map(Container::getName).toList()) + "]";
    }

    private static String label(HasMetadata obj, String label) {
        return obj.getMetadata().getLabels() == null ? null : obj.getMetadata().getLabels().get(label);
    }

    private static String key(HasMetadata obj) {
        return obj.getMetadata().getNamespace() + "/" + obj.getMetadata().getName();
    }

    private static String uid(HasMetadata obj) {
        return obj.getMetadata().getUid();
    }

    private <T> T clone(T obj) {
        return client.getKubernetesSerialization().clone(obj);
    }

    /** A stable hash of the pod template, encoded like the controller's revision names (FNV-1a, safe alphabet). */
    private String revisionHash(PodTemplateSpec template) {
        byte[] bytes = client.getKubernetesSerialization().asJson(template).getBytes(StandardCharsets.UTF_8);
        int hash = 0x811c9dc5;
        for (byte b : bytes) {
            hash ^= (b & 0xff);
            hash *= 0x01000193;
        }
        String alphabet = "bcdfghjklmnpqrstvwxz2456789";
        long value = hash & 0xffffffffL;
        StringBuilder out = new StringBuilder();
        do {
            out.append(alphabet.charAt((int) (value % alphabet.length())));
            value /= alphabet.length();
        } while (value > 0);
        return out.toString();
    }
}
