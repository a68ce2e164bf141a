package dev.labprovisioner.lab;

import dev.labprovisioner.Api;
import dev.labprovisioner.cluster.LabNames;
import dev.labprovisioner.reconcile.LabReconciler;
import dev.labprovisioner.sandbox.SandboxControls;
import dev.labprovisioner.sandboxclient.RunningSandbox;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static dev.labprovisioner.Api.as;
import static dev.labprovisioner.Api.awaitState;
import static dev.labprovisioner.Api.createLab;
import static dev.labprovisioner.Api.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

@QuarkusTest
class LabResilienceTests {

    @Inject
    KubernetesClient k8s;

    @Inject
    LabReconciler reconciler;

    @Test
    void labsConvergeWithoutDuplicatesWhenAFifthOfKubernetesWritesFail() {
        SandboxControls api = RunningSandbox.controls();
        String lms = Api.lmsClient();
        String course = unique("flaky");
        long faultsBefore = api.stats().injectedFaults();
        api.injectWriteFaults(0.2, Duration.ofMillis(1500));
        try {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                ids.add(createLab(lms, "learner-" + i, course).statusCode(202).extract().path("id"));
            }
            for (String id : ids) {
                awaitState(lms, id, "READY", Duration.ofSeconds(120));
            }
            assertThat(api.stats().injectedFaults() - faultsBefore).isPositive();
            for (String id : ids) {
                assertThat(k8s.namespaces().withLabel(LabNames.LAB_ID_LABEL, id).list().getItems()).hasSize(1);
                String ns = as(lms).get("/api/v1/labs/" + id).then().extract().path("namespace");
                assertThat(k8s.apps().statefulSets().inNamespace(ns).list().getItems()).hasSize(1);
                assertThat(k8s.pods().inNamespace(ns).list().getItems()).hasSize(1);
                assertThat(k8s.persistentVolumeClaims().inNamespace(ns).list().getItems()).hasSize(1);
            }
            as(lms).queryParam("courseId", course).get("/api/v1/labs").then().body("total", equalTo(8));

            // Teardown under the same faults: every namespace goes, every lab ends DELETED.
            for (String id : ids) {
                as(lms).delete("/api/v1/labs/" + id).then().statusCode(202);
            }
            for (String id : ids) {
                awaitState(lms, id, "DELETED", Duration.ofSeconds(120));
                assertThat(k8s.namespaces().withLabel(LabNames.LAB_ID_LABEL, id).list().getItems()).isEmpty();
            }
        } finally {
            api.injectWriteFaults(0, Duration.ZERO);
        }
    }

    @Test
    void aLabLeftHalfProvisionedByACrashedReplicaConverges() {
        String lms = Api.lmsClient();
        reconciler.pause(true);
        String id;
        String ns;
        try {
            var created = createLab(lms, unique("learner"), null).statusCode(202).extract();
            id = created.path("id");
            ns = created.path("namespace");
            // What a replica that died mid-way leaves: the namespace made, the rest not, its lease still on the row.
            k8s.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns)
                    .addToLabels(LabNames.MANAGED_BY_LABEL, LabNames.MANAGED_BY).addToLabels(LabNames.LAB_ID_LABEL, id)
                    .endMetadata().build()).create();
            UUID labId = UUID.fromString(id);
            QuarkusTransaction.requiringNew().run(() -> {
                Lab.getEntityManager().createNativeQuery("""
                                UPDATE labs SET state = 'PROVISIONING', provisioning_started_at = now(),
                                       lease_owner = 'replica-that-crashed', lease_until = now() + interval '500 milliseconds'
                                WHERE id = :id""").setParameter("id", labId).executeUpdate();
            });
        } finally {
            reconciler.pause(false);
        }
        awaitState(lms, id, "READY");
        assertThat(k8s.namespaces().withLabel(LabNames.LAB_ID_LABEL, id).list().getItems()).hasSize(1);
        assertThat(k8s.apps().statefulSets().inNamespace(ns).withName("postgres").get()).isNotNull();
        assertThat(k8s.secrets().inNamespace(ns).withName(LabNames.POSTGRES_SECRET).get()).isNotNull();
    }

    @Test
    void anImageThatCannotBePulledFailsFastWithAReason() {
        String lms = Api.lmsClient();
        String id = createLab(lms, unique("learner"), null, "broken-image").statusCode(202).extract().path("id");
        awaitState(lms, id, "FAILED", Duration.ofSeconds(20));
        as(lms).get("/api/v1/labs/" + id).then()
                .body("failureReason", containsString("cannot be pulled"))
                .body("failureReason", containsString("registry.invalid/postgres:does-not-exist"));

        // Retry goes round again (and fails again: the image is still missing); a READY lab cannot be retried.
        as(lms).post("/api/v1/labs/" + id + "/retry").then().statusCode(200).body("state", equalTo("REQUESTED"));
        awaitState(lms, id, "FAILED", Duration.ofSeconds(20));
        String ok = createLab(lms, unique("learner"), null).statusCode(202).extract().path("id");
        as(lms).post("/api/v1/labs/" + ok + "/retry").then().statusCode(409).contentType("application/problem+json");
    }

    @Test
    void aPodNoNodeCanHoldFailsFastWithAReason() {
        String lms = Api.lmsClient();
        String id = createLab(lms, unique("learner"), null, "too-big").statusCode(202).extract().path("id");
        awaitState(lms, id, "FAILED", Duration.ofSeconds(20));
        as(lms).get("/api/v1/labs/" + id).then().body("failureReason", containsString("cannot be scheduled"));
        // A FAILED lab keeps its namespace until deleted, and then it goes.
        as(lms).delete("/api/v1/labs/" + id).then().statusCode(202);
        awaitState(lms, id, "DELETED");
    }

    @Test
    void aNamespaceLabelledAsOursThatNoLabOwnsIsSwept() {
        String orphan = "lab-" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        k8s.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(orphan)
                .addToLabels(LabNames.MANAGED_BY_LABEL, LabNames.MANAGED_BY)
                .addToLabels(LabNames.LAB_ID_LABEL, UUID.randomUUID().toString()).endMetadata().build()).create();
        String unrelated = "team-" + UUID.randomUUID().toString().substring(0, 8);
        k8s.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(unrelated).endMetadata().build()).create();
        await().atMost(Duration.ofSeconds(15)).until(() -> k8s.namespaces().withName(orphan).get() == null);
        assertThat(k8s.namespaces().withName(unrelated).get()).isNotNull();
    }
}
