package dev.labprovisioner.checkpoint;

import dev.labprovisioner.Api;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;

/**
 * Each checkpoint of the StatefulSet lab, done by a learner through the Kubernetes API with the kubeconfig
 * of their link (and "psql" through the sandbox SQL endpoint), judged through the LMS API: once done right,
 * and once not done, half done or done wrong, with the message the learner reads.
 */
@QuarkusTest
class CheckpointTests {

    private static final Duration SETTLE = LearnerLab.SETTLE;

    private static void awaitMessage(LearnerLab lab, String checkpoint, String text) {
        await().atMost(SETTLE).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> assertThat(lab.message(checkpoint)).contains(text));
    }

    @Test
    void stableIdentityPassesForAReadyPostgres0AndFailsWhenScaledToZero() {
        try (var lab = LearnerLab.ready(Api.lmsClient())) {
            lab.awaitStatus("stable-identity", "PASSED")
                    .body("checkpoints.find { it.id == 'stable-identity' }.message",
                            containsString("postgres-0.postgres." + lab.namespace + ".svc.cluster.local"))
                    .body("checkpoints.find { it.id == 'stable-identity' }.evidence.podUid", notNullValue());
        }
        try (var lab = LearnerLab.ready(Api.lmsClient())) {
            lab.scaleByMergePatch(0);
            awaitMessage(lab, "stable-identity", "postgres-0 does not exist");
            lab.validate("stable-identity").body("status", equalTo("FAILED"));
        }
    }

    @Test
    void stableIdentityFailsWhenTheServiceDoesNotSelectThePod() {
        try (var lab = LearnerLab.ready(Api.lmsClient())) {
            // The learner may not edit the Service (their Role has no such verb), but can re-create the StatefulSet
            // with pod labels the Service does not select.
            var moved = java.util.Map.of("app", "something-else");
            lab.recreateStatefulSet(b -> b.editSpec().editSelector().withMatchLabels(moved).withMatchExpressions().endSelector()
                    .editTemplate().editMetadata().withLabels(moved).endMetadata().endTemplate().endSpec(), () -> { });
            awaitMessage(lab, "stable-identity", "does not select postgres-0");
        }
    }

    @Test
    void writeDataNeedsRowsAndRecordsABaseline() {
        try (var lab = LearnerLab.ready(Api.lmsClient())) {
            lab.validate("write-data").statusCode(200).body("status", equalTo("FAILED"))
                    .body("message", containsString("no tables of yours yet"));
            lab.sql("postgres-0", "CREATE TABLE notes (id int PRIMARY KEY, body text)").statusCode(200);
            lab.validate("write-data").body("status", equalTo("FAILED")).body("message", containsString("public.notes] in postgres-0 is empty"));

            lab.sql("postgres-0", "INSERT INTO notes VALUES (1, 'one'), (2, 'two'), (3, 'three')").statusCode(200)
                    .body("results[0].updateCount", equalTo(3));
            lab.validate("write-data").body("status", equalTo("PASSED"))
                    .body("message", containsString("Found 3 rows in [public.notes]"))
                    .body("evidence.tables[0].rows", equalTo(3))
                    .body("evidence.claimUids.data-postgres-0", equalTo(
                            lab.kube.persistentVolumeClaims().inNamespace(lab.namespace).withName("data-postgres-0").get().getMetadata().getUid()))
                    .body("attempts", equalTo(3))
                    .body("passedAt", notNullValue());
        }
    }

    @Test
    void scaleUpInOrderPassesAndStaysPassedAfterScalingBackDown() {
        try (var lab = LearnerLab.ready(Api.lmsClient())) {
            lab.validate("scale-up-ordered").body("status", equalTo("FAILED"))
                    .body("message", equalTo("1 of 3 replicas Ready: postgres-1 does not exist. The StatefulSet asks for 1 replica; scale it to 3."));

            lab.scaleByMergePatch(3);
            lab.awaitReadyPods("postgres-0", "postgres-1", "postgres-2");
            lab.awaitStatus("scale-up-ordered", "PASSED")
                    .body("checkpoints.find { it.id == 'scale-up-ordered' }.evidence.replicas.claim",
                            equalTo(List.of("data-postgres-0", "data-postgres-1", "data-postgres-2")));

            lab.scaleByJsonPatch(1);
            lab.awaitReadyPods("postgres-0");
            lab.validate("scale-up-ordered").body("status", equalTo("PASSED"));
        }
    }

    @Test
    void scaleUpWithParallelPodsIsJudgedOnTheOrderTheTimelineSaw() {
        try (var lab = LearnerLab.ready(Api.lmsClient())) {
            lab.recreateStatefulSet(b -> b.editSpec().withPodManagementPolicy("Parallel").endSpec(), () -> { });
            lab.awaitReadyPods("postgres-0");
            lab.scaleByMergePatch(3);
            lab.awaitReadyPods("postgres-0", "postgres-1", "postgres-2");
            awaitMessage(lab, "scale-up-ordered", "before postgres-1 was Ready: these pods were not started one at a time");
            lab.validate("scale-up-ordered").body("status", equalTo("FAILED"));
            // ... which is exactly what the advanced checkpoint asks for.
            lab.awaitStatus("parallel-pod-management", "PASSED");
        }
    }

    @Test
    void parallelPodManagementFailsWhileThePolicyIsOrderedReady() {
        try (var lab = LearnerLab.ready(Api.lmsClient())) {
            lab.scaleByMergePatch(3);
            lab.awaitReadyPods("postgres-0", "postgres-1", "postgres-2");
            lab.validate("parallel-pod-management").body("status", equalTo("FAILED"))
                    .body("message", containsString("uses podManagementPolicy OrderedReady"));
        }
    }

    @Test
    void scaleDownKeepsTheClaimsAndTheData() {
        try (var lab = LearnerLab.ready(Api.lmsClient())) {
            lab.validate("scale-down-retains-volumes").body("status", equalTo("FAILED"))
                    .body("message", containsString("There is no baseline"));
            lab.writeNotes();
            lab.awaitStatus("write-data", "PASSED");
            lab.scaleByMergePatch(3);
            lab.awaitReadyPods("postgres-0", "postgres-1", "postgres-2");
            awaitMessage(lab, "scale-down-retains-volumes", "The StatefulSet asks for 3 replicas: scale it to 1.");

            lab.scaleByJsonPatch(1);
            lab.awaitReadyPods("postgres-0");
            lab.awaitStatus("scale-down-retains-volumes", "PASSED")
                    .body("checkpoints.find { it.id == 'scale-down-retains-volumes' }.message",
                            containsString("postgres-2 then postgres-1 terminated"));
        }
    }

    @Test
    void droppedDataFailsTheRetentionCheckpoints() {
        try (var lab = LearnerLab.ready(Api.lmsClient())) {
            lab.writeNotes();
            lab.awaitStatus("write-data", "PASSED");
            lab.scaleByMergePatch(3);
            lab.awaitReadyPods("postgres-0", "postgres-1", "postgres-2");
            lab.scaleByMergePatch(1);
            lab.awaitReadyPods("postgres-0");
            lab.sql("postgres-0", "DELETE FROM notes WHERE id = 3").statusCode(200);
            awaitMessage(lab, "scale-down-retains-volumes", "Table public.notes in postgres-0 has 2 rows; write-data saw 3.");
            lab.sql("postgres-0", "DROP TABLE notes").statusCode(200);
            awaitMessage(lab, "scale-down-retains-volumes", "Table public.notes is gone from postgres-0");
            lab.deletePod("postgres-0");
            awaitMessage(lab, "pod-identity-survives-deletion", "Table public.notes is gone from postgres-0");
            lab.validate("pod-identity-survives-deletion").body("status", equalTo("FAILED"));
        }
    }

    @Test
    void deletingPostgres0KeepsItsIdentityVolumeAndData() {
        try (var lab = LearnerLab.ready(Api.lmsClient())) {
            lab.writeNotes();
            lab.awaitStatus("write-data", "PASSED");
            lab.validate("pod-identity-survives-deletion").body("status", equalTo("FAILED"))
                    .body("message", containsString("postgres-0 has not been deleted since write-data recorded your data"));
            String before = lab.kube.pods().inNamespace(lab.namespace).withName("postgres-0").get().getMetadata().getUid();
            lab.deletePod("postgres-0");
            // Checking the data again after the deletion keeps the baseline: the deletion still counts.
            await().atMost(SETTLE).untilAsserted(() -> lab.validate("write-data").body("status", equalTo("PASSED"))
                    .body("message", containsString("the same data as your baseline")));
            lab.awaitStatus("pod-identity-survives-deletion", "PASSED")
                    .body("checkpoints.find { it.id == 'pod-identity-survives-deletion' }.evidence.deletedPodUid", equalTo(before))
                    .body("checkpoints.find { it.id == 'pod-identity-survives-deletion' }.evidence.podUid", not(equalTo(before)));
        }
    }

    @Test
    void aClaimDeletedAndRecreatedIsANewVolumeAndFails() {
        try (var lab = LearnerLab.ready(Api.lmsClient())) {
            lab.writeNotes();
            lab.awaitStatus("write-data", "PASSED");
            lab.recreateStatefulSet(b -> { }, () -> {
                lab.kube.persistentVolumeClaims().inNamespace(lab.namespace).withName("data-postgres-0").delete();
                await().atMost(SETTLE).until(() -> lab.kube.persistentVolumeClaims().inNamespace(lab.namespace).withName("data-postgres-0").get() == null);
            });
            lab.awaitReadyPods("postgres-0");
            awaitMessage(lab, "statefulset-delete-keeps-volumes", "The claim data-postgres-0 was deleted at");
            awaitMessage(lab, "pod-identity-survives-deletion", "data-postgres-0 is a new claim");
            lab.validate("pod-identity-survives-deletion").body("status", equalTo("FAILED"));
            // Nor will the service delete a postgres-0 that is not on the claim the data was recorded on.
            lab.validateActing("pod-identity-survives-deletion").statusCode(409).contentType("application/problem+json")
                    .body("detail", containsString("will not delete it"));
        }
    }

    @Test
    void theServiceCanProveIdentitySurvivesDeletionItself() {
        try (var lab = LearnerLab.ready(Api.lmsClient())) {
            lab.validateActing("pod-identity-survives-deletion").statusCode(409)
                    .contentType("application/problem+json").body("detail", containsString("check write-data first"));
            lab.writeNotes();
            lab.awaitStatus("write-data", "PASSED");
            String before = lab.kube.pods().inNamespace(lab.namespace).withName("postgres-0").get().getMetadata().getUid();
            String claim = lab.kube.persistentVolumeClaims().inNamespace(lab.namespace).withName("data-postgres-0").get().getMetadata().getUid();

            lab.validateActing("pod-identity-survives-deletion").statusCode(200)
                    .body("status", equalTo("PASSED"))
                    .body("evidence.deletedPodUid", equalTo(before))
                    .body("evidence.claimUid", equalTo(claim))
                    .body("acts", containsString("never deletes a volume"));
            assertThat(lab.kube.pods().inNamespace(lab.namespace).withName("postgres-0").get().getMetadata().getUid()).isNotEqualTo(before);
            lab.sql("postgres-0", "SELECT count(*) AS n FROM notes").statusCode(200).body("results[0].rows[0][0]", equalTo(3));
            lab.validateActing("write-data").statusCode(400).contentType("application/problem+json");
        }
    }

    @Test
    void deletingAndRecreatingTheStatefulSetKeepsTheVolumes() {
        try (var lab = LearnerLab.ready(Api.lmsClient())) {
            lab.writeNotes();
            lab.awaitStatus("write-data", "PASSED");
            lab.validate("statefulset-delete-keeps-volumes").body("status", equalTo("FAILED"))
                    .body("message", containsString("has not been deleted since write-data"));
            lab.recreateStatefulSet(b -> { }, () -> assertThat(
                    lab.kube.persistentVolumeClaims().inNamespace(lab.namespace).withName("data-postgres-0").get()).isNotNull());
            lab.awaitReadyPods("postgres-0");
            lab.awaitStatus("statefulset-delete-keeps-volumes", "PASSED")
                    .body("checkpoints.find { it.id == 'statefulset-delete-keeps-volumes' }.message", containsString("with your data"));
        }
    }

    @Test
    void aTemplateChangeRollsFromTheHighestOrdinalDown() {
        try (var lab = LearnerLab.ready(Api.lmsClient())) {
            lab.scaleByMergePatch(3);
            lab.awaitReadyPods("postgres-0", "postgres-1", "postgres-2");
            awaitMessage(lab, "rolling-update", "did not replace a pod with another template");

            // The simulator's status writes may move the resourceVersion between read and write: retry on 409.
            await().atMost(SETTLE).ignoreExceptionsMatching(e -> e instanceof io.fabric8.kubernetes.client.KubernetesClientException k
                    && k.getCode() == 409).until(() -> lab.kube.apps().statefulSets().inNamespace(lab.namespace).withName("postgres")
                    .edit(this::addGreeting) != null);
            await().atMost(SETTLE).until(() -> lab.kube.pods().inNamespace(lab.namespace).list().getItems().stream()
                    .filter(p -> p.getSpec().getContainers().get(0).getEnv().stream().anyMatch(e -> "GREETING".equals(e.getName()))).count() == 3);
            lab.awaitReadyPods("postgres-0", "postgres-1", "postgres-2");
            lab.awaitStatus("rolling-update", "PASSED");
        }
    }

    @Test
    void recreatingWithANewTemplateIsNotARollingUpdate() {
        try (var lab = LearnerLab.ready(Api.lmsClient())) {
            lab.scaleByMergePatch(3);
            lab.awaitReadyPods("postgres-0", "postgres-1", "postgres-2");
            lab.recreateStatefulSet(b -> b.editSpec().editTemplate().editSpec().editFirstContainer()
                    .addToEnv(new EnvVar("GREETING", "hello", null)).endContainer().endSpec().endTemplate().endSpec(), () -> { });
            lab.awaitReadyPods("postgres-0", "postgres-1", "postgres-2");
            awaitMessage(lab, "rolling-update", "postgres-1 was replaced before postgres-2: a RollingUpdate goes from the highest ordinal down");
        }
    }

    @Test
    void progressAddsUpAndValidateAllRecordsEveryCheckpoint() {
        try (var lab = LearnerLab.ready(Api.lmsClient())) {
            Api.as(lab.lms).get("/api/v1/labs/" + lab.id + "/progress").then().statusCode(200)
                    .body("labId", equalTo(lab.id)).body("score", equalTo(0)).body("maxScore", equalTo(100)).body("completed", equalTo(false))
                    .body("checkpoints.id", equalTo(List.of("stable-identity", "write-data", "scale-up-ordered", "scale-down-retains-volumes",
                            "pod-identity-survives-deletion", "statefulset-delete-keeps-volumes", "parallel-pod-management", "rolling-update")))
                    .body("checkpoints.status", not(hasItem("PASSED")))
                    .body("checkpoints[0].attempts", equalTo(0));
            lab.writeNotes();
            await().atMost(SETTLE).until(() -> Api.as(lab.lms).post("/api/v1/labs/" + lab.id + "/validate").then().statusCode(200)
                    .extract().<Integer>path("score") == 25);
            Api.as(lab.lms).get("/api/v1/labs/" + lab.id + "/progress").then()
                    .body("checkpoints.find { it.id == 'stable-identity' }.status", equalTo("PASSED"))
                    .body("checkpoints.find { it.id == 'write-data' }.status", equalTo("PASSED"))
                    .body("checkpoints.find { it.id == 'rolling-update' }.status", equalTo("FAILED"))
                    .body("checkpoints.find { it.id == 'rolling-update' }.attempts", notNullValue());
            // The learner's link checks the same things, for this lab only.
            io.restassured.RestAssured.given().post("/learn/" + lab.token + "/checkpoints/stable-identity/validate").then()
                    .statusCode(200).body("status", equalTo("PASSED"));
            io.restassured.RestAssured.given().get("/learn/" + lab.token + "/progress").then().statusCode(200).body("score", equalTo(25));
        }
    }

    private StatefulSet addGreeting(StatefulSet sts) {
        sts.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().add(new EnvVar("GREETING", "hello", null));
        return sts;
    }
}
