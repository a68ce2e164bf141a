package dev.labprovisioner.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.labprovisioner.cluster.LabNames;
import dev.labprovisioner.cluster.PodSecurityProbe;
import dev.labprovisioner.sandbox.ClaimDatabases;
import dev.labprovisioner.sandbox.EmbeddedPostgresServer;
import dev.labprovisioner.sandbox.controlplane.ControlPlane;
import dev.labprovisioner.sandbox.controlplane.ControlPlaneProfile;
import dev.labprovisioner.sandbox.controlplane.NodeAgent;
import dev.labprovisioner.sandbox.controlplane.ServiceAudit;
import dev.labprovisioner.sandbox.controlplane.ServiceIdentity;
import dev.labprovisioner.webhook.Receiver;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The packaged app in real mode (the prod profile) against upstream's control plane that it does not host: etcd,
 * kube-apiserver and kube-controller-manager v1.20.2 and the node agent run here, in the test's JVM, and outlive the
 * service. The service runs as its own ServiceAccount, bound to the files of {@code k8s/}, as a deployment would.
 * It is killed with SIGKILL while 50 labs provision, started again, and every lab converges: all READY, one lab and
 * one namespace each, no namespace that no lab owns, and no request of the service refused with 403 or 422. Killed
 * again while 40 labs provision, a replica with another name takes its labs over within seconds of being up. Killed
 * between a lab.ready's commit and its delivery, the restarted service delivers it, once, signed, with its webhook-id.
 */
@EnabledIf("dev.labprovisioner.sandbox.controlplane.ControlPlaneProfile#runs")
class RealModeControlPlaneIT {

    private static final String ADMIN = "real-mode-control-plane-it-admin-0123456789";
    private static final int LABS = 50;
    private static final int TAKEOVER_LABS = 40;
    /** Labs of the takeover test with work left whose lease a replica ({@code %s}, any run of it) holds or held. */
    private static final String DEAD_LEASES_ON_LABS_IN_PROGRESS = "SELECT count(*) FROM labs WHERE course_id = 'takeover'"
            + " AND state IN ('REQUESTED', 'PROVISIONING') AND lease_owner LIKE '%s/%%'";
    private static final Path DIR = Path.of("target/real-mode-control-plane-it").toAbsolutePath();

    static EmbeddedPostgresServer postgres;
    static ControlPlane plane;
    static KubernetesClient admin;
    static KubernetesClient agentClient;
    static ClaimDatabases volumes;
    static NodeAgent agent;
    static Map<String, String> serviceEnv;
    static TcpProxy apiServer;
    static Process service;
    static Path serviceLog;
    static int port;
    static int starts;

    @BeforeAll
    static void start() throws Exception {
        var binaries = ControlPlane.Binaries.find(Optional.ofNullable(System.getenv("LABS_SANDBOX_CONTROL_PLANE_BIN")))
                .orElseThrow(() -> new AssertionError("the control plane is required: bash sandbox-cluster/build-control-plane.sh"));
        postgres = EmbeddedPostgresServer.start(DIR.resolve("postgres"));
        plane = ControlPlane.start(binaries, DIR.resolve("control-plane"), "127.0.0.1");
        admin = new KubernetesClientBuilder().withConfig(plane.adminConfig()).build();
        String token = ServiceIdentity.create(admin);
        volumes = new ClaimDatabases(postgres.jdbcUrl("postgres"));
        agentClient = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(
                Files.readString(DIR.resolve("control-plane").resolve(ControlPlane.NODE_AGENT_KUBECONFIG)))).build();
        // A node large enough for every lab's pod: scheduling is not what this test is about.
        agent = new NodeAgent(agentClient, new NodeAgent.Settings(Duration.ofMillis(200), Duration.ofMillis(500), 200, image -> true), volumes);
        agent.start();

