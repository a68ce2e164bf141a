package dev.labprovisioner.lti.ags;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpExchange;
import dev.labprovisioner.lti.FakePlatform;
import dev.labprovisioner.lti.LtiClaims;
import io.restassured.RestAssured;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The LTI Advantage services of a {@link FakePlatform}, over the same real HTTP server: a token endpoint that checks the
 * tool's client assertion as a platform must (signature against the tool's own {@code GET /lti/jwks}, {@code iss} =
 * {@code sub} = the client id, {@code aud} = the token URL, a short {@code exp}, a {@code jti} never seen before), line
 * item containers (paged, one item a page, with Link rel="next") that take a POST to make one, score endpoints that
 * record what they get (and answer what the test scripts), and membership containers of two pages.
 */
public final class FakeAgsPlatform implements AutoCloseable {

    public static final String SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score";
    public static final String LINEITEM_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem";
    public static final String MEMBERSHIPS_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern LINEITEMS = Pattern.compile("/contexts/([^/]+)/lineitems");
    private static final Pattern SCORES = Pattern.compile("/contexts/([^/]+)/lineitems/([^/]+)/scores");
    private static final Pattern MEMBERSHIPS = Pattern.compile("/contexts/([^/]+)/memberships");

    public final FakePlatform lms;

    /** A token request as the token endpoint saw it: the form, the assertion's claims, and what was wrong with it (null: nothing). */
    public record TokenRequest(Map<String, String> form, JWTClaimsSet assertion, String problem) {
    }

    /** A score as it arrived. */
    public record ScorePost(String context, String lineitem, String query, String contentType, String bearer, JsonNode score, int answered) {
    }

    /** A line item of a context's container. */
    public record LineItem(String id, String resourceId, String label, int scoreMaximum) {
    }

    private final List<TokenRequest> tokenRequests = new CopyOnWriteArrayList<>();
    private final Set<String> seenJtis = ConcurrentHashMap.newKeySet();
    private final Map<String, Set<String>> tokens = new ConcurrentHashMap<>();
    private final AtomicInteger tokenCount = new AtomicInteger();
    private final List<ScorePost> scores = new CopyOnWriteArrayList<>();
    private final ConcurrentLinkedDeque<Integer> scoreAnswers = new ConcurrentLinkedDeque<>();
    private final Map<String, List<LineItem>> lineItems = new ConcurrentHashMap<>();
    private final List<LineItem> created = new CopyOnWriteArrayList<>();
    private final Map<String, List<List<Map<String, Object>>>> memberships = new ConcurrentHashMap<>();
    private final AtomicInteger lineItemIds = new AtomicInteger(100);
    private volatile int membershipsStatus = 200;

    public FakeAgsPlatform() {
        lms = new FakePlatform();
        lms.handle("/token", this::token);
        lms.handle("/contexts/", this::contexts);
    }

    public String register(String template) {
        lms.register(template);
        return lms.registrationId();
    }

    // ---- what the test sets up

    /** A learner's resource-link launch whose AGS claim gives {@code lineitem} (null: none) and {@code lineitems} (null: none). */
    public Map<String, Object> launch(String sub, String context, String lineitem, String lineitems, List<String> scopes) {
        Map<String, Object> claims = lms.resourceLink(sub, context);
        var ags = new LinkedHashMap<String, Object>();
        ags.put("scope", scopes);
        if (lineitem != null) {
            ags.put("lineitem", lineitem);
        }
        if (lineitems != null) {
            ags.put("lineitems", lineitems);
        }
        claims.put(LtiClaims.AGS_ENDPOINT, ags);
        return claims;
    }

    public String lineitemsUrl(String context) {
        return lms.url("/contexts/" + context + "/lineitems");
    }

    /** A line item already in the context's container (made by the instructor, or by another tool). */
    public String addLineItem(String context, String resourceId, String label) {
        String id = lineitemsUrl(context) + "/" + lineItemIds.incrementAndGet();
        lineItems.computeIfAbsent(context, c -> new CopyOnWriteArrayList<>()).add(new LineItem(id, resourceId, label, 100));
        return id;
    }

    /** The next answers of the score endpoints, in order (then 200). */
    public void answerScoresWith(Integer... statuses) {
        scoreAnswers.addAll(List.of(statuses));
    }

    /** The context's members, as pages of the membership container. */
    @SafeVarargs
    public final void members(String context, List<Map<String, Object>>... pages) {
        memberships.put(context, List.of(pages));
    }

    public static Map<String, Object> member(String userId, String status, String... roles) {
        var m = new LinkedHashMap<String, Object>();
        m.put("user_id", userId);
        if (status != null) {
            m.put("status", status);
        }
        m.put("roles", List.of(roles));
        return m;
    }

    /** The platform forgets every token it gave (revoked, or its signing key changed): the next call with one is a 401. */
    public void revokeTokens() {
        tokens.clear();
    }

