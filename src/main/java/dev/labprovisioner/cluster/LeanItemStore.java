package dev.labprovisioner.cluster;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;

/**
 * What the shared informers keep of each object: all of it but the bookkeeping no check reads, the
 * {@code managedFields} a real API server adds to every object (a deep map per field manager) and kubectl's
 * {@code last-applied-configuration} annotation (the whole object again, as JSON). On the control plane those made a
 * service with a 128 MB heap run out of memory after about a thousand labs; the imitation never sent them.
 */
final class LeanItemStore<T extends HasMetadata> extends BasicItemStore<T> {

    static final String LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

    LeanItemStore() {
        super(Cache::metaNamespaceKeyFunc);
    }

    @Override
    public T put(String key, T item) {
        var meta = item.getMetadata();
        if (meta != null) {
            meta.setManagedFields(null);
            if (meta.getAnnotations() != null) {
                meta.getAnnotations().remove(LAST_APPLIED);
            }
        }
        return super.put(key, item);
    }
}
