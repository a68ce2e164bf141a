package dev.labprovisioner.lab;

import dev.labprovisioner.Api;
import dev.labprovisioner.cluster.LabNames;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static dev.labprovisioner.Api.as;
import static dev.labprovisioner.Api.awaitState;
import static dev.labprovisioner.Api.createLab;
import static dev.labprovisioner.Api.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

@QuarkusTest
class LabIdempotencyTests {

    @Inject
    KubernetesClient k8s;

    @Test
    void aSecondCreateForTheSameLiveLabReturnsIt() {
        String lms = Api.lmsClient();
        String learner = unique("learner");
        String id = createLab(lms, learner, "c1").statusCode(202).extract().path("id");
        createLab(lms, learner, "c1").statusCode(200).body("id", equalTo(id))
                .header("Location", org.hamcrest.Matchers.endsWith("/api/v1/labs/" + id));
        // Another course, or another client, is another lab.
        assertThat((String) createLab(lms, learner, "c2").statusCode(202).extract().path("id")).isNotEqualTo(id);
        assertThat((String) createLab(Api.lmsClient(), learner, "c1").statusCode(202).extract().path("id")).isNotEqualTo(id);
    }

    @Test
    void aCreateAfterTeardownMakesANewLab() {
        String lms = Api.lmsClient();
        String learner = unique("learner");
        String first = createLab(lms, learner, null).statusCode(202).extract().path("id");
        as(lms).delete("/api/v1/labs/" + first).then().statusCode(202);
        String second = createLab(lms, learner, null).statusCode(202).extract().path("id");
        assertThat(second).isNotEqualTo(first);
    }

    @Test
    void theSameIdempotencyKeyReturnsTheSameLabAndRefusesAnotherBody() {
        String lms = Api.lmsClient();
        String learner = unique("learner");
        String key = unique("key");
        var body = Map.of("learnerId", learner, "template", "postgres-statefulset");
        String id = as(lms).header("Idempotency-Key", key).body(body).post("/api/v1/labs").then().statusCode(202).extract().path("id");
        as(lms).header("Idempotency-Key", key).body(body).post("/api/v1/labs").then().statusCode(200).body("id", equalTo(id));
        // Even after the lab is gone, the key still names that lab: a retried request must not make a second one.
        as(lms).delete("/api/v1/labs/" + id).then().statusCode(202);
        as(lms).header("Idempotency-Key", key).body(body).post("/api/v1/labs").then().statusCode(200).body("id", equalTo(id));

        as(lms).header("Idempotency-Key", key).body(Map.of("learnerId", unique("other"), "template", "postgres-statefulset"))
                .post("/api/v1/labs").then().statusCode(422).contentType("application/problem+json");
        as(lms).queryParam("learnerId", learner).get("/api/v1/labs").then().body("total", equalTo(1));
    }

    @Test
    void fiftyConcurrentIdenticalCreatesMakeOneLabAndOneNamespace() throws Exception {
        String lms = Api.lmsClient();
        String learner = unique("learner");
        String key = unique("key");
        var start = new CountDownLatch(1);
        var pool = Executors.newFixedThreadPool(50);
        List<Future<ExtractableResponse<Response>>> answers = new ArrayList<>();
        try {
            for (int i = 0; i < 50; i++) {
                boolean withKey = i % 2 == 0;
                Callable<ExtractableResponse<Response>> call = () -> {
                    start.await();
                    var request = as(lms).body(Map.of("learnerId", learner, "courseId", "race", "template", "postgres-statefulset"));
                    if (withKey) {
                        request.header("Idempotency-Key", key);
                    }
                    return request.post("/api/v1/labs").then().extract();
                };
                answers.add(pool.submit(call));
            }
            start.countDown();
            var ids = new java.util.HashSet<String>();
            int accepted = 0;
            for (var answer : answers) {
                var response = answer.get();
                assertThat(response.statusCode()).isIn(200, 202);
                accepted += response.statusCode() == 202 ? 1 : 0;
                ids.add(response.path("id"));
            }
            assertThat(ids).hasSize(1);
            assertThat(accepted).isEqualTo(1);
            String id = ids.iterator().next();
            awaitState(lms, id, "READY");
            var namespaces = k8s.namespaces().withLabel(LabNames.LAB_ID_LABEL, id).list().getItems();
            assertThat(namespaces).hasSize(1);
            assertThat(k8s.namespaces().withLabel(LabNames.LEARNER_HASH_LABEL,
                    namespaces.get(0).getMetadata().getLabels().get(LabNames.LEARNER_HASH_LABEL)).list().getItems()).hasSize(1);
        } finally {
            pool.shutdownNow();
        }
    }
}
