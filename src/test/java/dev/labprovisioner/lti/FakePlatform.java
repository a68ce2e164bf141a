package dev.labprovisioner.lti;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import dev.labprovisioner.Api;
import io.restassured.RestAssured;
import io.restassured.response.Response;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An LTI 1.3 platform (an LMS), for real, over HTTP on 127.0.0.1: it publishes its JWKS, runs an OIDC authorization
 * endpoint that answers the tool's login redirect with a signed id_token (as a form, as LMSs do), and checks what the
 * tool sends there. Its keys and claims are its own (nimbus-jose-jwt), not the service's.
 *
 * <p>Extend it with more endpoints (token, line items, scores, memberships) through {@link #handle}; every request to
 * any endpoint is kept in {@link #requests()}.
 */
public final class FakePlatform implements AutoCloseable {

    public static final String DEPLOYMENT = "deployment-1";

    /** A request the platform received. */
    public record Received(String method, String path, String query, Map<String, List<String>> headers, String body) {
        public String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name)).map(e -> e.getValue().get(0)).findFirst().orElse(null);
        }
    }

    /** What the authorization endpoint answered: the form the browser posts to the tool, and what the tool had sent. */
    public record LaunchForm(String idToken, String state, Map<String, String> authorization) {
        /** The browser's post to the tool's launch URL. */
        public Response post() {
            return post("/lti/launch");
        }

        public Response post(String path) {
            return RestAssured.given().redirects().follow(false).contentType("application/x-www-form-urlencoded; charset=UTF-8")
                    .formParam("id_token", idToken).formParam("state", state).post(path);
        }

        public LaunchForm withState(String other) {
            return new LaunchForm(idToken, other, authorization);
        }

        public LaunchForm withIdToken(String other) {
            return new LaunchForm(other, state, authorization);
        }
    }

    private final HttpServer server;
    public final String issuer;
    public final String clientId = "client-" + UUID.randomUUID().toString().substring(0, 8);
    private volatile RSAKey key;
    /** Keys in the JWKS besides the signing key (rotated ones). */
    private final List<RSAKey> published = new CopyOnWriteArrayList<>();
    private final AtomicInteger jwksFetches = new AtomicInteger();
    private final List<Received> requests = new CopyOnWriteArrayList<>();
    private final Map<String, Launch> pending = new ConcurrentHashMap<>();
    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    private String registrationId;

    /** What the authorization endpoint puts into the id_token for a login hint: claims (null removes one) and the key that signs. */
    private record Launch(Map<String, Object> claims, RSAKey signer) {
    }

    public FakePlatform() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        issuer = "http://127.0.0.1:" + server.getAddress().getPort();
        key = newKey("platform-" + UUID.randomUUID().toString().substring(0, 8));
        handle("/jwks", exchange -> {
            jwksFetches.incrementAndGet();
            var keys = new ArrayList<com.nimbusds.jose.jwk.JWK>();
            keys.add(key.toPublicJWK());
            published.forEach(k -> keys.add(k.toPublicJWK()));
            respond(exchange, 200, "application/json", new JWKSet(keys).toString(true));
        });
        handle("/auth", this::authorize);
        server.start();
    }

    /** A new RSA key (a foreign one, or the next after a rotation). */
    public static RSAKey newKey(String kid) {
        try {
            return new RSAKeyGenerator(2048).keyID(kid).keyUse(KeyUse.SIGNATURE).algorithm(JWSAlgorithm.RS256).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Adds an endpoint; what it receives is also kept in {@link #requests()}. */
    public void handle(String path, HttpHandler handler) {
        server.createContext(path, exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            requests.add(new Received(exchange.getRequestMethod(), exchange.getRequestURI().getPath(), exchange.getRequestURI().getRawQuery(),
                    Map.copyOf(exchange.getRequestHeaders()), new String(body, StandardCharsets.UTF_8)));
            exchange.setAttribute("body", body);
            try {
                handler.handle(exchange);
            } catch (RuntimeException e) {
                respond(exchange, 500, "text/plain", String.valueOf(e));
            }
        });
    }

    public static void respond(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            exchange.getResponseBody().write(bytes);
        }
        exchange.close();
    }

    public List<Received> requests() {
        return List.copyOf(requests);
    }

    public int jwksFetches() {
        return jwksFetches.get();
    }

    public RSAKey key() {
        return key;
    }

    /** A new signing key; the old one leaves the JWKS unless {@code keepOld}. */
    public RSAKey rotate(boolean keepOld) {
        if (keepOld) {
            published.add(key);
        }
        key = newKey("platform-" + UUID.randomUUID().toString().substring(0, 8));
        return key;
    }

    public String url(String path) {
        return issuer + path;
    }

    /** Registers this platform with the service (admin API) for {@code template}; returns the registration as JSON. */
    public io.restassured.path.json.JsonPath register(String template) {
        var body = new LinkedHashMap<String, Object>();
        body.put("name", "Fake LMS " + clientId);
        body.put("issuer", issuer);
        body.put("clientId", clientId);
        body.put("deploymentIds", List.of(DEPLOYMENT));
        body.put("authLoginUrl", url("/auth"));
        body.put("accessTokenUrl", url("/token"));
        body.put("jwksUrl", url("/jwks"));
        body.put("template", template);
        var json = Api.asAdmin().body(body).post("/api/v1/admin/lti/platforms").then().statusCode(201).extract().jsonPath();
        registrationId = json.getString("id");
        return json;
    }

    /** Registered once, whichever test comes first. */
    public synchronized String ensureRegistered(String template) {
        if (registrationId == null) {
            register(template);
        }
        return registrationId;
    }

    public String registrationId() {
        return registrationId;
    }

    /** The claims of a learner's resource-link launch in a course: the test changes what it wants before {@link #login}. */
    public Map<String, Object> resourceLink(String sub, String contextId, String... roles) {
        var claims = new LinkedHashMap<String, Object>();
        claims.put("sub", sub);
        claims.put(LtiClaims.MESSAGE_TYPE, LtiClaims.RESOURCE_LINK_REQUEST);
        claims.put(LtiClaims.VERSION, LtiClaims.LTI_VERSION);
        claims.put(LtiClaims.DEPLOYMENT_ID, DEPLOYMENT);
        claims.put(LtiClaims.TARGET_LINK_URI, "http://localhost/lti/launch");
        claims.put(LtiClaims.RESOURCE_LINK, Map.of("id", "link-" + contextId));
        claims.put(LtiClaims.ROLES, roles.length == 0 ? List.of(LtiClaims.ROLE_LEARNER) : List.of(roles));
        claims.put(LtiClaims.CONTEXT, Map.of("id", contextId, "title", "Course " + contextId));
        claims.put(LtiClaims.AGS_ENDPOINT, Map.of(
                "scope", List.of("https://purl.imsglobal.org/spec/lti-ags/scope/lineitem", "https://purl.imsglobal.org/spec/lti-ags/scope/score"),
                "lineitems", url("/contexts/" + contextId + "/lineitems"),
                "lineitem", url("/contexts/" + contextId + "/lineitems/1")));
        claims.put(LtiClaims.NRPS, Map.of("context_memberships_url", url("/contexts/" + contextId + "/memberships"),
                "service_versions", List.of("2.0")));
        return claims;
    }

    /** The claims of a deep-linking request (an instructor choosing content). */
    public Map<String, Object> deepLinking(String sub, String contextId, String returnUrl, String data) {
        var claims = resourceLink(sub, contextId, LtiClaims.ROLE_INSTRUCTOR);
        claims.put(LtiClaims.MESSAGE_TYPE, LtiClaims.DEEP_LINKING_REQUEST);
        claims.remove(LtiClaims.RESOURCE_LINK);
        claims.remove(LtiClaims.AGS_ENDPOINT);
        var settings = new LinkedHashMap<String, Object>();
        settings.put("deep_link_return_url", returnUrl);
        settings.put("accept_types", List.of("ltiResourceLink"));
        settings.put("accept_presentation_document_targets", List.of("iframe", "window"));
        settings.put("accept_multiple", false);
        if (data != null) {
            settings.put("data", data);
        }
        claims.put(LtiClaims.DEEP_LINKING_SETTINGS, settings);
        return claims;
    }

    /** The whole front channel with the platform's own key: the tool's login, its redirect here, and the form we answer. */
    public LaunchForm login(Map<String, Object> claims) {
        return login(claims, key);
    }

    public LaunchForm login(Map<String, Object> claims, RSAKey signer) {
        String hint = "hint-" + UUID.randomUUID();
        pending.put(hint, new Launch(claims, signer));
        Response redirect = RestAssured.given().redirects().follow(false).contentType("application/x-www-form-urlencoded; charset=UTF-8")
                .formParam("iss", issuer).formParam("login_hint", hint).formParam("target_link_uri", "http://localhost/lti/launch")
                .formParam("lti_message_hint", "message-" + hint).formParam("client_id", clientId)
                .formParam("lti_deployment_id", DEPLOYMENT).post("/lti/login");
        if (redirect.statusCode() != 302) {
            throw new AssertionError("The tool's login answered " + redirect.statusCode() + ", not 302: " + redirect.asString());
        }
        String location = redirect.header("Location");
        if (!location.startsWith(url("/auth"))) {
            throw new AssertionError("The tool's login redirected to " + location + ", not to the platform's authorization endpoint");
        }
        try {
            HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(location)).GET().build(), HttpResponse.BodyHandlers.ofString());
            if (answer.statusCode() != 200) {
                throw new AssertionError("The platform refused the tool's authorization request: " + answer.body());
            }
            String idToken = input(answer.body(), "id_token");
            String state = input(answer.body(), "state");
            return new LaunchForm(idToken, state, query(URI.create(location).getRawQuery()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The OIDC authorization endpoint: checks the tool's request as LTI 1.3 Core §5.1.1.2 asks, answers the form post. */
    private void authorize(HttpExchange exchange) throws IOException {
        Map<String, String> q = query(exchange.getRequestURI().getRawQuery());
        var problems = new ArrayList<String>();
        expect(problems, q, "scope", "openid");
        expect(problems, q, "response_type", "id_token");
        expect(problems, q, "response_mode", "form_post");
        expect(problems, q, "prompt", "none");
        expect(problems, q, "client_id", clientId);
        if (q.get("redirect_uri") == null || !q.get("redirect_uri").endsWith("/lti/launch")) {
            problems.add("redirect_uri " + q.get("redirect_uri"));
        }
        Launch launch = q.get("login_hint") == null ? null : pending.remove(q.get("login_hint"));
        if (launch == null) {
            problems.add("unknown login_hint");
        } else {
            expect(problems, q, "lti_message_hint", "message-" + q.get("login_hint"));
        }
        if (q.get("state") == null || q.get("nonce") == null) {
            problems.add("no state or nonce");
        }
        if (!problems.isEmpty()) {
            respond(exchange, 400, "text/plain", String.join("; ", problems));
            return;
        }
        String idToken = idToken(launch.claims(), q.get("nonce"), launch.signer());
        respond(exchange, 200, "text/html", "<form method=\"post\" action=\"" + q.get("redirect_uri") + "\">"
                + "<input type=\"hidden\" name=\"id_token\" value=\"" + idToken + "\">"
                + "<input type=\"hidden\" name=\"state\" value=\"" + q.get("state") + "\"></form>");
    }

    /** An id_token as this platform makes them: iss, aud, azp, iat, exp, nonce, then {@code claims} (a null value removes one). */
    public String idToken(Map<String, Object> claims, String nonce, RSAKey signer) {
        var all = new LinkedHashMap<String, Object>();
        Instant now = Instant.now();
        all.put("iss", issuer);
        all.put("aud", clientId);
        all.put("azp", clientId);
        all.put("iat", Date.from(now));
        all.put("exp", Date.from(now.plusSeconds(300)));
        all.put("nonce", nonce);
        all.putAll(claims);
        var builder = new JWTClaimsSet.Builder();
        all.forEach((name, value) -> {
            if (value != null) {
                builder.claim(name, value);
            }
        });
        return sign(builder.build(), signer);
    }

    public static String sign(JWTClaimsSet claims, RSAKey signer) {
        try {
            var jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(signer.getKeyID()).type(JOSEObjectType.JWT).build(), claims);
            jwt.sign(new RSASSASigner(signer));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void expect(List<String> problems, Map<String, String> q, String name, String value) {
        if (!value.equals(q.get(name))) {
            problems.add(name + "=" + q.get(name) + " (expected " + value + ")");
        }
    }

    public static Map<String, String> query(String raw) {
        var params = new LinkedHashMap<String, String>();
        if (raw == null) {
            return params;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            params.put(name, value);
        }
        return params;
    }

    /** A hidden input's value in an HTML form (the tool's and ours are simple enough for this). */
    public static String input(String html, String name) {
        Matcher m = Pattern.compile("name=\"" + Pattern.quote(name) + "\"\\s+value=\"([^\"]*)\"").matcher(html);
        if (!m.find()) {
            throw new AssertionError("No input '" + name + "' in " + html);
        }
        return m.group(1).replace("&amp;", "&").replace("&quot;", "\"").replace("&#39;", "'").replace("&lt;", "<").replace("&gt;", ">");
    }

    /** Something to do to every request to a path, e.g. to stop answering: {@code platform.handle("/jwks", ...)} replaces it. */
    public void replace(String path, Consumer<HttpExchange> handler) {
        server.removeContext(path);
        handle(path, handler::accept);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
