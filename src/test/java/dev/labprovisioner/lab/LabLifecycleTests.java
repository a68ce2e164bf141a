package dev.labprovisioner.lab;

import dev.labprovisioner.Api;
import dev.labprovisioner.cluster.LabNames;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static dev.labprovisioner.Api.as;
import static dev.labprovisioner.Api.awaitState;
import static dev.labprovisioner.Api.createLab;
import static dev.labprovisioner.Api.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;

@QuarkusTest
class LabLifecycleTests {

    @Inject
    KubernetesClient k8s;

    @Test
    void aCreatedLabBecomesReadyWithEveryObjectInItsNamespace() {
        String lms = Api.lmsClient();
        String learner = unique("learner");
        var created = createLab(lms, learner, "k8s-101").statusCode(202)
                .header("Location", matchesPattern(".*/api/v1/labs/[0-9a-f-]{36}"))
                .body("state", equalTo("REQUESTED"))
                .body("learnerId", equalTo(learner))
                .body("courseId", equalTo("k8s-101"))
                .body("template", equalTo("postgres-statefulset"))
                .body("namespace", matchesPattern("lab-[0-9a-f]{16}"))
                .body("learnerUrl", startsWith("http"))
                .body("expiresAt", notNullValue())
                .body("readyAt", nullValue())
                .extract();
        String id = created.path("id");
        String ns = created.path("namespace");

        awaitState(lms, id, "READY");
        as(lms).get("/api/v1/labs/" + id).then().statusCode(200).body("readyAt", notNullValue()).body("failureReason", nullValue());

        var namespace = k8s.namespaces().withName(ns).get();
        assertThat(namespace.getMetadata().getLabels())
                .containsEntry(LabNames.MANAGED_BY_LABEL, LabNames.MANAGED_BY)
                .containsEntry(LabNames.LAB_ID_LABEL, id)
                .containsEntry(LabNames.COURSE_LABEL, "k8s-101")
                .containsEntry("pod-security.kubernetes.io/enforce", "restricted")
                .containsKey(LabNames.LEARNER_HASH_LABEL)
                .doesNotContainValue(learner);
        assertThat(k8s.resourceQuotas().inNamespace(ns).withName(LabNames.RESOURCE_QUOTA).get()).isNotNull();
        assertThat(k8s.limitRanges().inNamespace(ns).withName(LabNames.LIMIT_RANGE).get()).isNotNull();
        assertThat(k8s.network().v1().networkPolicies().inNamespace(ns).withName(LabNames.NETWORK_POLICY).get().getSpec().getPolicyTypes())
                .containsExactly("Ingress", "Egress");
        assertThat(k8s.serviceAccounts().inNamespace(ns).withName("learner").get()).isNotNull();
        var learnerBinding = k8s.rbac().roleBindings().inNamespace(ns).withName("learner").get();
        assertThat(learnerBinding.getRoleRef().getKind() + "/" + learnerBinding.getRoleRef().getName()).isEqualTo("ClusterRole/lab-provisioner-learner");
        assertThat(learnerBinding.getSubjects().get(0).getNamespace()).isEqualTo(ns);
        var provisioner = k8s.rbac().roleBindings().inNamespace(ns).withName("lab-provisioner").get();
        assertThat(provisioner.getRoleRef().getName()).isEqualTo("lab-provisioner-lab");
        assertThat(provisioner.getSubjects().get(0).getNamespace() + ":" + provisioner.getSubjects().get(0).getName())
                .isEqualTo("lab-provisioner:lab-provisioner");
        var secret = k8s.secrets().inNamespace(ns).withName(LabNames.POSTGRES_SECRET).get();
        assertThat(secret).isNotNull();
        var service = k8s.services().inNamespace(ns).withName("postgres").get();
        assertThat(service.getSpec().getClusterIP()).isEqualTo("None");

        StatefulSet sts = k8s.apps().statefulSets().inNamespace(ns).withName("postgres").get();
        assertThat(sts.getSpec().getServiceName()).isEqualTo("postgres");
        assertThat(sts.getSpec().getPodManagementPolicy()).isEqualTo("OrderedReady");
        assertThat(sts.getSpec().getTemplate().getMetadata().getLabels()).containsAllEntriesOf(sts.getSpec().getSelector().getMatchLabels());
        assertThat(sts.getStatus().getReadyReplicas()).isEqualTo(1);
        var pod = k8s.pods().inNamespace(ns).withName("postgres-0").get();
        assertThat(pod.getSpec().getVolumes()).anySatisfy(v -> assertThat(v.getPersistentVolumeClaim().getClaimName()).isEqualTo("data-postgres-0"));
        assertThat(k8s.persistentVolumeClaims().inNamespace(ns).withName("data-postgres-0").get().getStatus().getPhase()).isEqualTo("Bound");
    }

