package dev.labprovisioner.client;

import dev.labprovisioner.Api;
import dev.labprovisioner.security.ActiveClients;
import dev.labprovisioner.security.SecretHashes;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static dev.labprovisioner.Api.as;
import static dev.labprovisioner.Api.createLab;
import static dev.labprovisioner.Api.unique;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;

@QuarkusTest
class ApiClientTests {

    @Inject
    AgroalDataSource dataSource;
    @Inject
    ActiveClients activeClients;

    @Test
    void theSecretIsShownOnceAndRevokingStopsIt() {
        var created = Api.asAdmin().body(Map.of("name", "moodle", "scopes", List.of("labs:read", "labs:write")))
                .post("/api/v1/admin/clients").then().statusCode(201)
                .body("name", equalTo("moodle")).body("scopes", equalTo(List.of("labs:read", "labs:write")))
                .body("secret", startsWith("lps_")).extract();
        String id = created.path("id");
        String secret = created.path("secret");

        Api.asAdmin().get("/api/v1/admin/clients").then().statusCode(200)
                .body("find { it.id == '" + id + "' }.secret", nullValue())
                .body("secret", not(hasItem(secret)));
        as(secret).get("/api/v1/labs").then().statusCode(200);

        Api.asAdmin().delete("/api/v1/admin/clients/" + id).then().statusCode(200).body("revokedAt", not(nullValue()));
        as(secret).get("/api/v1/labs").then().statusCode(401).contentType("application/problem+json");
        Api.asAdmin().delete("/api/v1/admin/clients/" + id).then().statusCode(200);
    }

    @Test
    void aSecretRevokedByAnotherReplicaStopsWorkingHereToo() throws Exception {
        var created = Api.asAdmin().body(Map.of("name", "other-replica", "scopes", List.of("labs:read")))
                .post("/api/v1/admin/clients").then().statusCode(201).extract();
        String id = created.path("id");
        String secret = created.path("secret");
        // Used once while this replica listens: from then on it answers for the secret from memory.
        await().atMost(Duration.ofSeconds(10)).until(() -> as(secret).get("/api/v1/labs").statusCode() == 200
                && activeClients.cached(SecretHashes.sha256Hex(secret)).isPresent());

        // Another replica revokes it: its transaction changes the row and notifies; nothing runs in this one.
        try (Connection c = dataSource.getConnection(); var st = c.createStatement()) {
            c.setAutoCommit(false);
            st.execute("UPDATE api_clients SET revoked_at = now() WHERE id = '" + id + "'");
            st.execute("SELECT pg_notify('" + ActiveClients.CHANNEL + "', '')");
            c.commit();
        }
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                as(secret).get("/api/v1/labs").then().statusCode(401).contentType("application/problem+json"));
    }

    @Test
    void rotatingGivesANewSecretStopsTheOldOneAndKeepsTheLabs() {
        var created = Api.asAdmin().body(Map.of("name", "canvas", "scopes", List.of("labs:read", "labs:write")))
                .post("/api/v1/admin/clients").then().statusCode(201).extract();
        String id = created.path("id");
        String old = created.path("secret");
        String lab = createLab(old, unique("learner"), null).statusCode(202).extract().path("id");

        String rotated = Api.asAdmin().post("/api/v1/admin/clients/" + id + "/rotate").then().statusCode(200)
                .body("id", equalTo(id)).body("scopes", equalTo(List.of("labs:read", "labs:write")))
                .body("secret", startsWith("lps_")).extract().path("secret");
        org.assertj.core.api.Assertions.assertThat(rotated).isNotEqualTo(old);
        as(old).get("/api/v1/labs/" + lab).then().statusCode(401).contentType("application/problem+json");
        as(rotated).get("/api/v1/labs/" + lab).then().statusCode(200).body("id", equalTo(lab));
        Api.asAdmin().get("/api/v1/admin/audit?action=CLIENT_ROTATE&target=" + id).then().statusCode(200)
                .body("total", equalTo(1)).body("items[0].detail", not(org.hamcrest.Matchers.containsString(rotated)));

        Api.asAdmin().delete("/api/v1/admin/clients/" + id).then().statusCode(200);
        Api.asAdmin().post("/api/v1/admin/clients/" + id + "/rotate").then().statusCode(409).contentType("application/problem+json");
        as(rotated).get("/api/v1/labs").then().statusCode(401);
        as(Api.lmsClient()).post("/api/v1/admin/clients/" + id + "/rotate").then().statusCode(403);
    }

    @Test
    void aClientSeesAndChangesOnlyItsOwnLabs() {
        String mine = Api.lmsClient();
        String theirs = Api.lmsClient();
        String id = createLab(mine, unique("learner"), null).statusCode(202).extract().path("id");
        as(theirs).get("/api/v1/labs/" + id).then().statusCode(404).contentType("application/problem+json");
        as(theirs).delete("/api/v1/labs/" + id).then().statusCode(404);
        as(theirs).body(Map.of("minutes", 10)).post("/api/v1/labs/" + id + "/extend").then().statusCode(404);
        as(mine).get("/api/v1/labs/" + id).then().statusCode(200).body("state", not(equalTo("TEARING_DOWN")));
        Api.asAdmin().get("/api/v1/labs/" + id).then().statusCode(200);
        as(Api.newClient("labs:read")).delete("/api/v1/labs/" + id).then().statusCode(403);
    }

    @Test
    void onlyAdminsManageClients() {
        as(Api.lmsClient()).get("/api/v1/admin/clients").then().statusCode(403).contentType("application/problem+json");
        io.restassured.RestAssured.given().get("/api/v1/admin/clients").then().statusCode(401);
        as(Api.newClient("admin")).get("/api/v1/admin/clients").then().statusCode(200);
    }
}
