package dev.labprovisioner.it;

import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/** The packaged application (sandbox profile), driven as an LMS would: the README's walkthrough. */
@QuarkusIntegrationTest
class LabLifecycleIT {

    @Test
    void anLmsProvisionsAndTearsDownALabAgainstThePackagedApp() {
        given().get("/q/health/ready").then().statusCode(200);
        String secret = given().auth().oauth2("sandbox-admin-token").contentType(ContentType.JSON)
                .body(Map.of("name", "moodle", "scopes", List.of("labs:read", "labs:write")))
                .post("/api/v1/admin/clients").then().statusCode(201).extract().path("secret");
        String id = given().auth().oauth2(secret).contentType(ContentType.JSON)
                .body(Map.of("learnerId", "learner-42", "courseId", "k8s-101", "template", "postgres-statefulset"))
                .post("/api/v1/labs").then().statusCode(202).extract().path("id");
        await().atMost(Duration.ofSeconds(60)).until(() ->
                "READY".equals(given().auth().oauth2(secret).get("/api/v1/labs/" + id).then().extract().path("state")));
        String url = given().auth().oauth2(secret).get("/api/v1/labs/" + id).then().extract().path("learnerUrl");
        given().get(url.substring(url.indexOf("/learn/")) + "/kubeconfig").then().statusCode(200).body(containsString("current-context: lab-"));
        given().auth().oauth2(secret).delete("/api/v1/labs/" + id).then().statusCode(202);
        await().atMost(Duration.ofSeconds(60)).until(() ->
                "DELETED".equals(given().auth().oauth2(secret).get("/api/v1/labs/" + id).then().extract().path("state")));
        given().auth().oauth2(secret).get("/api/v1/labs/" + id).then().body("state", equalTo("DELETED"));
        given().get("/q/openapi").then().statusCode(401);
        given().auth().oauth2(secret).get("/q/openapi").then().statusCode(200).body(containsString("/api/v1/labs"));
    }
}