    @Test
    void deletingALabTearsItsNamespaceDownAndKeepsTheRecord() {
        String lms = Api.lmsClient();
        var created = createLab(lms, unique("learner"), null).statusCode(202).extract();
        String id = created.path("id");
        String ns = created.path("namespace");
        awaitState(lms, id, "READY");

        as(lms).delete("/api/v1/labs/" + id).then().statusCode(202).body("state", equalTo("TEARING_DOWN"));
        awaitState(lms, id, "DELETED");
        assertThat(k8s.namespaces().withName(ns).get()).isNull();
        assertThat(k8s.apps().statefulSets().inNamespace(ns).list().getItems()).isEmpty();
        assertThat(k8s.persistentVolumeClaims().inNamespace(ns).list().getItems()).isEmpty();

        as(lms).delete("/api/v1/labs/" + id).then().statusCode(202).body("state", equalTo("DELETED"));
        as(lms).get("/api/v1/labs/" + id).then().statusCode(200).body("deletedAt", notNullValue()).body("learnerUrl", nullValue());
        List<String> states = as(lms).get("/api/v1/labs/" + id + "/events").then().statusCode(200).extract().path("to");
        assertThat(states).containsExactly("REQUESTED", "PROVISIONING", "READY", "TEARING_DOWN", "DELETED");
        List<String> from = as(lms).get("/api/v1/labs/" + id + "/events").then().extract().path("from");
        assertThat(from).containsExactly(null, "REQUESTED", "PROVISIONING", "READY", "TEARING_DOWN");
    }

    @Test
    void anExpiredLabIsTornDown() {
        String lms = Api.lmsClient();
        String id = createLab(lms, unique("learner"), null).statusCode(202).extract().path("id");
        awaitState(lms, id, "READY");
        // The lab's clock runs out: what the reaper sees of a lab whose TTL has passed.
        io.quarkus.narayana.jta.QuarkusTransaction.requiringNew().run(() ->
                Lab.update("expiresAt = ?1 where id = ?2", Instant.now().minusSeconds(1), java.util.UUID.fromString(id)));
        awaitState(lms, id, "DELETED");
        List<String> causes = as(lms).get("/api/v1/labs/" + id + "/events").then().extract().path("cause");
        assertThat(causes).anySatisfy(c -> assertThat(c).startsWith("expired at"));
    }

    @Test
    void extendMovesExpiryWithinTheMaximumLifetime() {
        String lms = Api.lmsClient();
        var created = createLab(lms, unique("learner"), null).statusCode(202).extract();
        String id = created.path("id");
        Instant before = Instant.parse(created.path("expiresAt"));
        String after = as(lms).body(Map.of("minutes", 60)).post("/api/v1/labs/" + id + "/extend").then().statusCode(200)
                .extract().path("expiresAt");
        assertThat(Duration.between(before, Instant.parse(after))).isEqualTo(Duration.ofMinutes(60));
        as(lms).body(Map.of("minutes", 480)).post("/api/v1/labs/" + id + "/extend").then().statusCode(200);
        String last = as(lms).body(Map.of("minutes", 480)).post("/api/v1/labs/" + id + "/extend").then().statusCode(200)
                .extract().path("expiresAt");
        // 120 + 60 + 3 × 480 minutes would pass the 24-hour maximum lifetime: refused, and nothing changes.
        as(lms).body(Map.of("minutes", 480)).post("/api/v1/labs/" + id + "/extend").then().statusCode(422)
                .contentType("application/problem+json").body("detail", org.hamcrest.Matchers.containsString("at most"));
        as(lms).get("/api/v1/labs/" + id).then().body("expiresAt", equalTo(last));
    }

