package dev.labprovisioner.it;

import dev.labprovisioner.sandbox.ClaimDatabases;
import dev.labprovisioner.sandbox.EmbeddedPostgresServer;
import dev.labprovisioner.sandbox.SandboxKubernetesApi;
import dev.labprovisioner.sandbox.StatefulSetSimulator;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/**
 * The packaged app in real mode (the prod profile), against a cluster it does not host: the sandbox's API and
 * simulator run here, in the test's JVM, and the service reaches them like any cluster. What changes from
 * sandbox mode is visible: the SQL endpoint is absent, data checks go through a Kubernetes exec (which this
 * API cannot do, so the learner reads why), and the checks that read the cluster work as they do on a cluster.
 */
class RealModeIT {

    static EmbeddedPostgresServer postgres;
    static SandboxKubernetesApi api;
    static ClaimDatabases volumes;
    static KubernetesClient simulatorClient;
    static StatefulSetSimulator simulator;
    static Process service;
    static Path log;
    static final String ADMIN = "real-mode-it-admin-token-0123456789";

    @BeforeAll
    static void start() throws Exception {
        postgres = EmbeddedPostgresServer.start(Path.of("target/real-mode-service-it").toAbsolutePath());
        // The imitation as an API server: TLS, and the service with its own ServiceAccount's token, confined by k8s/.
        api = SandboxKubernetesApi.startSecured(0);
        volumes = new ClaimDatabases(postgres.jdbcUrl("postgres"));
        simulatorClient = new KubernetesClientBuilder().withConfig(new ConfigBuilder(api.clientConfig(api.adminToken()))
                .withUserAgent(SandboxKubernetesApi.SIMULATOR_USER_AGENT).build()).build();
        simulator = new StatefulSetSimulator(simulatorClient, new StatefulSetSimulator.Settings(Duration.ofMillis(100), 4, i -> false), volumes);
        simulator.start();

        int port;
        try (var socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        log = Path.of("target/real-mode-service-it.log");
        var env = new java.util.HashMap<String, String>();
        env.put("QUARKUS_HTTP_PORT", Integer.toString(port));
        env.put("QUARKUS_DATASOURCE_JDBC_URL", postgres.jdbcUrl(EmbeddedPostgresServer.SERVICE_DATABASE));
        env.put("QUARKUS_DATASOURCE_USERNAME", postgres.user());
        env.put("QUARKUS_KUBERNETES_CLIENT_API_SERVER_URL", api.url());
        Path ca = Path.of("target/real-mode-service-it-ca.crt").toAbsolutePath();
        java.nio.file.Files.writeString(ca, api.caCertificatePem());
        env.put("QUARKUS_KUBERNETES_CLIENT_CA_CERT_FILE", ca.toString());
        env.put("QUARKUS_KUBERNETES_CLIENT_TRUST_CERTS", "false");
        env.put("QUARKUS_KUBERNETES_CLIENT_TOKEN", api.serviceToken());
        env.put("QUARKUS_KUBERNETES_CLIENT_NAMESPACE", "lab-provisioner");
        env.put("LABS_ADMIN_BOOTSTRAP_TOKEN", ADMIN);
        env.put("LABS_LEARNER_SIGNING_KEY", Base64.getEncoder().encodeToString(new byte[32]));
        env.put("LABS_LTI_KEY_ENCRYPTION_KEY", Base64.getEncoder().encodeToString(new byte[32]));
        env.put("LABS_PUBLIC_BASE_URL", "http://127.0.0.1:" + port);
        // The imitation has no Pod Security admission; real mode would (rightly) refuse to start on it.
        env.put("LABS_CLUSTER_POD_SECURITY_CHECK", "warn");
        service = PackagedService.start(env, log);
        RestAssured.baseURI = "http://127.0.0.1";
        RestAssured.port = port;
        PackagedService.awaitReady();
    }

    @AfterAll
    static void stop() throws Exception {
        if (service != null) {
            service.destroy();
            service.waitFor(30, TimeUnit.SECONDS);
        }
        simulator.close();
        simulatorClient.close();
        volumes.close();
        api.close();
        postgres.close();
        RestAssured.reset();
    }

    @Test
    void aLabInRealModeIsCheckedThroughTheClusterAndHasNoSandboxSql() throws Exception {
        String secret = RestAssured.given().auth().oauth2(ADMIN).contentType(ContentType.JSON)
                .body(Map.of("name", "lms", "scopes", List.of("labs:read", "labs:write")))
                .post("/api/v1/admin/clients").then().statusCode(201).extract().path("secret");
        var created = RestAssured.given().auth().oauth2(secret).contentType(ContentType.JSON)
                .body(Map.of("learnerId", "learner-1", "template", "postgres-statefulset"))
                .post("/api/v1/labs").then().statusCode(202).extract();
        String id = created.path("id");
        String url = created.path("learnerUrl");
        String path = url.substring(url.indexOf("/learn/"));
        await().atMost(Duration.ofSeconds(60)).until(() ->
                "READY".equals(RestAssured.given().auth().oauth2(secret).get("/api/v1/labs/" + id).then().extract().path("state")));

        // Checks that read the cluster work as on any cluster.
        RestAssured.given().auth().oauth2(secret).post("/api/v1/labs/" + id + "/checkpoints/stable-identity/validate").then()
                .statusCode(200).body("status", equalTo("PASSED"));
        // Data checks exec psql in the pod; this API cannot exec, and the learner is told why, in words: what was run
        // where, what the API server answered, and which checkpoints wait on it.
        RestAssured.given().auth().oauth2(secret).post("/api/v1/labs/" + id + "/checkpoints/write-data/validate").then()
                .statusCode(200).body("status", equalTo("FAILED"))
                .body("message", containsString("Could not run psql in postgres-0 (kubectl exec postgres-0 -c postgres in namespace "))
                .body("message", containsString("the API server refused the exec with HTTP 400 (the container is not running"))
                .body("message", containsString("these checkpoints cannot be judged: write-data, scale-down-retains-volumes, pod-identity-survives-deletion"))
                .body("message", org.hamcrest.Matchers.not(containsString("An error has occurred")));
        // The sandbox's SQL endpoint does not exist here: on a cluster, kubectl exec is the way.
        RestAssured.given().contentType("text/plain").body("SELECT 1").post(path + "/pods/postgres-0/sql").then()
                .statusCode(404).contentType("application/problem+json").body("detail", containsString("kubectl exec"));
        // The kubeconfig carries a token from the TokenRequest API for the learner's ServiceAccount.
        String kubeconfig = RestAssured.given().get(path + "/kubeconfig").then().statusCode(200).extract().asString();
        org.assertj.core.api.Assertions.assertThat(kubeconfig).contains("namespace: " + created.path("namespace")).contains("token: ")
                .contains("token: tokenrequest-");
        // The page has no SQL box and does not call itself a sandbox.
        RestAssured.given().get(path).then().statusCode(200).body(org.hamcrest.Matchers.not(containsString("id=\"sql-form\"")))
                .body(org.hamcrest.Matchers.not(containsString("This lab runs in a sandbox")));
        String output = Files.readString(log);
        org.assertj.core.api.Assertions.assertThat(output).doesNotContain("SANDBOX MODE").doesNotContain(ADMIN).doesNotContain(secret);
    }
}