    public void answerMembershipsWith(int status) {
        membershipsStatus = status;
    }

    // ---- what the test reads

    public List<TokenRequest> tokenRequests() {
        return List.copyOf(tokenRequests);
    }

    public List<ScorePost> scores() {
        return List.copyOf(scores);
    }

    /** The scores the platform took (answered 2xx). */
    public List<ScorePost> accepted() {
        return scores.stream().filter(s -> s.answered() < 300).toList();
    }

    public List<LineItem> created() {
        return List.copyOf(created);
    }

    public List<FakePlatform.Received> requests(String pathPrefix) {
        return lms.requests().stream().filter(r -> r.path().startsWith(pathPrefix)).toList();
    }

    // ---- the endpoints

    /** RFC 6749 client credentials with an RFC 7523 assertion, checked as LTI Advantage's security framework §4.1 asks. */
    private void token(HttpExchange exchange) throws IOException {
        Map<String, String> form = FakePlatform.query(new String((byte[]) exchange.getAttribute("body"), java.nio.charset.StandardCharsets.UTF_8));
        String problem = null;
        JWTClaimsSet claims = null;
        try {
            if (!"client_credentials".equals(form.get("grant_type"))) {
                problem = "grant_type " + form.get("grant_type");
            } else if (!"urn:ietf:params:oauth:client-assertion-type:jwt-bearer".equals(form.get("client_assertion_type"))) {
                problem = "client_assertion_type " + form.get("client_assertion_type");
            } else {
                SignedJWT jwt = SignedJWT.parse(form.get("client_assertion"));
                // The tool's keys, from the tool itself, as a platform configured with its JWKS URL fetches them.
                JWKSet toolKeys = JWKSet.parse(RestAssured.given().get("/lti/jwks").then().statusCode(200).extract().asString());
                var key = toolKeys.getKeyByKeyId(jwt.getHeader().getKeyID());
                claims = jwt.getJWTClaimsSet();
                Instant now = Instant.now();
                if (key == null) {
                    problem = "kid " + jwt.getHeader().getKeyID() + " not in the tool's /lti/jwks";
                } else if (!jwt.verify(new RSASSAVerifier((RSAKey) key))) {
                    problem = "signature does not verify against /lti/jwks";
                } else if (!lms.clientId.equals(claims.getIssuer()) || !lms.clientId.equals(claims.getSubject())) {
                    problem = "iss " + claims.getIssuer() + " / sub " + claims.getSubject();
                } else if (!claims.getAudience().contains(lms.url("/token"))) {
                    problem = "aud " + claims.getAudience();
                } else if (claims.getExpirationTime() == null || claims.getExpirationTime().before(Date.from(now))
                        || claims.getExpirationTime().after(Date.from(now.plusSeconds(301)))) {
                    problem = "exp " + claims.getExpirationTime();
                } else if (claims.getIssueTime() == null) {
                    problem = "no iat";
                } else if (claims.getJWTID() == null || !seenJtis.add(claims.getJWTID())) {
                    problem = "jti missing or replayed: " + claims.getJWTID();
                }
            }
        } catch (Exception e) {
            problem = "unreadable assertion: " + e;
        }
        tokenRequests.add(new TokenRequest(form, claims, problem));
        if (problem != null) {
            FakePlatform.respond(exchange, 400, "application/json", "{\"error\":\"invalid_client\",\"error_description\":\"" + problem.replace("\"", "'") + "\"}");
            return;
        }
        String token = "token-" + tokenCount.incrementAndGet();
        tokens.put(token, Set.of(form.getOrDefault("scope", "").split(" ")));
        FakePlatform.respond(exchange, 200, "application/json", JSON.writeValueAsString(Map.of("access_token", token, "token_type", "Bearer",
                "expires_in", 3600, "scope", form.getOrDefault("scope", ""))));
    }

    private boolean authorized(HttpExchange exchange, String scope) {
        String auth = exchange.getRequestHeaders().getFirst("Authorization");
        if (auth == null || !auth.startsWith("Bearer ")) {
            return false;
        }
        Set<String> granted = tokens.get(auth.substring("Bearer ".length()));
        return granted != null && granted.contains(scope);
    }

    private void contexts(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        Matcher m;
        if ((m = SCORES.matcher(path)).matches()) {
            score(exchange, m.group(1), m.group(2));
        } else if ((m = LINEITEMS.matcher(path)).matches()) {
            lineItems(exchange, m.group(1));
        } else if ((m = MEMBERSHIPS.matcher(path)).matches()) {
            memberships(exchange, m.group(1));
        } else {
            FakePlatform.respond(exchange, 404, "text/plain", "no such endpoint " + path);
        }
    }