        try (var socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        serviceEnv = new HashMap<>();
        serviceEnv.put("QUARKUS_HTTP_PORT", Integer.toString(port));
        serviceEnv.put("QUARKUS_DATASOURCE_JDBC_URL", postgres.jdbcUrl(EmbeddedPostgresServer.SERVICE_DATABASE));
        serviceEnv.put("QUARKUS_DATASOURCE_USERNAME", postgres.user());
        // The service reaches the API server through a relay the tests can cut.
        apiServer = new TcpProxy(java.net.URI.create(plane.url()).getPort());
        serviceEnv.put("QUARKUS_KUBERNETES_CLIENT_API_SERVER_URL", "https://127.0.0.1:" + apiServer.port());
        serviceEnv.put("QUARKUS_KUBERNETES_CLIENT_TOKEN", token);
        serviceEnv.put("QUARKUS_KUBERNETES_CLIENT_CA_CERT_FILE", plane.caCertificate().toString());
        serviceEnv.put("LABS_ADMIN_BOOTSTRAP_TOKEN", ADMIN);
        serviceEnv.put("LABS_LEARNER_SIGNING_KEY", Base64.getEncoder().encodeToString(new byte[32]));
        serviceEnv.put("LABS_LTI_KEY_ENCRYPTION_KEY", Base64.getEncoder().encodeToString(new byte[32]));
        serviceEnv.put("LABS_PUBLIC_BASE_URL", "http://127.0.0.1:" + port);
        // Kubernetes 1.20 has no Pod Security admission: accepted here, and refused by default (see the test below).
        serviceEnv.put("LABS_CLUSTER_POD_SECURITY_CHECK", "warn");
        // The name a pod would have: the restarted service is the same replica, and takes back its leases at once.
        serviceEnv.put("LABS_RECONCILER_REPLICA_ID", "lab-provisioner-0");
        // The webhook test's receiver is this JVM's, on 127.0.0.1 over plain http: real mode refuses both by default.
        serviceEnv.put("LABS_WEBHOOKS_ALLOW_HTTP", "true");
        serviceEnv.put("LABS_WEBHOOKS_ALLOW_PRIVATE_ADDRESSES", "true");
        RestAssured.baseURI = "http://127.0.0.1";
        RestAssured.port = port;
        startService();
    }

    /** Starts the service with {@code serviceEnv} (the replica named there) and waits until it is ready. */
    static void startService() throws IOException {
        serviceLog = DIR.resolve("service-" + (++starts) + ".log");
        service = PackagedService.start(serviceEnv, serviceLog);
        PackagedService.awaitReady();
    }

    @AfterAll
    static void stop() throws Exception {
        if (service != null) {
            service.destroy();
            service.waitFor(30, TimeUnit.SECONDS);
        }
        if (apiServer != null) {
            apiServer.close();
        }
        if (agent != null) {
            agent.close();
            agentClient.close();
        }
        if (volumes != null) {
            volumes.close();
        }
        if (admin != null) {
            admin.close();
        }
        if (plane != null) {
            plane.close();
        }
        if (postgres != null) {
            postgres.close();
        }
        RestAssured.reset();
    }

