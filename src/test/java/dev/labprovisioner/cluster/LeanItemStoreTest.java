package dev.labprovisioner.cluster;

import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The informers' caches keep what the checks read, not the API server's bookkeeping. */
class LeanItemStoreTest {

    @Test
    void managedFieldsAndTheLastAppliedCopyAreNotKeptAndEverythingElseIs() {
        Pod pod = new PodBuilder().withNewMetadata().withName("postgres-0").withNamespace("lab-1").withUid("u1")
                .addToLabels("app.kubernetes.io/name", "postgres")
                .addToAnnotations(LeanItemStore.LAST_APPLIED, "{\"kind\":\"Pod\"}").addToAnnotations("note", "kept")
                .withManagedFields(new ManagedFieldsEntryBuilder().withManager("kube-controller-manager").withOperation("Update").build())
                .endMetadata().withNewSpec().addNewContainer().withName("postgres").withImage("postgres:17").endContainer().endSpec().build();
        var store = new LeanItemStore<Pod>();
        store.put(store.getKey(pod), pod);

        Pod kept = store.get("lab-1/postgres-0");
        assertThat(kept.getMetadata().getManagedFields()).isNullOrEmpty();
        assertThat(kept.getMetadata().getAnnotations()).doesNotContainKey(LeanItemStore.LAST_APPLIED).containsEntry("note", "kept");
        assertThat(kept.getMetadata().getUid()).isEqualTo("u1");
        assertThat(kept.getMetadata().getLabels()).containsEntry("app.kubernetes.io/name", "postgres");
        assertThat(kept.getSpec().getContainers().get(0).getImage()).isEqualTo("postgres:17");
    }
}
