package dev.labprovisioner.security;

import dev.labprovisioner.Api;
import dev.labprovisioner.cluster.LabNames;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.logging.Level;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * No secret or token reaches the service's log, even at DEBUG: API client secrets (new and rotated), the
 * learner link's signature, the lab database password, the SQL a learner sends. Reads back the log file the
 * test profile writes ({@code target/test-service.log}).
 */
@QuarkusTest
class SecretsNotLoggedTests {

    private static final Path LOG = Path.of("target/test-service.log");
    private static final String[] CATEGORIES = {"dev.labprovisioner", "io.quarkus.security", "io.quarkus.vertx.http"};
    private final List<Level> levels = new ArrayList<>();

    @Inject
    KubernetesClient k8s;

    @BeforeEach
    void debug() {
        for (String category : CATEGORIES) {
            var logger = java.util.logging.Logger.getLogger(category);
            levels.add(logger.getLevel());
            logger.setLevel(Level.FINEST);
        }
    }

    @AfterEach
    void restore() {
        for (int i = 0; i < CATEGORIES.length; i++) {
            java.util.logging.Logger.getLogger(CATEGORIES[i]).setLevel(levels.get(i));
        }
    }

    @Test
    void noSecretOrTokenAppearsInTheLog() throws Exception {
        var secrets = new ArrayList<String>();
        String lms = Api.lmsClient();
        secrets.add(lms);
        // A webhook subscription: its signing secret, and a token in its URL (where some LMSs put one), stay out of the log
        // while its deliveries fail (nothing listens there) and are retried.
        String urlToken = "hooktoken-" + java.util.UUID.randomUUID();
        String webhookSecret = Api.as(lms).body(java.util.Map.of("url", "http://127.0.0.1:9/hook?token=" + urlToken))
                .post("/api/v1/webhooks").then().statusCode(201).extract().path("secret");
        secrets.add(urlToken);
        secrets.add(webhookSecret.substring("whsec_".length()));
        var created = Api.createLab(lms, Api.unique("quiet"), "k8s-101").statusCode(202).extract();
        String id = created.path("id");
        String url = created.path("learnerUrl");
        String token = url.substring(url.lastIndexOf('/') + 1);
        secrets.add(token.substring(token.indexOf('.') + 1));
        Api.awaitState(lms, id, "READY");

        // Wrong and revoked credentials are logged as failures, never with the credential.
        String junk = "lps_" + "x".repeat(43);
        secrets.add(junk);
        Api.as(junk).get("/api/v1/labs").then().statusCode(401);
        var client = Api.asAdmin().body(java.util.Map.of("name", "to-revoke", "scopes", List.of("labs:read")))
                .post("/api/v1/admin/clients").then().statusCode(201).extract();
        String revoked = client.path("secret");
        secrets.add(revoked);
        Api.asAdmin().delete("/api/v1/admin/clients/" + client.path("id")).then().statusCode(200);
        Api.as(revoked).get("/api/v1/labs").then().statusCode(401);

        // The learner's link, kubeconfig, a check and SQL with a password in it.
        RestAssured.given().get("/learn/" + token).then().statusCode(200);
        RestAssured.given().get("/learn/" + token + "/kubeconfig").then().statusCode(200);
        RestAssured.given().post("/learn/" + token + "/checkpoints/write-data/validate").then().statusCode(200);
        String sqlSecret = "pw-" + java.util.UUID.randomUUID();
        secrets.add(sqlSecret);
        RestAssured.given().contentType("text/plain").body("SELECT '" + sqlSecret + "' AS s, nonsense_column")
                .post("/learn/" + token + "/pods/postgres-0/sql").then().statusCode(400);
        RestAssured.given().get("/learn/" + token.substring(0, token.length() - 2) + "xx").then().statusCode(404);

        var secret = k8s.secrets().inNamespace(created.path("namespace")).withName(LabNames.POSTGRES_SECRET).get();
        // The in-process API keeps stringData as written (a real API server turns it into data).
        secrets.add(secret.getData() != null && secret.getData().containsKey(LabNames.POSTGRES_PASSWORD_KEY)
                ? new String(Base64.getDecoder().decode(secret.getData().get(LabNames.POSTGRES_PASSWORD_KEY)), StandardCharsets.UTF_8)
                : secret.getStringData().get(LabNames.POSTGRES_PASSWORD_KEY));
        Api.as(lms).delete("/api/v1/labs/" + id).then().statusCode(202);
        Api.awaitState(lms, id, "DELETED");

        String log = Files.readString(LOG);
        assertThat(log).as("the test's own actions are in the log").contains(id);
        for (String s : secrets) {
            assertThat(log).as("the log must not contain a secret").doesNotContain(s);
        }
    }
}
