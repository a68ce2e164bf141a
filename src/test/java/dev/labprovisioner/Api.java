package dev.labprovisioner;

import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import io.restassured.specification.RequestSpecification;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;

/** How the tests talk to the service: over HTTP, as an LMS or an instructor would. */
public final class Api {

    public static final String ADMIN_TOKEN = "sandbox-admin-token";

    private Api() {
    }

    public static RequestSpecification as(String secret) {
        return given().auth().oauth2(secret).contentType(ContentType.JSON).accept(ContentType.JSON);
    }

    public static RequestSpecification asAdmin() {
        return as(ADMIN_TOKEN);
    }

    /** A fresh API client's secret. */
    public static String newClient(String... scopes) {
        return asAdmin().body(Map.of("name", "test-" + UUID.randomUUID().toString().substring(0, 8), "scopes", List.of(scopes)))
                .post("/api/v1/admin/clients").then().statusCode(201).extract().path("secret");
    }

    public static String lmsClient() {
        return newClient("labs:read", "labs:write");
    }

    public static ValidatableResponse createLab(String secret, String learnerId, String courseId) {
        return createLab(secret, learnerId, courseId, "postgres-statefulset");
    }

    public static ValidatableResponse createLab(String secret, String learnerId, String courseId, String template) {
        var body = new java.util.HashMap<String, Object>();
        body.put("learnerId", learnerId);
        body.put("template", template);
        if (courseId != null) {
            body.put("courseId", courseId);
        }
        return as(secret).body(body).post("/api/v1/labs").then();
    }

    public static String state(String secret, String labId) {
        return as(secret).get("/api/v1/labs/" + labId).then().statusCode(200).extract().path("state");
    }

    public static void awaitState(String secret, String labId, String state) {
        awaitState(secret, labId, state, Duration.ofSeconds(30));
    }

    public static void awaitState(String secret, String labId, String state, Duration within) {
        await().atMost(within).pollInterval(Duration.ofMillis(100))
                .until(() -> state.equals(state(secret, labId)));
    }

    public static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }
}