    @Test
    void listFiltersByLearnerCourseAndStateAndPages() {
        String lms = Api.lmsClient();
        String course = unique("course");
        for (int i = 0; i < 3; i++) {
            createLab(lms, "learner-" + i, course).statusCode(202);
        }
        as(lms).queryParam("courseId", course).get("/api/v1/labs").then().statusCode(200)
                .body("total", equalTo(3)).body("items.size()", equalTo(3));
        as(lms).queryParam("courseId", course).queryParam("learnerId", "learner-1").get("/api/v1/labs").then()
                .body("total", equalTo(1)).body("items[0].learnerId", equalTo("learner-1"));
        as(lms).queryParam("courseId", course).queryParam("size", 2).queryParam("page", 1).get("/api/v1/labs").then()
                .body("total", equalTo(3)).body("items.size()", equalTo(1));
        as(lms).queryParam("courseId", course).queryParam("state", "deleted").get("/api/v1/labs").then().body("total", equalTo(0));
        // Another client sees none of them; admin sees all.
        as(Api.lmsClient()).queryParam("courseId", course).get("/api/v1/labs").then().body("total", equalTo(0));
        Api.asAdmin().queryParam("courseId", course).get("/api/v1/labs").then().body("total", equalTo(3));
    }

    @Test
    void theLearnerLinkGivesAKubeconfigForTheLabNamespaceOnly() {
        String lms = Api.lmsClient();
        var created = createLab(lms, unique("learner"), null).statusCode(202).extract();
        String id = created.path("id");
        String ns = created.path("namespace");
        String url = created.path("learnerUrl");
        String path = url.substring(url.indexOf("/learn/"));
        awaitState(lms, id, "READY");

        String page = RestAssured.given().get(path).then().statusCode(200).contentType("text/html").extract().asString();
        assertThat(page).contains(ns).contains("Ready");
        String kubeconfig = RestAssured.given().get(path + "/kubeconfig").then().statusCode(200).extract().asString();
        assertThat(kubeconfig).contains("namespace: " + ns).contains("current-context: " + ns)
                .contains("server: " + k8s.getMasterUrl().toString().replaceAll("/$", ""));

        // A forged token is refused, and an API credential cannot be replaced by a learner token.
        String forged = path.substring(0, path.length() - 3) + (path.endsWith("AAA") ? "BBB" : "AAA");
        RestAssured.given().get(forged).then().statusCode(404).contentType("application/problem+json");
        // So is another spelling of the same bytes: the signature's last base64 character carries two unused
        // bits, which a lenient decoder ignores; only the link as the service wrote it opens the lab.
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        char last = path.charAt(path.length() - 1);
        String respelled = path.substring(0, path.length() - 1) + alphabet.charAt(alphabet.indexOf(last) ^ 1);
        assertThat(java.util.Base64.getUrlDecoder().decode(respelled.substring(respelled.indexOf('.') + 1)))
                .isEqualTo(java.util.Base64.getUrlDecoder().decode(path.substring(path.indexOf('.') + 1)));
        RestAssured.given().get(respelled).then().statusCode(404).contentType("application/problem+json");
        RestAssured.given().auth().oauth2(path.substring("/learn/".length())).get("/api/v1/labs/" + id).then().statusCode(401);

        as(lms).delete("/api/v1/labs/" + id).then().statusCode(202);
        RestAssured.given().get(path + "/kubeconfig").then().statusCode(410).contentType("application/problem+json");
    }

    @Test
    void theTemplateCatalogIsListed() {
        as(Api.lmsClient()).get("/api/v1/templates").then().statusCode(200)
                .body("find { it.id == 'postgres-statefulset' }.title", equalTo("PostgreSQL on a StatefulSet"))
                .body("find { it.id == 'postgres-statefulset' }.postgres.image", endsWith("postgres:17"));
    }
}
