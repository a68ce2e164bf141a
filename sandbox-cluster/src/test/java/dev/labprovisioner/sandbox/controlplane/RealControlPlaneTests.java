package dev.labprovisioner.sandbox.controlplane;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.labprovisioner.Api;
import dev.labprovisioner.cluster.LabNames;
import dev.labprovisioner.sandbox.Kubectl;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The service and the learner on upstream's control plane, as DESIGN §8 asks: the service provisions as its own
 * ServiceAccount (bound to {@code k8s/clusterrole.yaml}) and the API server never refuses it; the learner's
 * kubeconfig holds a TokenRequest token confined to their namespace; the whole lab is done with kubectl, watch
 * included, and judged on the real StatefulSet controller; a stuck rolling update is repaired as step 10 says; a lab
 * is torn down by the real namespace controller; the sweeper removes what no lab owns.
 */
@QuarkusTest
@TestProfile(ControlPlaneProfile.class)
@EnabledIf("dev.labprovisioner.sandbox.controlplane.ControlPlaneProfile#runs")
class RealControlPlaneTests {

    private static final Duration SETTLE = Duration.ofSeconds(60);
    private static final String SERVICE = ServiceIdentity.USERNAME;
    private static KubernetesClient admin;

    @BeforeAll
    static void connect() throws IOException {
        admin = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(
                Files.readString(ControlPlaneProfile.dir().resolve("admin.kubeconfig")))).build();
    }

    @AfterAll
    static void disconnect() {
        if (admin != null) {
            admin.close();
        }
    }

    /** A READY lab and its learner's kubectl, from the kubeconfig their link serves. */
    private record Lab(String lms, String id, String token, String namespace, Kubectl kubectl) implements AutoCloseable {
        static Lab ready(Path binary) {
            String lms = Api.lmsClient();
            var created = Api.createLab(lms, Api.unique("learner"), "control-plane").statusCode(202).extract();
            String id = created.path("id");
            Api.awaitState(lms, id, "READY", SETTLE);
            String url = created.path("learnerUrl");
            String token = url.substring(url.lastIndexOf('/') + 1);
            String kubeconfig = given().get("/learn/" + token + "/kubeconfig").then().statusCode(200).extract().asString();
            // The page tells the learner what this sandbox's engine does as a cluster would, and what it cannot (exec, logs).
            given().get("/learn/" + token).then().statusCode(200)
                    .body(org.hamcrest.Matchers.containsString("data-engine=\"control-plane\""),
                            org.hamcrest.Matchers.not(org.hamcrest.Matchers.containsString("data-engine=\"imitation\"")));
            return new Lab(lms, id, token, created.path("namespace"), Kubectl.with(binary, kubeconfig, created.path("namespace")));
        }

        String check(String checkpoint) {
            return Api.as(lms).post("/api/v1/labs/" + id + "/checkpoints/" + checkpoint + "/validate").then()
                    .statusCode(200).extract().path("status");
        }

        void awaitPassed(String checkpoint) {
            await().atMost(SETTLE).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> assertThat(check(checkpoint))
                    .as(checkpoint + ": " + Api.as(lms).post("/api/v1/labs/" + id + "/checkpoints/" + checkpoint + "/validate")
                            .then().extract().path("message"))
                    .isEqualTo("PASSED"));
        }

        void sql(String pod, String sql) {
            given().contentType(ContentType.TEXT).accept(ContentType.JSON).body(sql)
                    .post("/learn/" + token + "/pods/" + pod + "/sql").then().statusCode(200);
        }

        @Override
        public void close() {
            kubectl.close();
        }
    }

    @Test
    void theServiceProvisionsAsItsOwnServiceAccountAndTheApiServerNeverRefusesIt() {
        Path kubectl = Kubectl.require();
        try (Lab lab = Lab.ready(kubectl)) {
            List<JsonNode> audit = ServiceAudit.events(ControlPlaneProfile.dir().resolve("logs/audit.log"));
            // Every object of the lab was written by the service's ServiceAccount, not by an administrator (the controller
            // manager adds the namespace's default ServiceAccount and its token Secret, as on any 1.20 cluster).
            List<String> written = audit.stream().filter(e -> e.path("verb").asText().matches("create|patch|update")
                            && lab.namespace.equals(e.path("objectRef").path("namespace").asText())
                            && e.path("objectRef").path("subresource").isMissingNode()
                            && e.path("objectRef").path("resource").asText().matches("statefulsets|services|secrets|rolebindings"
                            + "|serviceaccounts|resourcequotas|limitranges|networkpolicies"))
                    .map(e -> e.path("user").path("username").asText() + " " + e.path("objectRef").path("resource").asText())
                    .filter(w -> !w.startsWith(ControlPlane.CONTROLLER_MANAGER + " "))
                    .distinct().sorted().toList();
            assertThat(written).contains(SERVICE + " statefulsets", SERVICE + " services", SERVICE + " secrets",
                    SERVICE + " rolebindings", SERVICE + " networkpolicies");
            assertThat(written).allMatch(w -> w.startsWith(SERVICE + " "), "written only by the service");
            assertThat(admin.namespaces().withName(lab.namespace).get().getMetadata().getLabels())
                    .containsEntry(LabNames.MANAGED_BY_LABEL, LabNames.MANAGED_BY);
        }
        // Nothing the service asked for, in this class's whole run so far, was Forbidden or Invalid.
        List<String> refused = ServiceAudit.refused(ControlPlaneProfile.dir().resolve("logs/audit.log"), SERVICE);
        assertThat(refused).isEmpty();
    }

    @Test
    void theLearnersKubeconfigCanDoWhatTheLabTeachesInTheirNamespaceAndNothingElse() throws IOException {
        Path kubectl = Kubectl.require();
        try (Lab lab = Lab.ready(kubectl); Lab other = Lab.ready(kubectl)) {
            String token = lab.kubectl.ok("config", "view", "--minify", "--raw", "-o", "jsonpath={.users[0].user.token}");
            assertThat(token).startsWith("eyJ");
            // A kubeconfig downloaded before an extend keeps working after it: the token lives as long as the lab may.
            String expiresAt = Api.as(lab.lms).contentType(ContentType.JSON).body("{\"minutes\":480}")
                    .post("/api/v1/labs/" + lab.id + "/extend").then().statusCode(200).extract().path("expiresAt");
            long tokenExpiry = new ObjectMapper().readTree(java.util.Base64.getUrlDecoder().decode(token.split("\\.")[1])).path("exp").asLong();
            assertThat(java.time.Instant.ofEpochSecond(tokenExpiry)).isAfter(java.time.Instant.parse(expiresAt));
            String own = lab.namespace;
            for (String grant : List.of("get pods", "list pods", "watch pods", "delete pods", "create pods/exec", "get pods/log",
                    "get statefulsets.apps", "create statefulsets.apps", "patch statefulsets.apps", "delete statefulsets.apps",
                    "update statefulsets.apps/scale", "get persistentvolumeclaims", "create persistentvolumeclaims",
                    "delete persistentvolumeclaims", "get services", "list events", "list endpoints")) {
                assertThat(canI(lab, own, grant)).as("learner can " + grant + " in " + own).isEqualTo("yes");
                assertThat(canI(lab, other.namespace, grant)).as("learner cannot " + grant + " in another lab").isEqualTo("no");
            }
            for (String denied : List.of("get secrets", "create pods", "create rolebindings.rbac.authorization.k8s.io",
                    "create roles.rbac.authorization.k8s.io", "patch services", "delete resourcequotas", "delete networkpolicies.networking.k8s.io",
                    "create serviceaccounts/token")) {
                assertThat(canI(lab, own, denied)).as("learner cannot " + denied + " in their own namespace").isEqualTo("no");
            }
            for (String clusterScoped : List.of("list namespaces", "delete namespaces", "create namespaces", "list nodes",
                    "create persistentvolumes", "create clusterrolebindings.rbac.authorization.k8s.io", "list secrets --all-namespaces")) {
                assertThat(canI(lab, own, clusterScoped)).as("learner cannot " + clusterScoped).isEqualTo("no");
            }
            assertThat(canI(lab, own, "delete namespaces/" + own)).isEqualTo("no");
            assertThat(canI(lab, "kube-system", "get secrets")).isEqualTo("no");

            // And the API server agrees when it is tried.
            Kubectl.Result secrets = lab.kubectl.run(null, "get", "secrets", "-n", other.namespace);
            assertThat(secrets.exit()).isEqualTo(1);
            assertThat(secrets.output()).contains("Forbidden", "cannot list resource \"secrets\"");
            Kubectl.Result binding = lab.kubectl.run(null, "create", "clusterrolebinding", "mine", "--clusterrole=cluster-admin",
                    "--serviceaccount=" + own + ":learner");
            assertThat(binding.exit()).isEqualTo(1);
            assertThat(binding.output()).contains("clusterrolebindings.rbac.authorization.k8s.io is forbidden");
            assertThat(lab.kubectl.run(null, "delete", "namespace", other.namespace).output()).contains("Forbidden");
            assertThat(admin.namespaces().withName(other.namespace).get().getMetadata().getDeletionTimestamp()).isNull();
        }
    }

    @Test
    void theServiceHoldsClusterWideOnlyNamespacesAndReadOnlyWatchesAndTheRestInsideItsLabs() throws IOException {
        Path binary = Kubectl.require();
        try (Lab lab = Lab.ready(binary);
             Kubectl asService = Kubectl.with(binary, Files.readString(ControlPlaneProfile.dir().resolve(ControlPlane.ADMIN_KUBECONFIG)), "default")) {
            String own = lab.namespace;
            java.util.function.BiFunction<String, String, String> can = (namespace, what) -> {
                List<String> args = new ArrayList<>(List.of("auth", "can-i", "--as=" + SERVICE));
                // kubectl reads "pods/exec" as a pod named exec: a subresource goes in --subresource
                args.addAll(List.of(what.replace("pods/exec", "pods --subresource=exec")
                        .replace("serviceaccounts/token", "serviceaccounts --subresource=token").split(" ")));
                args.add(namespace == null ? "--all-namespaces" : "--namespace=" + namespace);
                return asService.run(null, args.toArray(String[]::new)).output().strip().lines().reduce((a, b) -> b).orElse("");
            };
            // Cluster-wide: namespaces, the informers' read-only list and watch, RoleBindings to the two lab ClusterRoles.
            for (String granted : List.of("create namespaces", "delete namespaces", "watch namespaces", "list pods", "watch pods",
                    "watch persistentvolumeclaims", "watch statefulsets.apps", "watch services",
                    "bind clusterroles.rbac.authorization.k8s.io/lab-provisioner-lab",
                    "bind clusterroles.rbac.authorization.k8s.io/lab-provisioner-learner")) {
                assertThat(can.apply(null, granted)).as("the service can " + granted + " cluster-wide").isEqualTo("yes");
            }
            for (String denied : List.of("get secrets", "list secrets", "create pods/exec", "delete pods", "create statefulsets.apps",
                    "get pods", "create roles.rbac.authorization.k8s.io", "create clusterrolebindings.rbac.authorization.k8s.io",
                    "bind clusterroles.rbac.authorization.k8s.io/cluster-admin", "bind clusterroles.rbac.authorization.k8s.io/admin",
                    "escalate roles.rbac.authorization.k8s.io", "impersonate users", "create persistentvolumes", "delete nodes")) {
                assertThat(can.apply("kube-system", denied)).as("the service cannot " + denied + " in kube-system").isEqualTo("no");
                assertThat(can.apply(null, denied)).as("the service cannot " + denied + " cluster-wide").isEqualTo("no");
            }
            // Inside a lab namespace: the lab's objects, exec for the data checks, the learner's tokens.
            for (String granted : List.of("get secrets", "create secrets", "create statefulsets.apps", "update statefulsets.apps",
                    "create pods/exec", "delete pods", "create serviceaccounts/token", "create networkpolicies.networking.k8s.io",
                    "update rolebindings.rbac.authorization.k8s.io", "get persistentvolumeclaims")) {
                assertThat(can.apply(own, granted)).as("the service can " + granted + " in its lab").isEqualTo("yes");
            }
            // Learner data is never the service's to delete; it goes with the namespace.
            assertThat(can.apply(own, "delete persistentvolumeclaims")).isEqualTo("no");
            // The API server answers the same when it is tried: a kube-system Secret is Forbidden to the service.
            Kubectl.Result secret = asService.run(null, "get", "secrets", "-n", "kube-system", "--as=" + SERVICE);
            assertThat(secret.exit()).isEqualTo(1);
            assertThat(secret.output()).contains("Forbidden");
        }
    }

    private static String canI(Lab lab, String namespace, String what) {
        List<String> args = new ArrayList<>(List.of("auth", "can-i"));
        String[] words = what.split(" ");
        // "pods/exec": kubectl reads resource/name, so a subresource goes in --subresource; "namespaces/lab-x" is a name.
        if (words[1].matches("[a-z.]+/(exec|log|scale|token)")) {
            args.addAll(List.of(words[0], words[1].substring(0, words[1].indexOf('/')), "--subresource=" + words[1].substring(words[1].indexOf('/') + 1)));
        } else {
            args.addAll(List.of(words));
        }
        if (!what.contains("--all-namespaces")) {
            args.addAll(List.of("-n", namespace));
        }
        return lab.kubectl.run(null, args.toArray(String[]::new)).output().strip().lines().reduce((a, b) -> b).orElse("");
    }

    @Test
    void theWholeLabWithKubectlPassesEveryCheckpointOnTheRealController() throws IOException {
        Path binary = Kubectl.require();
        try (Lab lab = Lab.ready(binary)) {
            Kubectl k = lab.kubectl;
            assertThat(k.ok("get", "statefulset", "postgres")).containsPattern("postgres\\s+1/1");
            assertThat(k.ok("get", "statefulset", "postgres", "-o", "jsonpath={.spec.serviceName} {.spec.selector.matchLabels}"))
                    .startsWith("postgres ");
            lab.awaitPassed("stable-identity");
            lab.sql("postgres-0", "CREATE TABLE fruit (name text PRIMARY KEY); INSERT INTO fruit VALUES ('apple'), ('pear'), ('plum')");
            lab.awaitPassed("write-data");

            // Step 5: the watch in the second terminal shows postgres-1 Ready before postgres-2 is created.
            try (Kubectl.Running watch = k.start("get", "pods", "-w")) {
                assertThat(k.ok("scale", "statefulset", "postgres", "--replicas=3")).contains("scaled");
                assertThat(k.ok("rollout", "status", "statefulset/postgres", "--timeout=60s")).contains("complete 3 pods");
                await().atMost(SETTLE).until(() -> watch.lines().stream().anyMatch(l -> l.matches("postgres-2\\s+1/1\\s+Running.*")));
                List<String> lines = watch.lines();
                int firstOf2 = firstIndex(lines, "postgres-2\\s.*");
                assertThat(firstIndex(lines, "postgres-1\\s+1/1\\s+Running.*")).as(String.join("\n", lines)).isBetween(0, firstOf2);
                assertThat(watch.alive()).as("the watch stays open").isTrue();
            }
            assertThat(k.ok("get", "pvc")).contains("data-postgres-0", "data-postgres-1", "data-postgres-2").containsPattern("Bound");
            lab.awaitPassed("scale-up-ordered");

            String claims = k.ok("get", "pvc", "--sort-by=.metadata.name", "-o", "jsonpath={.items[*].metadata.uid}");
            k.ok("scale", "statefulset", "postgres", "--replicas=1");
            await().atMost(SETTLE).until(() -> k.ok("get", "pods", "-o", "name").equals("pod/postgres-0"));
            assertThat(k.ok("get", "pvc", "--sort-by=.metadata.name", "-o", "jsonpath={.items[*].metadata.uid}")).isEqualTo(claims);
            lab.awaitPassed("scale-down-retains-volumes");

            String uid = k.ok("get", "pod", "postgres-0", "-o", "jsonpath={.metadata.uid}");
            assertThat(k.ok("delete", "pod", "postgres-0")).contains("pod \"postgres-0\" deleted");
            await().atMost(SETTLE).until(() -> k.run(null, "wait", "--for=condition=Ready", "pod/postgres-0", "--timeout=30s").exit() == 0);
            assertThat(k.ok("get", "pod", "postgres-0", "-o", "jsonpath={.metadata.uid}")).isNotEqualTo(uid);
            lab.awaitPassed("pod-identity-survives-deletion");

            // Step 7 as written: save the YAML, delete, apply the saved file.
            String saved = k.ok("get", "statefulset", "postgres", "-o", "yaml");
            assertThat(k.ok("delete", "statefulset", "postgres")).contains("deleted");
            await().atMost(SETTLE).until(() -> k.ok("get", "pods", "-o", "name").isEmpty());
            assertThat(k.ok("get", "pvc", "-o", "name")).contains("data-postgres-0");
            Kubectl.Result applied = k.run(saved, "apply", "-f", "-");
            assertThat(applied.exit()).as(applied.output()).isZero();
            k.ok("rollout", "status", "statefulset/postgres", "--timeout=60s");
            lab.awaitPassed("statefulset-delete-keeps-volumes");

            // Step 8: re-created as Parallel, then scaled.
            k.ok("delete", "statefulset", "postgres");
            await().atMost(SETTLE).until(() -> k.ok("get", "pods", "-o", "name").isEmpty());
            String parallel = saved.replaceAll("(?m)^\\s*(resourceVersion|uid|creationTimestamp):.*\\n", "")
                    .replace("podManagementPolicy: OrderedReady", "podManagementPolicy: Parallel");
            k.okWithInput(parallel, "apply", "-f", "-");
            k.ok("rollout", "status", "statefulset/postgres", "--timeout=60s");
            k.ok("scale", "statefulset", "postgres", "--replicas=3");
            k.ok("rollout", "status", "statefulset/postgres", "--timeout=60s");
            lab.awaitPassed("parallel-pod-management");

            // Step 9: a template change rolls from the highest ordinal down; rollout history has the revisions.
            assertThat(k.ok("set", "env", "statefulset/postgres", "LAB_GREETING=hello")).contains("env updated");
            assertThat(k.ok("rollout", "status", "statefulset/postgres", "--timeout=90s")).contains("rolling update complete");
            assertThat(k.ok("rollout", "history", "statefulset/postgres")).containsPattern("(?m)^1\\s").containsPattern("(?m)^2\\s");
            // rollout undo goes back to the revision before; the environment variable is gone again.
            assertThat(k.ok("rollout", "undo", "statefulset/postgres")).contains("rolled back");
            k.ok("rollout", "status", "statefulset/postgres", "--timeout=90s");
            assertThat(k.ok("get", "pods", "-o", "jsonpath={.items[*].spec.containers[0].env[?(@.name==\"LAB_GREETING\")].value}")).isEmpty();
            lab.awaitPassed("rolling-update");

            Api.as(lab.lms).get("/api/v1/labs/" + lab.id + "/progress").then().statusCode(200)
                    .body("checkpoints.findAll { it.status != 'PASSED' }.id", org.hamcrest.Matchers.empty());
        }
    }

    @Test
    void aRollingUpdateStuckOnAnUnpullableImageIsRepairedAsStepTenSays() {
        try (Lab lab = Lab.ready(Kubectl.require())) {
            Kubectl k = lab.kubectl;
            k.ok("scale", "statefulset", "postgres", "--replicas=3");
            k.ok("rollout", "status", "statefulset/postgres", "--timeout=60s");
            String good = k.ok("get", "statefulset", "postgres", "-o", "jsonpath={.spec.template.spec.containers[0].image}");

            k.ok("set", "image", "statefulset/postgres", "postgres=postgres:17-typo");
            // postgres-2 goes first, and comes back on the new template: it cannot pull it.
            await().atMost(SETTLE).until(() -> "ImagePullBackOff".equals(k.run(null, "get", "pod", "postgres-2", "-o",
                    "jsonpath={.status.containerStatuses[0].state.waiting.reason}").output()));
            Kubectl.Result stuck = k.run(null, "rollout", "status", "statefulset/postgres", "--timeout=3s");
            assertThat(stuck.exit()).isNotZero();
            assertThat(k.ok("get", "pod", "postgres-1", "-o", "jsonpath={.spec.containers[0].image}")).isEqualTo(good);
            assertThat(k.ok("describe", "pod", "postgres-2")).contains("Failed to pull image \"postgres:17-typo\"", "ImagePullBackOff");

            // Reverting the template is not enough: the stuck pod keeps the broken one until it is deleted.
            k.ok("set", "image", "statefulset/postgres", "postgres=" + good);
            await().atMost(SETTLE).until(() -> k.ok("get", "statefulset", "postgres", "-o",
                    "jsonpath={.status.observedGeneration}/{.metadata.generation}").matches("(\\d+)/\\1"));
            assertThat(k.ok("get", "pod", "postgres-2", "-o", "jsonpath={.spec.containers[0].image}")).isEqualTo("postgres:17-typo");
            k.ok("delete", "pod", "postgres-2");
            assertThat(k.ok("rollout", "status", "statefulset/postgres", "--timeout=60s")).contains("complete 3 pods");
            assertThat(k.ok("get", "pods", "-o", "jsonpath={.items[*].spec.containers[0].image}")).isEqualTo(good + " " + good + " " + good);
        }
    }

    @Test
    void aDeletedLabIsTornDownByTheNamespaceControllerAndTheSweeperTakesWhatNoLabOwns() {
        try (Lab lab = Lab.ready(Kubectl.require())) {
            String claimUid = admin.persistentVolumeClaims().inNamespace(lab.namespace).withName("data-postgres-0").get().getMetadata().getUid();
            assertThat(admin.persistentVolumes().withName("pvc-" + claimUid).get()).isNotNull();
            Api.as(lab.lms).delete("/api/v1/labs/" + lab.id).then().statusCode(org.hamcrest.Matchers.oneOf(202, 204));
            Api.awaitState(lab.lms, lab.id, "DELETED", SETTLE);
            await().atMost(SETTLE).until(() -> admin.namespaces().withName(lab.namespace).get() == null);
            await().atMost(SETTLE).until(() -> admin.persistentVolumes().withName("pvc-" + claimUid).get() == null);
            assertThat(lab.kubectl.run(null, "get", "pods").output()).containsAnyOf("Unauthorized", "must be logged in");
        }

        // A namespace labelled as ours, with a claim in it, that no lab owns: the sweeper removes it.
        String orphan = "lab-orphan" + UUID.randomUUID().toString().substring(0, 8);
        admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(orphan)
                .addToLabels(LabNames.MANAGED_BY_LABEL, LabNames.MANAGED_BY).addToLabels(LabNames.LAB_ID_LABEL, UUID.randomUUID().toString())
                .endMetadata().build()).create();
        admin.persistentVolumeClaims().inNamespace(orphan).resource(new PersistentVolumeClaimBuilder().withNewMetadata().withName("data")
                .endMetadata().withNewSpec().withAccessModes("ReadWriteOnce").withNewResources().addToRequests("storage", new Quantity("1Gi"))
                .endResources().endSpec().build()).create();
        await().atMost(SETTLE).until(() -> admin.namespaces().withName(orphan).get() == null);
    }

    @Test
    void aTeardownHeldUpByAFinalizerSaysWhyAndFinishesOnceItIsGone() {
        try (Lab lab = Lab.ready(Kubectl.require())) {
            // Something in the namespace that Kubernetes may not delete yet: an object with a finalizer nobody removes.
            admin.serviceAccounts().inNamespace(lab.namespace).withName("learner")
                    .edit(sa -> { sa.getMetadata().getFinalizers().add("example.com/hold"); return sa; });
            Api.as(lab.lms).delete("/api/v1/labs/" + lab.id).then().statusCode(202);
            await().atMost(SETTLE).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> assertThat(
                    Api.as(lab.lms).get("/api/v1/labs/" + lab.id).then().extract().<String>path("failureReason"))
                    .contains("Teardown is waiting for Kubernetes", "NamespaceFinalizersRemaining", "example.com/hold"));
            Api.as(lab.lms).get("/api/v1/labs/" + lab.id).then().body("state", org.hamcrest.Matchers.equalTo("TEARING_DOWN"));

            admin.serviceAccounts().inNamespace(lab.namespace).withName("learner")
                    .edit(sa -> { sa.getMetadata().getFinalizers().remove("example.com/hold"); return sa; });
            Api.awaitState(lab.lms, lab.id, "DELETED", SETTLE);
            Api.as(lab.lms).get("/api/v1/labs/" + lab.id).then().body("failureReason", org.hamcrest.Matchers.nullValue());
        }
    }

    @Test
    void aClaimThatCannotBeBoundFailsTheLabSoonWithKubernetesReason() {
        String lms = Api.lmsClient();
        String id = Api.createLab(lms, Api.unique("unbindable"), "control-plane", "unbindable-storage").statusCode(202).extract().path("id");
        // Not after the 10-minute provision timeout with "0 of 1 replicas Ready": after the claim-bind timeout (15 s in
        // tests), with the PV binder's own words.
        Api.awaitState(lms, id, "FAILED", SETTLE);
        Api.as(lms).get("/api/v1/labs/" + id).then().body("failureReason", org.hamcrest.Matchers.allOf(
                org.hamcrest.Matchers.containsString("Volume claim data-postgres-0 is not bound after 15 s (StorageClass 'no-such-class')"),
                org.hamcrest.Matchers.containsString("storageclass.storage.k8s.io \"no-such-class\" not found")));
    }

    private static int firstIndex(List<String> lines, String regex) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).matches(regex)) {
                return i;
            }
        }
        return -1;
    }
}
