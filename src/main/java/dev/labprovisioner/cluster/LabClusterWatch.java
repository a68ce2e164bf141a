package dev.labprovisioner.cluster;

import dev.labprovisioner.lab.LabChanged;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * One set of shared informers for all labs (not a watch per lab): StatefulSets, pods and PVCs in any
 * namespace, and the namespaces that carry our managed-by label. Their caches answer readiness and checkpoint
 * questions without API requests; their events wake the reconciler and feed the timeline.
 * <p>
 * Pods, PVCs and StatefulSets are not filtered by our label: a learner who re-creates the StatefulSet from
 * their own manifest makes pods without it, and the checks must still see them. (On a cluster shared with
 * other workloads this caches their pods too; labs are meant to run on a cluster of their own.)
 */
@ApplicationScoped
public class LabClusterWatch {

    private static final Logger LOG = Logger.getLogger(LabClusterWatch.class);

    private final KubernetesClient client;
    private final Event<LabChanged> changed;
    private volatile SharedIndexInformer<StatefulSet> statefulSets;
    private volatile SharedIndexInformer<Pod> pods;
    private volatile SharedIndexInformer<Namespace> namespaces;
    private volatile SharedIndexInformer<PersistentVolumeClaim> claims;
    private volatile SharedIndexInformer<Service> services;

    LabClusterWatch(KubernetesClient client, Event<LabChanged> changed) {
        this.client = client;
        this.changed = changed;
    }

    void start(@Observes @Priority(10) StartupEvent ignored) {
        statefulSets = lean(client.apps().statefulSets().inAnyNamespace(), new Wake<>());
        pods = lean(client.pods().inAnyNamespace(), new Wake<>());
        claims = lean(client.persistentVolumeClaims().inAnyNamespace(), new Wake<>());
        // The checks read the headless Service; from a cache, like everything else they read.
        services = lean(client.services().inAnyNamespace(), null);
        namespaces = lean(client.namespaces().withLabel(LabNames.MANAGED_BY_LABEL, LabNames.MANAGED_BY), new Wake<>());
        LOG.info("Watching StatefulSets, pods, PVCs and lab namespaces with shared informers");
    }

    /** An informer whose cache keeps objects without their managedFields (LeanItemStore), started. */
    private static <T extends HasMetadata> SharedIndexInformer<T> lean(io.fabric8.kubernetes.client.dsl.Informable<T> source,
                                                                      ResourceEventHandler<? super T> handler) {
        SharedIndexInformer<T> informer = source.runnableInformer(0).itemStore(new LeanItemStore<>());
        if (handler != null) {
            informer.addEventHandler(handler);
        }
        informer.start();
        return informer;
    }

    void stop(@Observes ShutdownEvent ignored) {
        for (var informer : java.util.Arrays.asList(statefulSets, pods, claims, services, namespaces)) {
            if (informer != null) {
                informer.stop();
            }
        }
    }

    public boolean synced() {
        return statefulSets != null && statefulSets.hasSynced() && pods.hasSynced() && claims.hasSynced() && services.hasSynced()
                && namespaces.hasSynced();
    }

    /** Every informer's watch is open: false while the API server is unreachable (the informers re-list and re-watch when it is back). */
    public boolean watching() {
        return synced() && statefulSets.isWatching() && pods.isWatching() && claims.isWatching() && services.isWatching()
                && namespaces.isWatching();
    }

    public LabObservation observe(String namespace) {
        StatefulSet sts = statefulSets.getIndexer().getByKey(Cache.namespaceKeyFunc(namespace, LabNames.STATEFULSET));
        Collection<Pod> inNamespace = pods.getIndexer().byIndex(Cache.NAMESPACE_INDEX, namespace);
        return LabObservation.of(sts, inNamespace);
    }

    public Optional<StatefulSet> statefulSet(String namespace, String name) {
        return Optional.ofNullable(statefulSets.getIndexer().getByKey(Cache.namespaceKeyFunc(namespace, name)));
    }

    public Optional<Pod> pod(String namespace, String name) {
        return Optional.ofNullable(pods.getIndexer().getByKey(Cache.namespaceKeyFunc(namespace, name)));
    }

    public List<Pod> pods(String namespace) {
        return pods.getIndexer().byIndex(Cache.NAMESPACE_INDEX, namespace);
    }

    public Optional<PersistentVolumeClaim> claim(String namespace, String name) {
        return Optional.ofNullable(claims.getIndexer().getByKey(Cache.namespaceKeyFunc(namespace, name)));
    }

    public Optional<Service> service(String namespace, String name) {
        return Optional.ofNullable(services.getIndexer().getByKey(Cache.namespaceKeyFunc(namespace, name)));
    }

    public List<PersistentVolumeClaim> claims(String namespace) {
        return claims.getIndexer().byIndex(Cache.NAMESPACE_INDEX, namespace);
    }

    /** The informers whose events make a lab's timeline: StatefulSets, pods and PVCs. */
    public void addTimelineHandlers(ResourceEventHandler<StatefulSet> onStatefulSet, ResourceEventHandler<Pod> onPod,
                                    ResourceEventHandler<PersistentVolumeClaim> onClaim) {
        statefulSets.addEventHandler(onStatefulSet);
        pods.addEventHandler(onPod);
        claims.addEventHandler(onClaim);
    }

    /** Namespaces labelled as ours, as last seen. */
    public List<Namespace> labNamespaces() {
        return namespaces.getStore().list();
    }

    /**
     * Wakes a lab's reconciler only for events that can change what it decides (readiness reached or lost,
     * a pod failing for good, something deleted), not for every status write on the way: with a thousand
     * labs starting, most events are intermediate.
     */
    private final class Wake<T extends HasMetadata> implements ResourceEventHandler<T> {
        @Override
        public void onAdd(T obj) {
            // Our own writes while applying: nothing to decide yet, unless a pod arrives already failing.
            if (obj instanceof Pod pod && LabObservation.failureOf(pod).isPresent()) {
                wake(obj);
            }
        }

        @Override
        public void onUpdate(T oldObj, T newObj) {
            if (newObj instanceof StatefulSet sts) {
                if (readyReplicas((StatefulSet) oldObj) != readyReplicas(sts)
                        || !java.util.Objects.equals(sts.getSpec().getReplicas(), ((StatefulSet) oldObj).getSpec().getReplicas())) {
                    wake(newObj);
                }
            } else if (newObj instanceof Pod pod) {
                if (LabObservation.failureOf(pod).isPresent() && LabObservation.failureOf((Pod) oldObj).isEmpty()) {
                    wake(newObj);
                }
            } else if (newObj.getMetadata().getDeletionTimestamp() != null && oldObj.getMetadata().getDeletionTimestamp() == null) {
                wake(newObj);
            }
        }

        @Override
        public void onDelete(T obj, boolean deletedFinalStateUnknown) {
            wake(obj);
        }

        private void wake(T obj) {
            String id = obj.getMetadata().getLabels() == null ? null : obj.getMetadata().getLabels().get(LabNames.LAB_ID_LABEL);
            if (id == null) {
                return;
            }
            try {
                changed.fire(new LabChanged(UUID.fromString(id)));
            } catch (IllegalArgumentException e) {
                LOG.debugf("Ignoring %s %s with a malformed lab id label", obj.getKind(), obj.getMetadata().getName());
            }
        }
    }

    private static int readyReplicas(StatefulSet sts) {
        return sts.getStatus() == null || sts.getStatus().getReadyReplicas() == null ? 0 : sts.getStatus().getReadyReplicas();
    }
}
