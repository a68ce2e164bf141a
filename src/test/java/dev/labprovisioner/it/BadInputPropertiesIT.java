package dev.labprovisioner.it;

import dev.labprovisioner.RawHttp;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;

import java.io.ByteArrayOutputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 13, "no 5xx from input", as a property: generated bodies, path segments, query parameters and headers thrown at
 * every operation of the API (the README's table) never get a 5xx; every 4xx is application/problem+json; and a refused
 * request creates no lab and no API client. jqwik is a JUnit Platform engine of its own, so it cannot run inside
 * {@code @QuarkusTest}: it drives the packaged service ({@code ./mvnw verify}, after {@code package}) on the sandbox's
 * imitation, over raw HTTP/1.1, so that nothing is cleaned up on the way (invalid UTF-8, any byte in a URL). On a
 * failure jqwik prints the seed and the shrunk request; {@code target/bad-input-properties.log} is the service's log.
 */
class BadInputPropertiesIT {

    private static final String ADMIN = "bad-input-properties-admin-token";
    private static final String TEMPLATE = "postgres-statefulset";

    static Process service;
    static RawHttp http;
    static String lms;
    static String labId;
    static String token;
    static String clientId;

    /** Who may call an operation: an LMS client, the admin token, or the learner link in the path. */
    enum Caller { LMS, ADMIN, LINK }

    /** What an operation reads as its body. */
    enum Body { NONE, CREATE_LAB, EXTEND, CREATE_CLIENT, ROSTER, RESET, SQL }

    /**
     * One operation of the API. {@code {lab}}, {@code {token}}, {@code {client}}, {@code {course}}, {@code {checkpoint}}
     * and {@code {pod}} in the path are filled with the fixture's real values or with generated ones; an operation that
     * destroys what the fixture needs ({@code destructive}) only ever gets generated ones. {@code creates}: a 2xx may
     * create labs or clients (a generated body that happens to be valid), so only its refusals must leave the counts alone.
     */
    record Operation(String method, String path, Caller caller, Body body, List<String> params, boolean destructive, boolean creates) {
        @Override
        public String toString() {
            return method + " " + path;
        }
    }

    static final List<Operation> OPERATIONS = List.of(
            new Operation("POST", "/api/v1/admin/clients", Caller.ADMIN, Body.CREATE_CLIENT, List.of(), false, true),
            new Operation("GET", "/api/v1/admin/clients", Caller.ADMIN, Body.NONE, List.of(), false, false),
            new Operation("POST", "/api/v1/admin/clients/{client}/rotate", Caller.ADMIN, Body.NONE, List.of(), true, false),
            new Operation("DELETE", "/api/v1/admin/clients/{client}", Caller.ADMIN, Body.NONE, List.of(), true, false),
            new Operation("POST", "/api/v1/labs", Caller.LMS, Body.CREATE_LAB, List.of(), false, true),
            new Operation("GET", "/api/v1/labs/{lab}", Caller.LMS, Body.NONE, List.of(), false, false),
            new Operation("GET", "/api/v1/labs", Caller.LMS, Body.NONE, List.of("learnerId", "courseId", "state", "page", "size"), false, false),
            new Operation("DELETE", "/api/v1/labs/{lab}", Caller.LMS, Body.NONE, List.of(), true, false),
            new Operation("POST", "/api/v1/labs/{lab}/extend", Caller.LMS, Body.EXTEND, List.of(), false, false),
            new Operation("POST", "/api/v1/labs/{lab}/retry", Caller.LMS, Body.NONE, List.of(), false, false),
            new Operation("GET", "/api/v1/labs/{lab}/events", Caller.LMS, Body.NONE, List.of(), false, false),
            new Operation("GET", "/api/v1/labs/{lab}/progress", Caller.LMS, Body.NONE, List.of(), false, false),
            new Operation("POST", "/api/v1/labs/{lab}/validate", Caller.LMS, Body.NONE, List.of(), false, false),
            new Operation("POST", "/api/v1/labs/{lab}/checkpoints/{checkpoint}/validate", Caller.LMS, Body.NONE, List.of("act"), false, false),
            new Operation("GET", "/api/v1/templates", Caller.LMS, Body.NONE, List.of(), false, false),
            new Operation("GET", "/api/v1/admin/labs", Caller.ADMIN, Body.NONE, List.of("courseId", "state", "learnerId", "page", "size"), false, false),
            new Operation("GET", "/api/v1/admin/courses/{course}/progress", Caller.ADMIN, Body.NONE, List.of("template"), false, false),
            new Operation("POST", "/api/v1/admin/courses/{course}/labs", Caller.ADMIN, Body.ROSTER, List.of(), false, true),
            new Operation("POST", "/api/v1/admin/courses/{course}/extend", Caller.ADMIN, Body.EXTEND, List.of(), false, false),
            new Operation("DELETE", "/api/v1/admin/labs/{lab}", Caller.ADMIN, Body.NONE, List.of(), true, false),
            new Operation("POST", "/api/v1/admin/labs/{lab}/reset", Caller.ADMIN, Body.RESET, List.of(), true, false),
            new Operation("GET", "/api/v1/admin/stats", Caller.ADMIN, Body.NONE, List.of(), false, false),
            new Operation("GET", "/api/v1/admin/audit", Caller.ADMIN, Body.NONE, List.of("action", "target", "page", "size"), false, false),
            new Operation("GET", "/learn/{token}", Caller.LINK, Body.NONE, List.of(), false, false),
            new Operation("POST", "/learn/{token}/checkpoints/{checkpoint}/check", Caller.LINK, Body.NONE, List.of("act"), false, false),
            new Operation("GET", "/learn/{token}/kubeconfig", Caller.LINK, Body.NONE, List.of(), false, false),
            new Operation("GET", "/learn/{token}/progress", Caller.LINK, Body.NONE, List.of(), false, false),
            new Operation("POST", "/learn/{token}/checkpoints/{checkpoint}/validate", Caller.LINK, Body.NONE, List.of("act"), false, false),
            new Operation("POST", "/learn/{token}/pods/{pod}/sql", Caller.LINK, Body.SQL, List.of(), false, false));

    /** One generated request: the target and body as bytes, as they go on the wire. */
    record Request(Operation operation, String target, byte[] body, List<String> headers) {
        @Override
        public String toString() {
            return operation.method() + " " + target + " " + headers + " body=" + (body == null ? "none" : new String(body, StandardCharsets.UTF_8));
        }
    }

    @BeforeContainer
    static void start() throws Exception {
        int port;
        try (var socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        service = PackagedService.start(Map.of(
                "QUARKUS_PROFILE", "sandbox",
                "QUARKUS_HTTP_PORT", Integer.toString(port),
                "LABS_SANDBOX_ENGINE", "imitation",
                "LABS_SANDBOX_WORK_DIR", Path.of("target/bad-input-properties").toAbsolutePath().toString(),
                "LABS_SANDBOX_POD_READY_DELAY", "50ms",
                "LABS_CHECKS_SQL_TIMEOUT", "1s",
                "LABS_ADMIN_BOOTSTRAP_TOKEN", ADMIN), Path.of("target/bad-input-properties.log"));
        RestAssured.baseURI = "http://127.0.0.1";
        RestAssured.port = port;
        PackagedService.awaitReady();
        http = new RawHttp("127.0.0.1", port);

        var client = RestAssured.given().auth().oauth2(ADMIN).contentType(ContentType.JSON)
                .body(Map.of("name", "lms", "scopes", List.of("labs:read", "labs:write")))
                .post("/api/v1/admin/clients").then().statusCode(201).extract();
        lms = client.path("secret");
        clientId = client.path("id");
        var lab = RestAssured.given().auth().oauth2(lms).contentType(ContentType.JSON)
                .body(Map.of("learnerId", "fixture", "courseId", "k8s-101", "template", TEMPLATE))
                .post("/api/v1/labs").then().statusCode(202).extract();
        labId = lab.path("id");
        String url = lab.path("learnerUrl");
        token = url.substring(url.indexOf("/learn/") + "/learn/".length());
        await().atMost(Duration.ofSeconds(60)).until(() ->
                "READY".equals(RestAssured.given().auth().oauth2(lms).get("/api/v1/labs/" + labId).then().extract().path("state")));
    }

    @AfterContainer
    static void stop() throws Exception {
        if (service != null) {
            service.destroy();
            service.waitFor(30, TimeUnit.SECONDS);
        }
        RestAssured.reset();
    }

    /**
     * Each try is a round: one generated request for every operation, so every endpoint is hit in every run (a random
     * choice of operation left some with none). jqwik shrinks the round's requests and prints the seed on a failure.
     */
    @Property(tries = 20, edgeCases = EdgeCasesMode.NONE, shrinking = ShrinkingMode.BOUNDED)
    void noRequestGetsA5xxAndARefusedOneCreatesNothing(@ForAll("rounds") List<Request> round) {
        long labs = labs();
        long clients = clients();
        for (Request request : round) {
            var response = http.send(request.operation().method(), request.target().getBytes(StandardCharsets.ISO_8859_1),
                    request.body(), false, request.headers().toArray(String[]::new));
            Statistics.label("status").collect(response.status());
            long labsAfter = labs();
            long clientsAfter = clients();

            assertThat(response.status()).as("%s answered %s", request, response).isLessThan(500);
            if (response.status() >= 400) {
                if (!learnerPageAsHtml(request)) {
                    assertThat(response.contentType()).as("%s answered %s", request, response).isEqualTo("application/problem+json");
                    assertThat(JsonPath.from(response.body()).getInt("status")).isEqualTo(response.status());
                }
                assertThat(labsAfter).as("labs after %s answered %s", request, response).isEqualTo(labs);
                assertThat(clientsAfter).as("clients after %s answered %s", request, response).isEqualTo(clients);
            } else if (!request.operation().creates()) {
                assertThat(labsAfter).as("labs after %s answered %s", request, response).isEqualTo(labs);
                assertThat(clientsAfter).as("clients after %s answered %s", request, response).isEqualTo(clients);
            } else {
                Statistics.label("valid bodies that created").collect(request.operation().toString());
            }
            labs = labsAfter;
            clients = clientsAfter;
        }
    }

    /** The learner's page answers a browser (Accept: text/html) with an HTML page, its errors too: by design (README). */
    private static boolean learnerPageAsHtml(Request request) {
        return request.operation().path().equals("/learn/{token}") && request.operation().method().equals("GET")
                && request.headers().stream().anyMatch(h -> h.toLowerCase().startsWith("accept:") && h.toLowerCase().contains("html"));
    }

    @Provide
    Arbitrary<List<Request>> rounds() {
        List<Arbitrary<Request>> one = OPERATIONS.stream().map(BadInputPropertiesIT::request).toList();
        return Combinators.combine(one).as(requests -> requests);
    }

    private static Arbitrary<Request> request(Operation operation) {
        return Combinators.combine(path(operation), query(operation), body(operation.body()), headers(operation))
                .as((path, query, body, headers) -> new Request(operation, path + query, body, headers));
    }

    // --- paths: each placeholder the fixture's value, a well-formed value that names nothing, or generated bytes ---

    private static Arbitrary<String> path(Operation operation) {
        Arbitrary<String> result = Arbitraries.just("");
        for (String part : operation.path().split("(?=\\{)|(?<=\\})")) {
            Arbitrary<String> segment = part.startsWith("{") ? placeholder(part, operation.destructive()) : Arbitraries.just(part);
            result = Combinators.combine(result, segment).as(String::concat);
        }
        return result;
    }

    private static Arbitrary<String> placeholder(String name, boolean destructive) {
        String real = switch (name) {
            case "{lab}" -> labId;
            case "{token}" -> token;
            case "{client}" -> clientId;
            case "{course}" -> "k8s-101";
            case "{checkpoint}" -> "stable-identity";
            case "{pod}" -> "postgres-0";
            default -> throw new IllegalArgumentException(name);
        };
        var generated = Arbitraries.oneOf(
                Arbitraries.just(UUID.randomUUID().toString()),
                Arbitraries.just(labId + "x"),
                Arbitraries.just(token + "A"),
                encodedText(),
                encodedBytes());
        return destructive ? generated : Arbitraries.frequencyOf(Tuple2s.of(3, Arbitraries.just(real)), Tuple2s.of(2, generated));
    }

    // --- query parameters: the operation's own names (and some others), each with a generated value ---

    private static Arbitrary<String> query(Operation operation) {
        var names = new ArrayList<>(operation.params());
        names.add("x");
        names.add("page");
        var pair = Combinators.combine(Arbitraries.of(names), Arbitraries.oneOf(encodedText(), encodedBytes(), numbers().map(String::valueOf)))
                .as((name, value) -> name + "=" + value);
        // boundaries of the list endpoints' paging: an offset (page × size) past 2^31 was a 500 once
        var paging = Arbitraries.of("page=107374183", "page=2147483647&size=100", "size=0", "size=101", "page=-1", "page=1e3", "size=%2B5");
        var pairs = Arbitraries.oneOf(pair, pair, paging).list().ofMaxSize(4).map(list -> list.isEmpty() ? "" : "?" + String.join("&", list));
        // now and then a URL past labs.limits.url-length (4096): a 414 problem
        return Arbitraries.frequencyOf(Tuple2s.of(20, pairs), Tuple2s.of(1, Arbitraries.just("?x=" + "a".repeat(5000))));
    }

    /** Any text, percent-encoded as UTF-8 (so the URL is valid, and what it says is anything). */
    private static Arbitrary<String> encodedText() {
        return Arbitraries.strings().all().ofMaxLength(40).map(BadInputPropertiesIT::percentEncode);
    }

    /** Any bytes, percent-encoded: often not UTF-8 (%FF, %C3%28, a lone continuation byte, a cut-off sequence). */
    private static Arbitrary<String> encodedBytes() {
        return Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(12).map(bytes -> {
            var b = new StringBuilder();
            for (byte x : bytes) {
                b.append('%').append(String.format("%02X", x & 0xFF));
            }
            return b.toString();
        });
    }

    private static String percentEncode(String text) {
        var b = new StringBuilder();
        for (byte x : text.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (x & 0xFF);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~') {
                b.append(c);
            } else {
                b.append('%').append(String.format("%02X", x & 0xFF));
            }
        }
        return b.toString();
    }

    private static Arbitrary<Object> numbers() {
        return Arbitraries.oneOf(
                Arbitraries.integers().map(Object.class::cast),
                Arbitraries.longs().map(Object.class::cast),
                Arbitraries.of(0, -1, 1, 100, 101, Integer.MAX_VALUE, Integer.MIN_VALUE, 480, 481, 1440).map(Object.class::cast),
                Arbitraries.of("1e400", "-0", "1.5", "9223372036854775808", "99999999999999999999999", "1e2", "0x10", "NaN").map(Object.class::cast));
    }

    // --- bodies: the operation's valid body, then mutated; or not JSON at all ---

    private static Arbitrary<byte[]> body(Body kind) {
        if (kind == Body.NONE) {
            return Arbitraries.oneOf(Arbitraries.just((byte[]) null), Arbitraries.just((byte[]) null), anyBytes(), jsonBody(Map.of("a", "b")));
        }
        if (kind == Body.SQL) {
            return Arbitraries.oneOf(
                    Arbitraries.strings().all().ofMaxLength(60).map(s -> s.getBytes(StandardCharsets.UTF_8)),
                    Arbitraries.of("SELECT 1", "SELECT '\u0000'", "SELECT E'\\x00'", "SELECT repeat('x', 1000000)", "SELECT 1/0",
                            "SELECT pg_sleep(30)", "", ";", "SELECT * FROM generate_series(1, 100000)").map(s -> s.getBytes(StandardCharsets.UTF_8)),
                    anyBytes());
        }
        Map<String, Object> valid = switch (kind) {
            case CREATE_LAB -> Map.of("learnerId", "ann", "courseId", "k8s-101", "template", TEMPLATE, "ttlMinutes", 60);
            case EXTEND -> Map.of("minutes", 30);
            case CREATE_CLIENT -> Map.of("name", "moodle", "scopes", List.of("labs:read"));
            case ROSTER -> Map.of("template", TEMPLATE, "learnerIds", List.of("ann", "bob"), "ttlMinutes", 60);
            case RESET -> Map.of("ttlMinutes", 60);
            default -> throw new IllegalArgumentException(kind.name());
        };
        // now and then a valid body padded past labs.limits.body-size (1 MB): a 413 problem
        var oversized = jsonBody(valid).map(json -> {
            var out = new ByteArrayOutputStream();
            out.writeBytes(("{\"padding\":\"" + "p".repeat(1_100_000) + "\",").getBytes(StandardCharsets.US_ASCII));
            out.write(json, 1, json.length - 1);
            return out.toByteArray();
        });
        return Arbitraries.frequencyOf(Tuple2s.of(12, jsonBody(valid)), Tuple2s.of(2, anyBytes()), Tuple2s.of(2, malformedJson()),
                Tuple2s.of(1, oversized));
    }

    /** The valid body with one to three fields replaced, dropped, repeated or added; written as JSON by hand. */
    private static Arbitrary<byte[]> jsonBody(Map<String, Object> valid) {
        var names = new ArrayList<>(valid.keySet());
        names.add("unknown");
        var mutation = Combinators.combine(Arbitraries.of(names), Arbitraries.integers().between(0, 3), jsonValue(2))
                .as((name, how, value) -> (java.util.function.UnaryOperator<List<Map.Entry<String, Object>>>) fields -> {
                    var out = new ArrayList<>(fields);
                    switch (how) {
                        case 0 -> out.removeIf(f -> f.getKey().equals(name));
                        case 1 -> out.add(Map.entry(name, value)); // a key given twice, or an unknown one
                        default -> {
                            out.removeIf(f -> f.getKey().equals(name));
                            out.add(Map.entry(name, value));
                        }
                    }
                    return out;
                });
        return mutation.list().ofMinSize(1).ofMaxSize(3).map(mutations -> {
            List<Map.Entry<String, Object>> fields = new ArrayList<>(valid.entrySet());
            for (var m : mutations) {
                fields = m.apply(fields);
            }
            var b = new StringBuilder("{");
            for (int i = 0; i < fields.size(); i++) {
                b.append(i == 0 ? "" : ",").append(json(fields.get(i).getKey())).append(':').append(json(fields.get(i).getValue()));
            }
            return b.append('}').toString().getBytes(StandardCharsets.UTF_8);
        });
    }

    /** A JSON value of any kind: strings of any characters (NUL, lone surrogates, RTL marks), big and odd numbers, nesting. */
    private static Arbitrary<Object> jsonValue(int depth) {
        var leaf = Arbitraries.oneOf(
                Arbitraries.strings().all().ofMaxLength(30).map(Object.class::cast),
                Arbitraries.strings().alpha().numeric().withChars("._-@+:").ofMinLength(1).ofMaxLength(140).map(Object.class::cast),
                Arbitraries.of("", " ", "\u0000", "\ud800", "a\u202eb", "labs:read", "admin", "labs:write", TEMPLATE, "READY")
                        .map(Object.class::cast),
                numbers().map(n -> (Object) new RawJson(n.toString())),
                Arbitraries.of(true, false).map(Object.class::cast),
                Arbitraries.just(new RawJson("null")));
        if (depth == 0) {
            return leaf;
        }
        return Arbitraries.oneOf(leaf, leaf, jsonValue(depth - 1).list().ofMaxSize(4).map(Object.class::cast));
    }

    /** Text put into the JSON as it is (numbers as written: 1e400, -0, 0x10). */
    record RawJson(String text) {
    }

    private static String json(Object value) {
        if (value instanceof RawJson raw) {
            return raw.text();
        }
        if (value instanceof Boolean || value instanceof Number) {
            return value.toString();
        }
        if (value instanceof List<?> list) {
            var b = new StringBuilder("[");
            for (int i = 0; i < list.size(); i++) {
                b.append(i == 0 ? "" : ",").append(json(list.get(i)));
            }
            return b.append(']').toString();
        }
        var b = new StringBuilder("\"");
        for (char c : value.toString().toCharArray()) {
            if (c == '"' || c == '\\' || c < 0x20 || Character.isSurrogate(c)) {
                b.append(String.format("\\u%04x", (int) c)); // escaped: a lone surrogate stays one
            } else {
                b.append(c);
            }
        }
        return b.append('"').toString();
    }

    private static Arbitrary<byte[]> malformedJson() {
        return Arbitraries.of("{", "[", "{\"learnerId\":", "{\"a\":1}}", "null", "\"text\"", "[{}]", "{\"minutes\":1e999999}",
                        "[".repeat(5000), "{\"learnerId\":\"ann\"" + ",\"x\":1".repeat(5000) + "}", "\uFEFF{}", "{\"a\":\"\\ud800\"}",
                        "{'learnerId':'ann'}", "{\"learnerId\":\"ann\" \"template\":\"x\"}")
                .map(s -> s.getBytes(StandardCharsets.UTF_8));
    }

    /** Bytes, often not UTF-8, sometimes inside an otherwise plausible JSON string. */
    private static Arbitrary<byte[]> anyBytes() {
        var raw = Arbitraries.bytes().array(byte[].class).ofMaxSize(40);
        return Arbitraries.oneOf(raw, raw.map(bytes -> {
            var out = new ByteArrayOutputStream();
            out.writeBytes("{\"learnerId\":\"a".getBytes(StandardCharsets.US_ASCII));
            out.writeBytes(bytes);
            out.writeBytes(("\",\"template\":\"" + TEMPLATE + "\",\"name\":\"n\",\"scopes\":[\"labs:read\"],\"minutes\":5}").getBytes(StandardCharsets.US_ASCII));
            return out.toByteArray();
        }));
    }

    // --- headers: the credential (mostly the right one, to get past it), Content-Type, Accept, Idempotency-Key ---

    private static Arbitrary<List<String>> headers(Operation operation) {
        String right = switch (operation.caller()) {
            case LMS -> "Authorization: Bearer " + lms;
            case ADMIN -> "Authorization: Bearer " + ADMIN;
            case LINK -> null;
        };
        var credential = Arbitraries.frequencyOf(
                Tuple2s.of(8, Arbitraries.just(right)),
                Tuple2s.of(1, Arbitraries.of("Authorization: Bearer " + token, "Authorization: Bearer lps_nope", "Authorization: Basic YTpi",
                        "Authorization: Bearer " + lms + "x", "Authorization: Bearer", "Authorization: " + "B".repeat(300))),
                Tuple2s.of(1, Arbitraries.just((String) null)));
        var contentType = Arbitraries.of("Content-Type: application/json", "Content-Type: application/json", "Content-Type: text/plain",
                "Content-Type: application/json; charset=ISO-8859-1", "Content-Type: application/xml", "Content-Type: ;;;",
                "Content-Type: multipart/form-data; boundary=x", "Content-Type: application/x-www-form-urlencoded", "");
        var accept = Arbitraries.of("", "", "Accept: application/json", "Accept: text/csv", "Accept: text/html", "Accept: */*",
                "Accept: image/png", "Accept: ;q=x", "Accept: text/html;q=0.9, application/json");
        var idempotencyKey = Arbitraries.oneOf(Arbitraries.just(""),
                Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(250).map(s -> "Idempotency-Key: " + s));
        // now and then headers past labs.limits.header-size (20 KB): a 431 problem
        var filler = Arbitraries.frequencyOf(Tuple2s.of(20, Arbitraries.just("")), Tuple2s.of(1, Arbitraries.just("X-Filler: " + "f".repeat(25_000))));
        return Combinators.combine(credential, contentType, accept, idempotencyKey, filler).as((c, t, a, k, f) -> {
            var headers = new ArrayList<String>();
            for (String h : new String[]{c, t, a, k, f}) {
                if (h != null && !h.isEmpty()) {
                    headers.add(h);
                }
            }
            return headers;
        });
    }

    // --- what a refusal must not change ---

    private static long labs() {
        var response = http.send("GET", "/api/v1/admin/labs?size=1", null, "Authorization: Bearer " + ADMIN);
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        return JsonPath.from(response.body()).getLong("total");
    }

    private static long clients() {
        var response = http.send("GET", "/api/v1/admin/clients", null, "Authorization: Bearer " + ADMIN);
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        return JsonPath.from(response.body()).getList("$").size();
    }

    /** Weighted choices, spelled once. */
    private static final class Tuple2s {
        static <T> net.jqwik.api.Tuple.Tuple2<Integer, Arbitrary<? extends T>> of(int weight, Arbitrary<T> arbitrary) {
            return net.jqwik.api.Tuple.of(weight, arbitrary);
        }
    }
}