    @Test
    void killedWhileFiftyLabsProvisionTheServiceComesBackAndEveryLabConvergesOnce() throws Exception {
        String secret = RestAssured.given().auth().oauth2(ADMIN).contentType(ContentType.JSON)
                .body(Map.of("name", "lms", "scopes", List.of("labs:read", "labs:write")))
                .post("/api/v1/admin/clients").then().statusCode(201).extract().path("secret");
        // An LMS enrols a class: 50 creates at once, each with its Idempotency-Key. Mid-way (some labs have objects in
        // the cluster, others are not even created yet) the service is killed with SIGKILL: no shutdown hook runs, no
        // lease is released, and the creates in flight fail as a network error.
        var lms = java.util.concurrent.Executors.newFixedThreadPool(8);
        for (int i = 0; i < LABS; i++) {
            int learner = i;
            lms.submit(() -> create(secret, learner));
        }
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
                .until(() -> count("SELECT count(*) FROM labs WHERE course_id = 'crash' AND provisioning_started_at IS NOT NULL") >= 3);
        service.destroyForcibly();
        assertThat(service.waitFor(30, TimeUnit.SECONDS)).isTrue();
        lms.shutdown();
        assertThat(lms.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
        assertThat(count("SELECT count(*) FROM labs WHERE course_id = 'crash' AND state = 'READY'")).as("killed while provisioning").isLessThan(LABS);
        // The dead run's leases, expired or not: all of them the restarted replica frees.
        int heldByTheDeadRun = count("SELECT count(*) FROM labs WHERE lease_owner LIKE '" + serviceEnv.get("LABS_RECONCILER_REPLICA_ID") + "/%'");

        startService();
        // The LMS retries every create it is not sure of (here: all of them), with the same keys.
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < LABS; i++) {
            var answer = create(secret, i);
            assertThat(answer.statusCode()).isIn(200, 202);
            ids.add(answer.path("id"));
        }
        await().atMost(Duration.ofSeconds(45)).pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> assertThat(ids.stream().filter(id -> !"READY".equals(state(secret, id))).toList()).isEmpty());

