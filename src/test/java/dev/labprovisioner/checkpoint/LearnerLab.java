package dev.labprovisioner.checkpoint;

import dev.labprovisioner.Api;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;

/**
 * A lab as its learner uses it: a Kubernetes client built from the kubeconfig the learner downloads, the
 * sandbox SQL endpoint for "psql", and the checks through the LMS API and the learner link.
 */
final class LearnerLab implements AutoCloseable {

    static final Duration SETTLE = Duration.ofSeconds(30);

    final String lms;
    final String id;
    final String token;
    final String namespace;
    final KubernetesClient kube;

    private LearnerLab(String lms, String id, String token, String namespace, KubernetesClient kube) {
        this.lms = lms;
        this.id = id;
        this.token = token;
        this.namespace = namespace;
        this.kube = kube;
    }

    static LearnerLab ready(String lms) {
        var created = Api.createLab(lms, Api.unique("learner"), "checkpoints").statusCode(202).extract();
        String id = created.path("id");
        String url = created.path("learnerUrl");
        Api.awaitState(lms, id, "READY");
        String token = url.substring(url.lastIndexOf('/') + 1);
        String kubeconfig = given().get("/learn/" + token + "/kubeconfig").then().statusCode(200).extract().asString();
        var kube = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(kubeconfig)).build();
        return new LearnerLab(lms, id, token, created.path("namespace"), kube);
    }

    ValidatableResponse sql(String pod, String sql) {
        return given().contentType(ContentType.TEXT).accept(ContentType.JSON).body(sql)
                .post("/learn/" + token + "/pods/" + pod + "/sql").then();
    }

    void writeNotes() {
        sql("postgres-0", "CREATE TABLE notes (id int PRIMARY KEY, body text); INSERT INTO notes VALUES (1, 'one'), (2, 'two'), (3, 'three')")
                .statusCode(200);
    }

    ValidatableResponse validate(String checkpoint) {
        return Api.as(lms).post("/api/v1/labs/" + id + "/checkpoints/" + checkpoint + "/validate").then();
    }

    /** The opt-in check that acts: the service does the learner's action itself, then judges. */
    ValidatableResponse validateActing(String checkpoint) {
        return Api.as(lms).queryParam("act", true).post("/api/v1/labs/" + id + "/checkpoints/" + checkpoint + "/validate").then();
    }

    /** Presses "Check" until the checkpoint shows {@code status}: the informers see the cluster a moment after the learner does. */
    ValidatableResponse awaitStatus(String checkpoint, String status) {
        await().atMost(SETTLE).pollInterval(Duration.ofMillis(200))
                .until(() -> status.equals(validate(checkpoint).statusCode(200).extract().path("status")));
        return Api.as(lms).get("/api/v1/labs/" + id + "/progress").then().statusCode(200);
    }

    String message(String checkpoint) {
        return validate(checkpoint).statusCode(200).extract().path("message");
    }

    void scaleByMergePatch(int replicas) {
        kube.apps().statefulSets().inNamespace(namespace).withName("postgres")
                .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"replicas\":" + replicas + "}}");
    }

    void scaleByJsonPatch(int replicas) {
        kube.apps().statefulSets().inNamespace(namespace).withName("postgres")
                .patch(PatchContext.of(PatchType.JSON), "[{\"op\":\"replace\",\"path\":\"/spec/replicas\",\"value\":" + replicas + "}]");
    }

    void awaitReadyPods(String... names) {
        await().atMost(SETTLE).pollInterval(Duration.ofMillis(50)).until(() -> {
            List<Pod> pods = kube.pods().inNamespace(namespace).list().getItems();
            return pods.size() == names.length && pods.stream().allMatch(p -> Arrays.asList(names).contains(p.getMetadata().getName())
                    && p.getMetadata().getDeletionTimestamp() == null
                    && p.getStatus() != null && p.getStatus().getConditions().stream()
                    .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus())));
        });
    }

    void deletePod(String name) {
        String uid = kube.pods().inNamespace(namespace).withName(name).get().getMetadata().getUid();
        kube.pods().inNamespace(namespace).withName(name).delete();
        await().atMost(SETTLE).pollInterval(Duration.ofMillis(50)).until(() -> {
            Pod p = kube.pods().inNamespace(namespace).withName(name).get();
            return p != null && !uid.equals(p.getMetadata().getUid()) && p.getStatus() != null
                    && p.getStatus().getConditions().stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
        });
    }

    /** Deletes the StatefulSet, waits for its pods to go, and re-creates it from its manifest as edited by {@code edit}. */
    void recreateStatefulSet(Consumer<StatefulSetBuilder> edit, Runnable whileDeleted) {
        StatefulSet saved = kube.apps().statefulSets().inNamespace(namespace).withName("postgres").get();
        kube.apps().statefulSets().inNamespace(namespace).withName("postgres").delete();
        await().atMost(SETTLE).pollInterval(Duration.ofMillis(50)).until(() -> kube.pods().inNamespace(namespace).list().getItems().isEmpty()
                && kube.apps().statefulSets().inNamespace(namespace).withName("postgres").get() == null);
        whileDeleted.run();
        var builder = new StatefulSetBuilder(saved).editMetadata().withResourceVersion(null).withUid(null).withCreationTimestamp(null)
                .withManagedFields().withGeneration(null).endMetadata().withStatus(null);
        edit.accept(builder);
        kube.apps().statefulSets().inNamespace(namespace).resource(builder.build()).create();
    }

    @Override
    public void close() {
        kube.close();
    }
}