    private void score(HttpExchange exchange, String context, String lineitem) throws IOException {
        if (!authorized(exchange, SCORE_SCOPE)) {
            FakePlatform.respond(exchange, 401, "application/json", "{\"error\":\"invalid_token\"}");
            return;
        }
        Integer scripted = scoreAnswers.poll();
        int status = scripted == null ? 200 : scripted;
        byte[] body = (byte[]) exchange.getAttribute("body");
        scores.add(new ScorePost(context, lineitem, exchange.getRequestURI().getRawQuery(), exchange.getRequestHeaders().getFirst("Content-Type"),
                exchange.getRequestHeaders().getFirst("Authorization").substring("Bearer ".length()), JSON.readTree(body), status));
        FakePlatform.respond(exchange, status, "application/json", status < 300 ? "" : "{\"error\":\"scripted " + status + "\"}");
    }

    /** GET: one item a page (so that finding one follows the pages), filtered by resource_id; POST: a new line item. */
    private void lineItems(HttpExchange exchange, String context) throws IOException {
        List<LineItem> items = lineItems.computeIfAbsent(context, c -> new CopyOnWriteArrayList<>());
        if (exchange.getRequestMethod().equals("POST")) {
            if (!authorized(exchange, LINEITEM_SCOPE) || !"application/vnd.ims.lis.v2.lineitem+json".equals(exchange.getRequestHeaders().getFirst("Content-Type"))) {
                FakePlatform.respond(exchange, 401, "application/json", "{\"error\":\"invalid_token or media type\"}");
                return;
            }
            JsonNode body = JSON.readTree((byte[]) exchange.getAttribute("body"));
            var item = new LineItem(lineitemsUrl(context) + "/" + lineItemIds.incrementAndGet(), body.path("resourceId").asText(null),
                    body.path("label").asText(null), body.path("scoreMaximum").asInt());
            items.add(item);
            created.add(item);
            FakePlatform.respond(exchange, 201, "application/vnd.ims.lis.v2.lineitem+json", JSON.writeValueAsString(view(item)));
            return;
        }
        if (!authorized(exchange, LINEITEM_SCOPE)) {
            FakePlatform.respond(exchange, 401, "application/json", "{\"error\":\"invalid_token\"}");
            return;
        }
        Map<String, String> q = FakePlatform.query(exchange.getRequestURI().getRawQuery());
        // This platform ignores resource_id (some do): the tool must look at each item's resourceId itself.
        int page = Integer.parseInt(q.getOrDefault("page", "1"));
        List<Map<String, Object>> body = page <= items.size() ? List.of(view(items.get(page - 1))) : List.of();
        if (page < items.size()) {
            exchange.getResponseHeaders().add("Link", "<" + lineitemsUrl(context) + "?resource_id=" + q.get("resource_id") + "&page=" + (page + 1)
                    + ">; rel=\"next\"");
        }
        FakePlatform.respond(exchange, 200, "application/vnd.ims.lis.v2.lineitemcontainer+json", JSON.writeValueAsString(body));
    }

    private static Map<String, Object> view(LineItem item) {
        var v = new LinkedHashMap<String, Object>();
        v.put("id", item.id());
        v.put("scoreMaximum", item.scoreMaximum());
        v.put("label", item.label());
        if (item.resourceId() != null) {
            v.put("resourceId", item.resourceId());
        }
        return v;
    }

    private void memberships(HttpExchange exchange, String context) throws IOException {
        if (!authorized(exchange, MEMBERSHIPS_SCOPE)) {
            FakePlatform.respond(exchange, 401, "application/json", "{\"error\":\"invalid_token\"}");
            return;
        }
        if (!"application/vnd.ims.lti-nrps.v2.membershipcontainer+json".equals(exchange.getRequestHeaders().getFirst("Accept"))) {
            FakePlatform.respond(exchange, 406, "text/plain", "Accept " + exchange.getRequestHeaders().getFirst("Accept"));
            return;
        }
        if (membershipsStatus != 200) {
            FakePlatform.respond(exchange, membershipsStatus, "application/json", "{\"error\":\"scripted " + membershipsStatus + "\"}");
            return;
        }
        List<List<Map<String, Object>>> pages = memberships.getOrDefault(context, List.of(List.of()));
        int page = Integer.parseInt(FakePlatform.query(exchange.getRequestURI().getRawQuery()).getOrDefault("page", "1"));
        if (page < pages.size()) {
            // Relative, as a platform may send it: the tool resolves it against the page it read.
            exchange.getResponseHeaders().add("Link", "<memberships?page=" + (page + 1) + ">; rel=\"next\"");
        }
        var container = new LinkedHashMap<String, Object>();
        container.put("id", lms.url("/contexts/" + context + "/memberships"));
        container.put("context", Map.of("id", context, "title", "Course " + context));
        container.put("members", page <= pages.size() ? pages.get(page - 1) : new ArrayList<>());
        FakePlatform.respond(exchange, 200, "application/vnd.ims.lti-nrps.v2.membershipcontainer+json", JSON.writeValueAsString(container));
    }

    @Override
    public void close() {
        lms.close();
    }
}
