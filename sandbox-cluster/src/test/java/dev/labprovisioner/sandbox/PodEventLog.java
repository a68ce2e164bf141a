package dev.labprovisioner.sandbox;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** Pod events in the order the API reported them, as "add ns/pod", "ready ns/pod", "delete ns/pod": what ordering tests read. */
final class PodEventLog implements ResourceEventHandler<Pod>, AutoCloseable {

    final List<String> events = new CopyOnWriteArrayList<>();
    private final Set<String> readySeen = ConcurrentHashMap.newKeySet();
    private SharedIndexInformer<Pod> informer;

    static PodEventLog watching(KubernetesClient client) {
        var log = new PodEventLog();
        log.informer = client.pods().inAnyNamespace().inform(log);
        return log;
    }

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

    static String key(Pod pod) {
        return pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
    }

    @Override
    public void close() {
        if (informer != null) {
            informer.close();
        }
    }
}