        // One lab per create, one namespace per lab, and nothing the labs do not own.
        JsonNode page = new ObjectMapper().readTree(RestAssured.given().auth().oauth2(secret)
                .get("/api/v1/labs?courseId=crash&size=100").then().statusCode(200).extract().asString());
        assertThat(page.path("total").asInt()).isEqualTo(LABS);
        Set<String> labNamespaces = new java.util.HashSet<>();
        page.path("items").forEach(lab -> labNamespaces.add(lab.path("namespace").asText()));
        assertThat(labNamespaces).hasSize(LABS);
        assertEveryLabHasOneNamespaceWithItsReadyStatefulSetAndNothingElseIsLeft(labNamespaces);
        // The restarted replica took back the dead run's leases at once, and says so; the API server refused nothing the
        // service asked for, across both runs.
        if (heldByTheDeadRun > 0) {
            assertThat(Files.readString(serviceLog)).contains("Released " + heldByTheDeadRun + " lab lease(s)");
        }
        assertThat(ServiceAudit.refused(DIR.resolve("control-plane/logs/audit.log"), ServiceIdentity.USERNAME)).isEmpty();
    }

    @Test
    void killedWhileLabsProvisionAnotherReplicaTakesOverItsLabsWithinSeconds() throws Exception {
        String secret = RestAssured.given().auth().oauth2(ADMIN).contentType(ContentType.JSON)
                .body(Map.of("name", "lms-takeover", "scopes", List.of("labs:read", "labs:write")))
                .post("/api/v1/admin/clients").then().statusCode(201).extract().path("secret");
        String replica = serviceEnv.get("LABS_RECONCILER_REPLICA_ID");
        // A class enrols: every create is answered (so nothing is left to re-send), and the replica provisions them.
        var lms = java.util.concurrent.Executors.newFixedThreadPool(8);
        var creates = new ArrayList<java.util.concurrent.Future<String>>();
        for (int i = 0; i < TAKEOVER_LABS; i++) {
            int learner = i;
            creates.add(lms.submit(() -> RestAssured.given().auth().oauth2(secret).contentType(ContentType.JSON)
                    .body(Map.of("learnerId", "learner-" + learner, "courseId", "takeover", "template", "postgres-statefulset"))
                    .post("/api/v1/labs").then().statusCode(202).extract().<String>path("id")));
        }
        List<String> ids = new ArrayList<>();
        for (var create : creates) {
            ids.add(create.get(60, TimeUnit.SECONDS));
        }
        lms.shutdown();
        // Killed (SIGKILL) mid-way, while it holds leases: half the class is READY, the rest half made or not started, and
        // nothing releases the leases it held.
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(20)).until(() ->
                count("SELECT count(*) FROM labs WHERE course_id = 'takeover' AND state = 'READY'") >= TAKEOVER_LABS / 2
                        && count(DEAD_LEASES_ON_LABS_IN_PROGRESS.formatted(replica) + " AND lease_until > now()") >= 1);
        service.destroyForcibly();
        assertThat(service.waitFor(30, TimeUnit.SECONDS)).isTrue();
        int notReadyWhenKilled = TAKEOVER_LABS - count("SELECT count(*) FROM labs WHERE course_id = 'takeover' AND state = 'READY'");
        assertThat(notReadyWhenKilled).as("killed while provisioning").isPositive();
        // Usually it still held a lease when it died; not always: a pass holds its lab's lease only while it runs, and one
        // can end between the check above and the kill. LabLeaseTakeoverTests proves a dead holder's lease is waited out.
        int heldByTheDeadReplica = count(DEAD_LEASES_ON_LABS_IN_PROGRESS.formatted(replica));

        // Another replica, another name: it may not free the dead one's leases; it waits them out (the 10 s default lease).
        // Every lab is READY within 15 s of it being up (its own start, a JVM's, is not the leases' doing).
        serviceEnv.put("LABS_RECONCILER_REPLICA_ID", replica + "-other");
        long killedToLaunch = System.nanoTime();
        startService();
        long up = System.nanoTime();
        int stillHeldWhenUp = count(DEAD_LEASES_ON_LABS_IN_PROGRESS.formatted(replica) + " AND lease_until > now()");
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(250))
                .untilAsserted(() -> assertThat(ids.stream().filter(id -> !"READY".equals(state(secret, id))).toList()).isEmpty());
        System.out.printf("Takeover by another replica: %d labs, %d not READY and %d leased by the killed replica when it died (%d "
                        + "leases still live when the other replica was up, %d ms after its launch), all READY %d ms after it was up%n",
                TAKEOVER_LABS, notReadyWhenKilled, heldByTheDeadReplica, stillHeldWhenUp, (up - killedToLaunch) / 1_000_000,
                (System.nanoTime() - up) / 1_000_000);

        assertThat(Files.readString(serviceLog)).as("another replica frees no lease; it waits them out").doesNotContain("Released ");
        assertThat(count(DEAD_LEASES_ON_LABS_IN_PROGRESS.formatted(replica))).isZero();
        Set<String> labNamespaces = new java.util.HashSet<>(strings("SELECT namespace FROM labs WHERE course_id = 'takeover'"));
        assertThat(labNamespaces).hasSize(TAKEOVER_LABS);
        assertEveryLabHasOneNamespaceWithItsReadyStatefulSetAndNothingElseIsLeft(labNamespaces);
        assertThat(ServiceAudit.refused(DIR.resolve("control-plane/logs/audit.log"), ServiceIdentity.USERNAME)).isEmpty();
    }

    @Test
    void killedBetweenTheCommitAndTheDeliveryTheRestartedServiceDeliversTheEventOnceSignedWithItsWebhookId() throws Exception {
        String secret = RestAssured.given().auth().oauth2(ADMIN).contentType(ContentType.JSON)
                .body(Map.of("name", "lms-webhooks", "scopes", List.of("labs:read", "labs:write")))
                .post("/api/v1/admin/clients").then().statusCode(201).extract().path("secret");
        // The LMS's endpoint is down (nothing listens on its port) when it subscribes and a lab gets READY.
        int receiverPort = Receiver.freePort();
        var subscription = RestAssured.given().auth().oauth2(secret).contentType(ContentType.JSON)
                .body(Map.of("url", Receiver.url(receiverPort), "events", List.of("lab.ready")))
                .post("/api/v1/webhooks").then().statusCode(201).extract();
        String signingSecret = subscription.path("secret");
        String subscriptionId = subscription.path("id");
        String lab = RestAssured.given().auth().oauth2(secret).contentType(ContentType.JSON)
                .body(Map.of("learnerId", "learner-webhook", "courseId", "webhook-kill", "template", "postgres-statefulset"))
                .post("/api/v1/labs").then().statusCode(202).extract().path("id");

        // lab.ready committed with the READY state, its first attempt refused: the outbox holds it, undelivered. Killed
        // (SIGKILL) at once, before its retry (about 5 s later by the default schedule) would be made.
        String pendingAfterAFailedAttempt = "SELECT e.message_id FROM outbox_events e JOIN outbox_deliveries d ON d.event_id = e.id"
                + " WHERE e.type = 'lab.ready' AND e.ordering_key = '" + lab + "' AND d.destination = '" + subscriptionId + "'"
                + " AND d.state = 'PENDING' AND d.attempts >= 1";
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(50)).until(() -> !strings(pendingAfterAFailedAttempt).isEmpty());
        service.destroyForcibly();
        assertThat(service.waitFor(30, TimeUnit.SECONDS)).isTrue();
        List<String> recorded = strings(pendingAfterAFailedAttempt);
        assertThat(recorded).as("undelivered when killed").hasSize(1);
        String webhookId = recorded.get(0);
        assertThat(count("SELECT count(*) FROM labs WHERE id = '" + lab + "' AND state = 'READY'")).isEqualTo(1);

        // The endpoint comes back, then the service: what the dead run could not send goes out, once, as it was recorded.
        try (var receiver = new Receiver(receiverPort)) {
            startService();
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> !receiver.received().isEmpty());
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).until(() -> receiver.received().size() == 1);
            Receiver.Received ready = receiver.received().get(0);
            assertThat(ready.type()).isEqualTo("lab.ready");
            assertThat(ready.json().getString("data.lab.id")).isEqualTo(lab);
            assertThat(ready.json().getString("data.lab.state")).isEqualTo("READY");
            assertThat(ready.id()).isEqualTo(webhookId).startsWith("msg_");
            assertThat(Receiver.verifies(signingSecret, ready)).as("signed with the subscription's secret").isTrue();
            // What the LMS sees: one delivery, DELIVERED, with the refused attempt (no status) before the 200.
            RestAssured.given().auth().oauth2(secret).get("/api/v1/webhooks/" + subscriptionId + "/deliveries").then().statusCode(200)
                    .body("total", org.hamcrest.Matchers.equalTo(1))
                    .body("items[0].webhookId", org.hamcrest.Matchers.equalTo(webhookId))
                    .body("items[0].state", org.hamcrest.Matchers.equalTo("DELIVERED"))
                    .body("items[0].attempts[0].status", org.hamcrest.Matchers.nullValue())
                    .body("items[0].attempts[-1].status", org.hamcrest.Matchers.equalTo(200));
        }
    }

    /** Each namespace holds one StatefulSet with postgres-0 Ready, and every namespace labelled as ours is a lab's. */
    private static void assertEveryLabHasOneNamespaceWithItsReadyStatefulSetAndNothingElseIsLeft(Set<String> labNamespaces) throws Exception {
        Set<String> clusterNamespaces = admin.namespaces().withLabel(LabNames.MANAGED_BY_LABEL, LabNames.MANAGED_BY)
                .withoutLabel(PodSecurityProbe.PROBE_LABEL).list().getItems()
                .stream().map(Namespace::getMetadata).map(m -> m.getName()).collect(Collectors.toSet());
        assertThat(clusterNamespaces).containsAll(labNamespaces);
        assertThat(strings("SELECT namespace FROM labs WHERE state <> 'DELETED'")).containsAll(clusterNamespaces);
        for (String namespace : labNamespaces) {
            assertThat(admin.apps().statefulSets().inNamespace(namespace).list().getItems()).hasSize(1);
            assertThat(admin.pods().inNamespace(namespace).withName("postgres-0").get().getStatus().getConditions())
                    .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
        }
    }

    @Test
    void onAClusterThatDoesNotEnforcePodSecurityRealModeRefusesToStartUnlessTheRiskIsAccepted() throws Exception {
        // The running service (warn) says what it found; a second one with the default (require) will not start.
        assertThat(Files.readString(DIR.resolve("service-1.log"))).contains("Pod Security is NOT enforced in lab namespaces");
        Map<String, String> env = new HashMap<>(serviceEnv);
        env.remove("LABS_CLUSTER_POD_SECURITY_CHECK");
        env.put("QUARKUS_HTTP_PORT", "0");
        env.put("LABS_RECONCILER_REPLICA_ID", "lab-provisioner-refused");
        Path log = DIR.resolve("service-require.log");
        Process refused = PackagedService.start(env, log);
        assertThat(refused.waitFor(90, TimeUnit.SECONDS)).as("real mode kept running on a cluster without Pod Security").isTrue();
        assertThat(refused.exitValue()).isNotZero();
        assertThat(Files.readString(log)).contains("does not prove that it enforces Pod Security", "a privileged pod was accepted",
                "LABS_CLUSTER_POD_SECURITY_CHECK", "Refusing to start");
        // Its probe cleaned up after itself: the probe namespaces go (the namespace controller takes a few seconds).
        await().atMost(Duration.ofSeconds(60)).until(() -> admin.namespaces().withLabel(PodSecurityProbe.PROBE_LABEL).list().getItems()
                .stream().allMatch(n -> n.getMetadata().getDeletionTimestamp() != null));
    }

    @Test
    void whileTheApiServerIsUnreachableTheServiceIsNotReadyAndItHealsWhenItIsBack() {
        String secret = RestAssured.given().auth().oauth2(ADMIN).contentType(ContentType.JSON)
                .body(Map.of("name", "lms-outage", "scopes", List.of("labs:read", "labs:write")))
                .post("/api/v1/admin/clients").then().statusCode(201).extract().path("secret");
        RestAssured.given().get("/q/health/ready").then().statusCode(200);

        apiServer.cut();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                .until(() -> RestAssured.given().get("/q/health/ready").statusCode() == 503);
        String body = RestAssured.given().get("/q/health/ready").then().statusCode(503).extract().asString();
        // Unauthenticated: what is down, in a word, and nothing of the error or the address.
        assertThat(body).contains("unreachable").doesNotContain("127.0.0.1", "Exception", "refused", "https://");
        // The API still takes what needs only the database: a create is accepted, and provisioned once the cluster is back.
        String id = RestAssured.given().auth().oauth2(secret).contentType(ContentType.JSON)
                .body(Map.of("learnerId", "during-outage", "courseId", "outage", "template", "postgres-statefulset"))
                .post("/api/v1/labs").then().statusCode(202).extract().path("id");

        apiServer.restore();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                .until(() -> RestAssured.given().get("/q/health/ready").statusCode() == 200);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> "READY".equals(state(secret, id)));
    }

    private static io.restassured.response.Response create(String secret, int learner) {
        return RestAssured.given().auth().oauth2(secret).contentType(ContentType.JSON).header("Idempotency-Key", "enrol-crash-" + learner)
                .body(Map.of("learnerId", "learner-" + learner, "courseId", "crash", "template", "postgres-statefulset"))
                .post("/api/v1/labs");
    }

    /** The service's database, read directly (the service may be down). */
    private static int count(String sql) throws java.sql.SQLException {
        return Integer.parseInt(strings(sql).get(0));
    }

    private static List<String> strings(String sql) throws java.sql.SQLException {
        try (var c = java.sql.DriverManager.getConnection(postgres.jdbcUrl(EmbeddedPostgresServer.SERVICE_DATABASE), postgres.user(), "");
             var rs = c.createStatement().executeQuery(sql)) {
            List<String> values = new ArrayList<>();
            while (rs.next()) {
                values.add(rs.getString(1));
            }
            return values;
        }
    }

    private static String state(String secret, String id) {
        return RestAssured.given().auth().oauth2(secret).get("/api/v1/labs/" + id).then().statusCode(200).extract().path("state");
    }
}
