package dev.labprovisioner.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The in-process API as clients other than fabric8 see it (kubectl, client-go): discovery, strategic merge
 * patches, watches over plain HTTP, Tables, error bodies. No simulator runs here: only what the API itself does.
 */
class SandboxKubernetesApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicInteger NAMESPACES = new AtomicInteger();
    private static final String TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json";

    private static SandboxKubernetesApi api;
    private static KubernetesClient client;
    private static HttpClient http;

    @BeforeAll
    static void start() {
        api = SandboxKubernetesApi.startSecured(0);
        client = new KubernetesClientBuilder().withConfig(api.clientConfig(api.adminToken())).build();
        http = HttpClient.newBuilder().sslContext(api.sslContext()).build();
    }

    @AfterAll
    static void stop() {
        if (client != null) {
            client.close();
        }
        if (api != null) {
            api.close();
        }
    }

    // ------------------------------------------------------------------ discovery

    @Test
    void discoveryListsTheResourcesALabUses() {
        JsonNode version = get("/version", null);
        assertEquals("1", version.path("major").asText());
        assertEquals(SandboxKubernetesApi.Discovery.GIT_VERSION, version.path("gitVersion").asText());

        JsonNode core = get("/api", null);
        assertEquals("APIVersions", core.path("kind").asText());
        assertEquals("v1", core.path("versions").get(0).asText());

        JsonNode groups = get("/apis", null);
        assertEquals("APIGroupList", groups.path("kind").asText());
        List<String> names = new ArrayList<>();
        groups.path("groups").forEach(g -> names.add(g.path("name").asText()));
        assertTrue(names.containsAll(List.of("apps", "rbac.authorization.k8s.io", "networking.k8s.io")), names.toString());
        assertEquals("apps/v1", get("/apis/apps", null).path("preferredVersion").path("groupVersion").asText());

        JsonNode v1 = get("/api/v1", null);
        assertEquals("v1", v1.path("groupVersion").asText());
        JsonNode pods = resource(v1, "pods");
        assertEquals("Pod", pods.path("kind").asText());
        assertTrue(pods.path("namespaced").asBoolean());
        assertEquals("po", pods.path("shortNames").get(0).asText());
        assertTrue(pods.path("verbs").toString().contains("watch"));
        assertFalse(resource(v1, "namespaces").path("namespaced").asBoolean());
        assertNotNull(resource(v1, "persistentvolumeclaims"));

        JsonNode apps = get("/apis/apps/v1", null);
        assertEquals("sts", resource(apps, "statefulsets").path("shortNames").get(0).asText());
        JsonNode scale = resource(apps, "statefulsets/scale");
        assertEquals("autoscaling", scale.path("group").asText());
        assertEquals("Scale", scale.path("kind").asText());

        // OpenAPI v3: each PATCH names fieldValidation, so kubectl validates on the server's side
        JsonNode openapi = get("/openapi/v3", null);
        String appsDoc = openapi.path("paths").path("apis/apps/v1").path("serverRelativeURL").asText();
        JsonNode patch = get(appsDoc, null).path("paths").path("/apis/apps/v1/namespaces/{namespace}/statefulsets/{name}").path("patch");
        assertEquals("StatefulSet", patch.path("x-kubernetes-group-version-kind").path("kind").asText());
        assertEquals("fieldValidation", patch.path("parameters").get(0).path("name").asText());
        assertEquals(404, send("GET", "/openapi/v2", null, null, null).statusCode());
        // a group the sandbox does not list is still the mock server's
        assertEquals(200, send("GET", "/apis/batch/v1", null, null, null).statusCode());
    }

    // ------------------------------------------------------------------ strategic merge patch

    @Test
    void strategicMergePatchMergesListsByTheirMergeKey() {
        String ns = newNamespace();
        client.pods().inNamespace(ns).resource(new PodBuilder().withNewMetadata().withName("p").addToLabels("a", "1")
                .addToLabels("b", "2").addToFinalizers("x/one").endMetadata()
                .withNewSpec()
                .addNewContainer().withName("db").withImage("postgres:17").withArgs("-c", "fsync=on")
                .addNewEnv().withName("A").withValue("1").endEnv().addNewEnv().withName("B").withValue("2").endEnv()
                .addNewPort().withContainerPort(5432).withName("pg").endPort()
                .addNewVolumeMount().withName("data").withMountPath("/data").endVolumeMount()
                .endContainer()
                .addNewContainer().withName("sidecar").withImage("busybox").endContainer()
                .endSpec().build()).create();

        var response = send("PATCH", "/api/v1/namespaces/" + ns + "/pods/p", "application/strategic-merge-patch+json", null, """
                {"metadata": {"labels": {"a": null, "c": "3"}, "finalizers": ["x/two"]},
                 "spec": {
                   "$setElementOrder/containers": [{"name": "sidecar"}, {"name": "db"}],
                   "containers": [{"name": "db",
                                   "args": ["-c", "fsync=off"],
                                   "env": [{"name": "A", "$patch": "delete"}, {"name": "C", "value": "3"}],
                                   "ports": [{"containerPort": 5432, "protocol": "TCP"}]}]}}""");
        assertEquals(200, response.statusCode(), response.body());
        Pod pod = client.pods().inNamespace(ns).withName("p").get();
        assertEquals(Map.of("b", "2", "c", "3"), pod.getMetadata().getLabels(), "null removes a key");
        assertEquals(List.of("x/one", "x/two"), pod.getMetadata().getFinalizers(), "finalizers merge as a set");
        assertEquals(List.of("sidecar", "db"), pod.getSpec().getContainers().stream().map(c -> c.getName()).toList(),
                "$setElementOrder orders the merged list");
        var db = pod.getSpec().getContainers().get(1);
        assertEquals("postgres:17", db.getImage(), "fields the patch does not name are kept");
        assertEquals(List.of("-c", "fsync=off"), db.getArgs(), "a list without a merge key is replaced");
        assertEquals(List.of("B=2", "C=3"), db.getEnv().stream().map(e -> e.getName() + "=" + e.getValue()).toList());
        assertEquals(1, db.getPorts().size(), "container ports merge by containerPort");
        assertEquals("pg", db.getPorts().get(0).getName());
        assertEquals("TCP", db.getPorts().get(0).getProtocol());
        assertEquals("/data", db.getVolumeMounts().get(0).getMountPath());

        // {"$patch": "replace"} in a list replaces it whole; a patch naming an old resourceVersion conflicts
        response = send("PATCH", "/api/v1/namespaces/" + ns + "/pods/p", "application/strategic-merge-patch+json", null,
                "{\"spec\":{\"containers\":[{\"$patch\":\"replace\"},{\"name\":\"only\",\"image\":\"busybox\"}]}}");
        assertEquals(200, response.statusCode(), response.body());
        assertEquals(List.of("only"), client.pods().inNamespace(ns).withName("p").get().getSpec().getContainers().stream()
                .map(c -> c.getName()).toList());
        response = send("PATCH", "/api/v1/namespaces/" + ns + "/pods/p", "application/strategic-merge-patch+json", null,
                "{\"metadata\":{\"resourceVersion\":\"1\",\"labels\":{\"d\":\"4\"}}}");
        assertEquals(409, response.statusCode(), response.body());
        assertEquals(404, send("PATCH", "/api/v1/namespaces/" + ns + "/pods/nope", "application/strategic-merge-patch+json",
                null, "{\"metadata\":{\"labels\":{\"d\":\"4\"}}}").statusCode());
        assertEquals(422, send("PATCH", "/api/v1/namespaces/" + ns + "/pods/p", "application/strategic-merge-patch+json",
                null, "{\"spec\":{\"containers\":[{\"image\":\"no-name\"}]}}").statusCode(), "an element without its merge key");
    }

    @Test
    void serviceSelectorAndPortsPatchLikeKubectl() {
        String ns = newNamespace();
        client.services().inNamespace(ns).resource(new ServiceBuilder().withNewMetadata().withName("pg").endMetadata()
                .withNewSpec().addToSelector("app", "pg").addNewPort().withName("pg").withPort(5432).endPort().endSpec().build()).create();
        var response = send("PATCH", "/api/v1/namespaces/" + ns + "/services/pg", "application/strategic-merge-patch+json", null,
                "{\"spec\":{\"ports\":[{\"port\":5432,\"targetPort\":5433},{\"port\":9187,\"name\":\"metrics\"}]}}");
        assertEquals(200, response.statusCode(), response.body());
        var ports = client.services().inNamespace(ns).withName("pg").get().getSpec().getPorts();
        assertEquals(List.of("pg:5432->5433", "metrics:9187->null"), ports.stream()
                .map(p -> p.getName() + ":" + p.getPort() + "->" + (p.getTargetPort() == null ? null : p.getTargetPort().getIntVal())).toList(),
                "service ports merge by port");
    }

    // ------------------------------------------------------------------ StatefulSet defaults

    @Test
    void aStatefulSetIsStoredWithTheApiServersDefaultsAndWithoutTheStatusSentOnCreate() {
        String ns = newNamespace();
        StatefulSet sts = new StatefulSetBuilder().withNewMetadata().withName("pg").endMetadata()
                .withNewSpec().withServiceName("pg").withNewSelector().addToMatchLabels("app", "pg").endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", "pg").endMetadata()
                .withNewSpec().addNewContainer().withName("pg").withImage("postgres:17").endContainer().endSpec().endTemplate()
                .endSpec()
                // what `kubectl get -o yaml` of an old StatefulSet carries
                .withNewStatus().withReplicas(3).withReadyReplicas(3).withCurrentRevision("pg-old").endStatus()
                .build();
        StatefulSet stored = client.apps().statefulSets().inNamespace(ns).resource(sts).create();
        assertEquals(1, stored.getSpec().getReplicas());
        assertEquals("OrderedReady", stored.getSpec().getPodManagementPolicy());
        assertEquals("RollingUpdate", stored.getSpec().getUpdateStrategy().getType());
        assertEquals(0, stored.getSpec().getUpdateStrategy().getRollingUpdate().getPartition());
        assertEquals(10, stored.getSpec().getRevisionHistoryLimit());
        assertEquals("Retain", stored.getSpec().getPersistentVolumeClaimRetentionPolicy().getWhenDeleted());
        assertEquals("Retain", stored.getSpec().getPersistentVolumeClaimRetentionPolicy().getWhenScaled());
        assertNull(stored.getStatus(), "status is the controller's, not the client's");

        // an explicit choice is kept
        sts.getMetadata().setName("pg-parallel");
        sts.getSpec().setPodManagementPolicy("Parallel");
        sts.getSpec().setUpdateStrategy(new io.fabric8.kubernetes.api.model.apps.StatefulSetUpdateStrategyBuilder().withType("OnDelete").build());
        StatefulSet parallel = client.apps().statefulSets().inNamespace(ns).resource(sts).create();
        assertEquals("Parallel", parallel.getSpec().getPodManagementPolicy());
        assertEquals("OnDelete", parallel.getSpec().getUpdateStrategy().getType());
        assertNull(parallel.getSpec().getUpdateStrategy().getRollingUpdate());
    }

    @Test
    void aStatefulSetRefusesChangesAnApiServerRefuses() {
        String ns = newNamespace();
        String path = "/apis/apps/v1/namespaces/" + ns + "/statefulsets/pg";
        client.apps().statefulSets().inNamespace(ns).resource(new StatefulSetBuilder().withNewMetadata().withName("pg").endMetadata()
                .withNewSpec().withServiceName("pg").withNewSelector().addToMatchLabels("app", "pg").endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", "pg").endMetadata()
                .withNewSpec().addNewContainer().withName("pg").withImage("postgres:17").endContainer().endSpec().endTemplate()
                .endSpec().build()).create();
        client.apps().statefulSets().inNamespace(ns).withName("pg").editStatus(s -> {
            s.setStatus(new io.fabric8.kubernetes.api.model.apps.StatefulSetStatusBuilder().withReplicas(1).withReadyReplicas(1).build());
            return s;
        });

        for (String[] attempt : new String[][] {
                {"application/merge-patch+json", "{\"spec\":{\"podManagementPolicy\":\"Parallel\"}}"},
                {"application/strategic-merge-patch+json", "{\"spec\":{\"serviceName\":\"other\"}}"},
                {"application/json-patch+json", "[{\"op\":\"replace\",\"path\":\"/spec/selector/matchLabels/app\",\"value\":\"x\"}]"}}) {
            var refused = send("PATCH", path, attempt[0], null, attempt[1]);
            assertEquals(422, refused.statusCode(), attempt[1] + ": " + refused.body());
            JsonNode status = readTree(refused.body());
            assertEquals("Invalid", status.path("reason").asText());
            assertEquals("StatefulSet", status.path("details").path("kind").asText());
            assertEquals("spec", status.path("details").path("causes").get(0).path("field").asText());
            assertTrue(status.path("message").asText().startsWith("StatefulSet.apps \"pg\" is invalid: spec: Forbidden: updates to "
                    + "statefulset spec for fields other than 'replicas'"), status.path("message").asText());
        }
        StatefulSet unchanged = client.apps().statefulSets().inNamespace(ns).withName("pg").get();
        assertEquals("OrderedReady", unchanged.getSpec().getPodManagementPolicy());
        assertEquals("pg", unchanged.getSpec().getServiceName());

        // what may change does; a PUT's status is ignored (the status subresource owns it)
        var patched = send("PATCH", path, "application/json-patch+json", null,
                "[{\"op\":\"replace\",\"path\":\"/spec/template/spec/containers/0/image\",\"value\":\"postgres:18\"},"
                        + "{\"op\":\"replace\",\"path\":\"/spec/replicas\",\"value\":2}]");
        assertEquals(200, patched.statusCode(), patched.body());
        StatefulSet put = client.apps().statefulSets().inNamespace(ns).withName("pg").get();
        put.getSpec().setMinReadySeconds(5);
        put.setStatus(new io.fabric8.kubernetes.api.model.apps.StatefulSetStatusBuilder().withReplicas(9).build());
        client.apps().statefulSets().inNamespace(ns).resource(put).update();
        StatefulSet stored = client.apps().statefulSets().inNamespace(ns).withName("pg").get();
        assertEquals("postgres:18", stored.getSpec().getTemplate().getSpec().getContainers().get(0).getImage());
        assertEquals(2, stored.getSpec().getReplicas());
        assertEquals(5, stored.getSpec().getMinReadySeconds());
        assertEquals(1, stored.getStatus().getReplicas());
        assertEquals(415, send("PATCH", path, "application/apply-patch+yaml", null, "spec: {replicas: 3}").statusCode());
    }

    // ------------------------------------------------------------------ watches over HTTP

    @Test
    void watchOverHttpSendsTheChangesAfterTheRequestedVersion() {
        String ns = newNamespace();
        String base = "/api/v1/namespaces/" + ns + "/configmaps";
        String listVersion = get(base, null).path("metadata").path("resourceVersion").asText();
        client.configMaps().inNamespace(ns).resource(new ConfigMapBuilder().withNewMetadata().withName("one")
                .addToLabels("app", "pg").endMetadata().build()).create();
        client.configMaps().inNamespace(ns).resource(new ConfigMapBuilder().withNewMetadata().withName("two")
                .addToLabels("app", "other").endMetadata().build()).create();
        client.configMaps().inNamespace(ns).withName("one").edit(c -> {
            c.setData(Map.of("k", "v"));
            return c;
        });
        client.configMaps().inNamespace(ns).withName("one").delete();

        List<String> all = watchLines(base + "?watch=true&resourceVersion=" + listVersion);
        assertEquals(List.of("ADDED one", "ADDED two", "MODIFIED one", "DELETED one"), all);
        assertEquals(List.of("ADDED one", "MODIFIED one", "DELETED one"),
                watchLines(base + "?watch=true&labelSelector=app%3Dpg&resourceVersion=" + listVersion));
        assertEquals(List.of("ADDED two"),
                watchLines(base + "?watch=true&fieldSelector=metadata.name%3Dtwo&resourceVersion=" + listVersion));
        assertEquals(List.of("ADDED two"),
                watchLines(base + "?watch=true&labelSelector=app%20in%20(other,x)&resourceVersion=" + listVersion));
        assertEquals(List.of(), watchLines("/api/v1/namespaces/" + ns + "-other/configmaps?watch=true&resourceVersion=" + listVersion));
        // without a resourceVersion (the Python and JavaScript clients' first watch): what exists, as ADDED
        assertEquals(List.of("ADDED two"), watchLines(base + "?watch=True"));

        // versions only grow: the deletion came last, with a version of its own
        List<Long> versions = new ArrayList<>();
        for (String line : send("GET", base + "?watch=true&timeoutSeconds=1&resourceVersion=" + listVersion, null, null, null).body().split("\n")) {
            versions.add(readTree(line).path("object").path("metadata").path("resourceVersion").asLong());
        }
        assertEquals(versions.stream().sorted().distinct().toList(), versions);
    }

    @Test
    void aWatchStaysOpenAndStreamsEachChangeAsItHappens() throws Exception {
        String ns = newNamespace();
        String base = "/api/v1/namespaces/" + ns + "/configmaps";
        String listVersion = get(base, null).path("metadata").path("resourceVersion").asText();
        List<String> received = new java.util.concurrent.CopyOnWriteArrayList<>();
        var request = HttpRequest.newBuilder(URI.create(api.url() + base + "?watch=1&timeoutSeconds=20&resourceVersion=" + listVersion))
                .header("Authorization", "Bearer " + api.adminToken()).build();
        var watching = http.sendAsync(request, HttpResponse.BodyHandlers.ofLines()).thenAccept(response -> {
            assertEquals(200, response.statusCode());
            response.body().filter(line -> !line.isBlank()).forEach(line -> received.add(readTree(line).path("type").asText() + " "
                    + readTree(line).path("object").path("metadata").path("name").asText()));
        });
        client.configMaps().inNamespace(ns).resource(new ConfigMapBuilder().withNewMetadata().withName("one").endMetadata().build()).create();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> received.contains("ADDED one"));
        assertFalse(watching.isDone(), "the watch is still open after its first event");
        client.configMaps().inNamespace(ns).withName("one").delete();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> received.contains("DELETED one"));
        assertEquals(List.of("ADDED one", "DELETED one"), received);
        assertFalse(watching.isDone(), "still open");
        watching.cancel(true);
    }

    // ------------------------------------------------------------------ what kubectl get reads

    @Test
    void podsAndStatefulSetsPrintAsTables() {
        String ns = newNamespace();
        Pod pod = new PodBuilder().withNewMetadata().withName("pg-0").withNamespace(ns).endMetadata()
                .withNewSpec().withNodeName("sandbox-node").addNewContainer().withName("pg").withImage("postgres:17").endContainer().endSpec()
                .withNewStatus().withPhase("Pending").withPodIP("10.244.0.9")
                .addNewContainerStatus().withName("pg").withReady(false).withRestartCount(2)
                .withNewState().withNewWaiting().withReason("ImagePullBackOff").endWaiting().endState().endContainerStatus()
                .endStatus().build();
        client.pods().inNamespace(ns).resource(pod).create();

        JsonNode table = get("/api/v1/namespaces/" + ns + "/pods", TABLE);
        assertEquals("Table", table.path("kind").asText());
        List<String> columns = new ArrayList<>();
        table.path("columnDefinitions").forEach(c -> columns.add(c.path("name").asText() + (c.path("priority").asInt() > 0 ? "*" : "")));
        assertEquals(List.of("Name", "Ready", "Status", "Restarts", "Age", "IP*", "Node*", "Nominated Node*", "Readiness Gates*"), columns);
        JsonNode row = table.path("rows").get(0);
        List<String> cells = new ArrayList<>();
        row.path("cells").forEach(c -> cells.add(c.asText()));
        assertTrue(cells.get(4).matches("\\d+s"), cells.toString());
        cells.set(4, "AGE");
        assertEquals(List.of("pg-0", "0/1", "ImagePullBackOff", "2", "AGE", "10.244.0.9", "sandbox-node", "<none>", "<none>"), cells);
        assertEquals("PartialObjectMetadata", row.path("object").path("kind").asText());
        assertEquals(ns, row.path("object").path("metadata").path("namespace").asText());
        assertEquals("pg-0", get("/api/v1/namespaces/" + ns + "/pods/pg-0", TABLE).path("rows").get(0).path("cells").get(0).asText());

        client.apps().statefulSets().inNamespace(ns).resource(new StatefulSetBuilder().withNewMetadata().withName("pg").endMetadata()
                .withNewSpec().withReplicas(3).withNewSelector().addToMatchLabels("app", "pg").endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", "pg").endMetadata()
                .withNewSpec().addNewContainer().withName("pg").withImage("postgres:17").endContainer().endSpec().endTemplate()
                .endSpec().build()).create();
        JsonNode sts = get("/apis/apps/v1/namespaces/" + ns + "/statefulsets", TABLE).path("rows").get(0).path("cells");
        assertEquals("pg", sts.get(0).asText());
        assertEquals("0/3", sts.get(1).asText());
        assertEquals("postgres:17", sts.get(4).asText());

        // without asking for a Table: the list itself, under its own kind (typed clients decode nothing from "List")
        JsonNode list = get("/api/v1/namespaces/" + ns + "/pods", "application/json");
        assertEquals("PodList", list.path("kind").asText());
        assertEquals("v1", list.path("apiVersion").asText());
        assertEquals("StatefulSetList", get("/apis/apps/v1/namespaces/" + ns + "/statefulsets", null).path("kind").asText());
        // kinds without columns of their own here are sent as they are
        assertEquals("ConfigMapList", get("/api/v1/namespaces/" + ns + "/configmaps", TABLE).path("kind").asText());
    }

    @Test
    void errorsCarryAStatusAsAnApiServerSends() {
        String ns = newNamespace();
        var missing = send("GET", "/api/v1/namespaces/" + ns + "/pods/postgres-5", null, null, null);
        assertEquals(404, missing.statusCode());
        assertEquals("application/json", missing.headers().firstValue("Content-Type").orElse(null));
        JsonNode status = readTree(missing.body());
        assertEquals("Status", status.path("kind").asText());
        assertEquals("NotFound", status.path("reason").asText());
        assertEquals("pods \"postgres-5\" not found", status.path("message").asText());
        assertEquals("statefulsets.apps \"pg\" not found",
                readTree(send("GET", "/apis/apps/v1/namespaces/" + ns + "/statefulsets/pg", null, null, null).body()).path("message").asText());

        // kubectl's typed clients send protobuf, which the sandbox does not read: refused, not hung
        var protobuf = send("POST", "/api/v1/namespaces", "application/vnd.kubernetes.protobuf", null, "k8s\u0000");
        assertEquals(415, protobuf.statusCode(), protobuf.body());

        client.pods().inNamespace(ns).resource(new PodBuilder().withNewMetadata().withName("p").endMetadata()
                .withNewSpec().addNewContainer().withName("c").withImage("busybox").endContainer().endSpec().build()).create();
        var logs = send("GET", "/api/v1/namespaces/" + ns + "/pods/p/log", null, null, null);
        assertEquals(400, logs.statusCode());
        assertTrue(readTree(logs.body()).path("message").asText().contains("runs no containers"), logs.body());
    }

    @Test
    void helpers() {
        assertEquals("app=pg,tier in (a,b),!x", SandboxKubernetesApi.FaultInjectingDispatcher.selectorString(readTree(
                "{\"matchLabels\":{\"app\":\"pg\"},\"matchExpressions\":[{\"key\":\"x\",\"operator\":\"DoesNotExist\"},"
                        + "{\"key\":\"tier\",\"operator\":\"In\",\"values\":[\"b\",\"a\"]}]}")));
        Instant now = Instant.now();
        assertEquals("5s", SandboxKubernetesApi.Tables.age(now.minusSeconds(5).toString()));
        assertEquals("3m20s", SandboxKubernetesApi.Tables.age(now.minusSeconds(200).toString()));
        assertEquals("42m", SandboxKubernetesApi.Tables.age(now.minusSeconds(42 * 60).toString()));
        assertEquals("5h2m", SandboxKubernetesApi.Tables.age(now.minusSeconds(5 * 3600 + 120).toString()));
        assertEquals("2d3h", SandboxKubernetesApi.Tables.age(now.minusSeconds(51 * 3600).toString()));
        assertEquals("<unknown>", SandboxKubernetesApi.Tables.age(""));
    }

    @Test
    void aServerSideDryRunChangesNothing() {
        String ns = newNamespace();
        var pod = new io.fabric8.kubernetes.api.model.PodBuilder().withNewMetadata().withName("p").endMetadata()
                .withNewSpec().addNewContainer().withName("c").withImage("busybox").endContainer().endSpec().build();
        // a create answers with the server's fields, and nothing is stored
        var answered = client.pods().inNamespace(ns).resource(pod).dryRun().create();
        assertEquals(ns, answered.getMetadata().getNamespace());
        assertNotNull(answered.getMetadata().getUid());
        assertNull(client.pods().inNamespace(ns).withName("p").get());
        // a delete answers, and the object stays
        client.pods().inNamespace(ns).resource(pod).create();
        client.pods().inNamespace(ns).withName("p").dryRun().delete();
        assertNotNull(client.pods().inNamespace(ns).withName("p").get());
        // a create of a name that is taken is 409, as on an API server
        var conflict = org.junit.jupiter.api.Assertions.assertThrows(io.fabric8.kubernetes.client.KubernetesClientException.class,
                () -> client.pods().inNamespace(ns).resource(pod).dryRun().create());
        assertEquals(409, conflict.getCode());
    }

    @Test
    void aServerSideDryRunUpdateOrPatchAnswersTheWouldBeObjectAndStoresNothing() {
        String ns = newNamespace();
        client.configMaps().inNamespace(ns).resource(new ConfigMapBuilder().withNewMetadata().withName("c").endMetadata()
                .addToData("k", "old").build()).create();
        String path = "/api/v1/namespaces/" + ns + "/configmaps/c";
        String version = get(path, null).path("metadata").path("resourceVersion").asText();
        // merge, strategic merge and JSON patches, and a PUT: each answers the object as it would be...
        for (String[] patch : List.of(new String[]{"application/merge-patch+json", "{\"data\":{\"k\":\"new\"}}"},
                new String[]{"application/strategic-merge-patch+json", "{\"data\":{\"k\":\"new\"}}"},
                new String[]{"application/json-patch+json", "[{\"op\":\"replace\",\"path\":\"/data/k\",\"value\":\"new\"}]"})) {
            var answer = send("PATCH", path + "?dryRun=All", patch[0], null, patch[1]);
            assertEquals(200, answer.statusCode(), patch[0] + ": " + answer.body());
            assertEquals("new", readTree(answer.body()).path("data").path("k").asText(), patch[0]);
        }
        var put = send("PUT", path + "?dryRun=All", "application/json", null,
                "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"c\"},\"data\":{\"k\":\"put\"}}");
        assertEquals(200, put.statusCode(), put.body());
        assertEquals("put", readTree(put.body()).path("data").path("k").asText());
        // ...a stale resourceVersion is a conflict, as the real write would be...
        var stale = send("PATCH", path + "?dryRun=All", "application/json-patch+json", null,
                "[{\"op\":\"replace\",\"path\":\"/metadata/resourceVersion\",\"value\":\"1\"},{\"op\":\"replace\",\"path\":\"/data/k\",\"value\":\"x\"}]");
        assertEquals(409, stale.statusCode(), stale.body());
        // ...and nothing was stored
        JsonNode stored = get(path, null);
        assertEquals("old", stored.path("data").path("k").asText());
        assertEquals(version, stored.path("metadata").path("resourceVersion").asText());

        // a StatefulSet: the scale subresource and a patch answer what would be, validated as the real write is
        client.apps().statefulSets().inNamespace(ns).resource(new StatefulSetBuilder().withNewMetadata().withName("pg").endMetadata()
                .withNewSpec().withServiceName("pg").withNewSelector().addToMatchLabels("app", "pg").endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", "pg").endMetadata()
                .withNewSpec().addNewContainer().withName("pg").withImage("postgres:17").endContainer().endSpec().endTemplate()
                .endSpec().build()).create();
        String sts = "/apis/apps/v1/namespaces/" + ns + "/statefulsets/pg";
        var scaled = send("PATCH", sts + "/scale?dryRun=All", "application/merge-patch+json", null, "{\"spec\":{\"replicas\":5}}");
        assertEquals(200, scaled.statusCode(), scaled.body());
        assertEquals(5, readTree(scaled.body()).path("spec").path("replicas").asInt());
        var patched = send("PATCH", sts + "?dryRun=All", "application/strategic-merge-patch+json", null, "{\"spec\":{\"replicas\":4}}");
        assertEquals(200, patched.statusCode(), patched.body());
        assertEquals(4, readTree(patched.body()).path("spec").path("replicas").asInt());
        assertEquals(422, send("PATCH", sts + "?dryRun=All", "application/merge-patch+json", null,
                "{\"spec\":{\"serviceName\":\"other\"}}").statusCode());
        assertEquals(1, client.apps().statefulSets().inNamespace(ns).withName("pg").get().getSpec().getReplicas());
    }

    @Test
    void aScaleThatNamesNoResourceVersionIsRetriedPastConcurrentWritesAndOneThatNamesAStaleOneIsAConflict() throws Exception {
        String ns = newNamespace();
        client.apps().statefulSets().inNamespace(ns).resource(new StatefulSetBuilder().withNewMetadata().withName("pg").endMetadata()
                .withNewSpec().withServiceName("pg").withNewSelector().addToMatchLabels("app", "pg").endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", "pg").endMetadata()
                .withNewSpec().addNewContainer().withName("pg").withImage("postgres:17").endContainer().endSpec().endTemplate()
                .endSpec().build()).create();
        String scale = "/apis/apps/v1/namespaces/" + ns + "/statefulsets/pg/scale";
        String stale = get(scale, null).path("metadata").path("resourceVersion").asText();
        // a controller writes the status meanwhile, as the simulator does: kubectl scale (a merge patch) must not see 409
        var writer = java.util.concurrent.Executors.newSingleThreadExecutor();
        var writes = writer.submit(() -> {
            for (int i = 0; i < 100; i++) {
                String status = "{\"status\":{\"replicas\":" + i + "}}";
                assertEquals(2, send("PATCH", "/apis/apps/v1/namespaces/" + ns + "/statefulsets/pg/status", "application/merge-patch+json",
                        null, status).statusCode() / 100);
            }
        });
        try {
            for (int replicas = 1; replicas <= 30; replicas++) {
                var answer = send("PATCH", scale, "application/merge-patch+json", null, "{\"spec\":{\"replicas\":" + replicas + "}}");
                assertEquals(200, answer.statusCode(), answer.body());
                assertEquals(replicas, readTree(answer.body()).path("spec").path("replicas").asInt());
            }
            writes.get(30, java.util.concurrent.TimeUnit.SECONDS);
        } finally {
            writer.shutdownNow();
        }
        // the request's own resourceVersion, in a merge patch or in a JSON patch's operations, is a precondition
        assertEquals(409, send("PATCH", scale, "application/merge-patch+json", null,
                "{\"metadata\":{\"resourceVersion\":\"" + stale + "\"},\"spec\":{\"replicas\":2}}").statusCode());
        assertEquals(409, send("PATCH", scale, "application/json-patch+json", null,
                "[{\"op\":\"replace\",\"path\":\"/metadata/resourceVersion\",\"value\":\"" + stale + "\"},"
                        + "{\"op\":\"replace\",\"path\":\"/spec/replicas\",\"value\":2}]").statusCode());
        assertEquals(30, client.apps().statefulSets().inNamespace(ns).withName("pg").get().getSpec().getReplicas());
    }

    // ------------------------------------------------------------------ authentication and RBAC

    @Test
    void withoutATokenEveryRequestIs401AsWithAnonymousAuthOff() {
        for (String path : List.of("/api/v1/namespaces", "/api", "/apis/apps/v1/namespaces/default/statefulsets")) {
            var response = send(null, "GET", path, null, null, null);
            assertEquals(401, response.statusCode(), path + ": " + response.body());
        }
        assertEquals(401, send("not-a-token", "GET", "/api/v1/namespaces", null, null, null).statusCode());
        assertEquals(401, send(null, "GET", "/api/v1/namespaces?watch=true", null, null, null).statusCode());
    }

    @Test
    void theServiceTokenIsConfinedAsRbacConfinesTheServiceAccount() {
        String other = newNamespace();
        client.secrets().inNamespace(other).resource(new io.fabric8.kubernetes.api.model.SecretBuilder().withNewMetadata().withName("s")
                .endMetadata().addToStringData("p", "x").build()).create();
        String lab = "lab-" + NAMESPACES.incrementAndGet();
        try (KubernetesClient service = new KubernetesClientBuilder().withConfig(api.clientConfig(api.serviceToken())).build()) {
            // cluster-wide: namespaces, and the informers' list and watch
            service.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(lab).endMetadata().build()).create();
            service.pods().inAnyNamespace().list();
            // inside the lab: nothing until its RoleBinding grants lab-provisioner-lab
            refused(403, () -> service.secrets().inNamespace(lab).resource(secret()).create());
            refused(403, () -> service.rbac().roleBindings().inNamespace(lab).resource(binding("admin", "cluster-admin")).create());
            service.rbac().roleBindings().inNamespace(lab).resource(binding("lab-provisioner", "lab-provisioner-lab")).create();
            service.secrets().inNamespace(lab).resource(secret()).create();
            service.apps().statefulSets().inNamespace(lab).list();
            // outside the labs: no Secret, no write, nothing cluster-scoped but namespaces
            refused(403, () -> service.secrets().inNamespace(other).withName("s").get());
            refused(403, () -> service.secrets().inNamespace(other).resource(secret()).create());
            refused(403, () -> service.pods().inNamespace(other).withName("p").delete());
            refused(403, () -> service.rbac().clusterRoleBindings().resource(new io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder()
                    .withNewMetadata().withName("mine").endMetadata().withNewRoleRef().withApiGroup("rbac.authorization.k8s.io")
                    .withKind("ClusterRole").withName("cluster-admin").endRoleRef().build()).create());
            // and it asks, as kubectl auth can-i does, with the same answers
            assertTrue(canI(service, lab, "create", "", "secrets"));
            assertFalse(canI(service, other, "get", "", "secrets"));
            assertTrue(canI(service, null, "delete", "", "namespaces"));
            assertFalse(canI(service, null, "create", "rbac.authorization.k8s.io", "clusterrolebindings"));
        }
    }

    private static boolean canI(KubernetesClient as, String namespace, String verb, String group, String resource) {
        return as.resource(new io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReviewBuilder().withNewSpec()
                .withNewResourceAttributes().withNamespace(namespace).withVerb(verb).withGroup(group).withResource(resource)
                .endResourceAttributes().endSpec().build()).create().getStatus().getAllowed();
    }

    private static io.fabric8.kubernetes.api.model.Secret secret() {
        return new io.fabric8.kubernetes.api.model.SecretBuilder().withNewMetadata().withName("postgres-credentials").endMetadata()
                .addToStringData("password", "x").build();
    }

    private static io.fabric8.kubernetes.api.model.rbac.RoleBinding binding(String name, String clusterRole) {
        return new io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewRoleRef().withApiGroup("rbac.authorization.k8s.io").withKind("ClusterRole").withName(clusterRole).endRoleRef()
                .addNewSubject().withKind("ServiceAccount").withName("lab-provisioner").withNamespace("lab-provisioner").endSubject().build();
    }

    private static void refused(int code, org.junit.jupiter.api.function.Executable call) {
        var e = org.junit.jupiter.api.Assertions.assertThrows(io.fabric8.kubernetes.client.KubernetesClientException.class, call);
        assertEquals(code, e.getCode(), e.getMessage());
    }

    @Test
    void anInvalidStatefulSetIsRefusedAsTheApiServerRefusesIt() {
        String ns = newNamespace();
        java.util.function.Function<java.util.function.UnaryOperator<io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder>, Integer> create = change -> {
            var sts = change.apply(new io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder().withNewMetadata().withName("db").endMetadata()
                    .withNewSpec().withServiceName("db").withNewSelector().addToMatchLabels("app", "db").endSelector()
                    .withNewTemplate().withNewMetadata().addToLabels("app", "db").endMetadata()
                    .withNewSpec().addNewContainer().withName("c").withImage("postgres:17").endContainer().endSpec().endTemplate().endSpec()).build();
            try {
                client.apps().statefulSets().inNamespace(ns).resource(sts).create();
                return 201;
            } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
                assertTrue(e.getMessage().contains("StatefulSet.apps \"" + sts.getMetadata().getName() + "\" is invalid"), e.getMessage());
                return e.getCode();
            }
        };
        assertEquals(422, create.apply(b -> b.editSpec().editTemplate().editMetadata().withLabels(java.util.Map.of("app", "other"))
                .endMetadata().endTemplate().endSpec()));
        assertEquals(422, create.apply(b -> b.editSpec().editTemplate().editSpec().withContainers().endSpec().endTemplate().endSpec()));
        assertEquals(422, create.apply(b -> b.editMetadata().withName("Postgres_1").endMetadata()));
        assertNull(client.apps().statefulSets().inNamespace(ns).withName("db").get(), "nothing invalid was stored");
        assertEquals(201, create.apply(b -> b));
    }

    @Test
    void aSecretsStringDataIsStoredAsBase64Data() {
        String ns = newNamespace();
        client.secrets().inNamespace(ns).resource(new io.fabric8.kubernetes.api.model.SecretBuilder().withNewMetadata().withName("s").endMetadata()
                .addToStringData("password", "hunter2").build()).create();
        var stored = client.secrets().inNamespace(ns).withName("s").get();
        assertEquals("aHVudGVyMg==", stored.getData().get("password"));
        assertTrue(stored.getStringData() == null || stored.getStringData().isEmpty());
    }

    // ------------------------------------------------------------------ helpers

    private static String newNamespace() {
        String ns = "api-" + NAMESPACES.incrementAndGet();
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create();
        return ns;
    }

    private static JsonNode resource(JsonNode list, String name) {
        for (JsonNode r : list.path("resources")) {
            if (name.equals(r.path("name").asText())) {
                return r;
            }
        }
        throw new AssertionError(name + " not in " + list);
    }

    /** "ADDED one" for each event of a watch response. */
    private static List<String> watchLines(String path) {
        var response = send("GET", path + "&timeoutSeconds=1", null, null, null);
        assertEquals(200, response.statusCode(), response.body());
        List<String> out = new ArrayList<>();
        for (String line : response.body().split("\n")) {
            if (!line.isBlank()) {
                JsonNode event = readTree(line);
                out.add(event.path("type").asText() + " " + event.path("object").path("metadata").path("name").asText());
            }
        }
        return out;
    }

    private static JsonNode get(String path, String accept) {
        var response = send("GET", path, null, accept, null);
        assertEquals(200, response.statusCode(), path + ": " + response.body());
        return readTree(response.body());
    }

    private static HttpResponse<String> send(String method, String path, String contentType, String accept, String body) {
        return send(api.adminToken(), method, path, contentType, accept, body);
    }

    private static HttpResponse<String> send(String token, String method, String path, String contentType, String accept, String body) {
        try {
            var builder = HttpRequest.newBuilder(URI.create(api.url() + path)).timeout(Duration.ofSeconds(10));
            if (token != null) {
                builder.header("Authorization", "Bearer " + token);
            }
            builder.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
            if (contentType != null) {
                builder.header("Content-Type", contentType);
            }
            if (accept != null) {
                builder.header("Accept", accept);
            }
            return http.send(builder.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode readTree(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
