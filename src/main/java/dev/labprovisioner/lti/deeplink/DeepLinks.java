package dev.labprovisioner.lti.deeplink;

import com.nimbusds.jwt.JWTClaimsSet;
import dev.labprovisioner.config.LabsConfig;
import dev.labprovisioner.lti.LtiClaims;
import dev.labprovisioner.lti.LtiRefusal;
import dev.labprovisioner.lti.keys.ToolKeys;
import dev.labprovisioner.lti.registration.LtiRegistration;
import dev.labprovisioner.lti.registration.PlatformUrls;
import dev.labprovisioner.lti.registration.ToolUrls;
import dev.labprovisioner.problem.ProblemException;
import dev.labprovisioner.template.LabTemplate;
import dev.labprovisioner.template.LabTemplateCatalog;
import io.agroal.api.AgroalDataSource;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;

import java.net.URI;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Collection;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Deep Linking 2.0: an {@code LtiDeepLinkingRequest} is kept server-side (one use, expiring, no cookie) while the catalog
 * is shown; the choice goes back to the platform's {@code deep_link_return_url} as a signed {@code LtiDeepLinkingResponse}
 * with one {@code ltiResourceLink}: the template as its custom parameter and a line item worth the lab's maximum score.
 */
@ApplicationScoped
public class DeepLinks {

    private static final SecureRandom RANDOM = new SecureRandom();
    /** How long the response JWT is good for: the browser posts it at once. */
    private static final Duration RESPONSE_LIFETIME = Duration.ofMinutes(5);

    private final AgroalDataSource dataSource;
    private final ToolKeys keys;
    private final ToolUrls urls;
    private final LabTemplateCatalog catalog;
    private final Duration timeout;
    private final PlatformUrls platformUrls;

    DeepLinks(AgroalDataSource dataSource, ToolKeys keys, ToolUrls urls, LabTemplateCatalog catalog, LabsConfig config,
              PlatformUrls platformUrls) {
        this.platformUrls = platformUrls;
        this.dataSource = dataSource;
        this.keys = keys;
        this.urls = urls;
        this.catalog = catalog;
        this.timeout = config.lti().loginTimeout();
    }

    /** A stored request: its id goes into the catalog's forms. */
    public record Request(String id, LtiRegistration registration, Collection<LabTemplate> templates) {
    }

    /** The signed response and where the browser posts it. */
    public record Response(URI returnUrl, String jwt, LabTemplate template) {
    }

    public Request start(LtiRegistration registration, JWTClaimsSet claims) {
        Map<String, Object> settings;
        try {
            settings = claims.getJSONObjectClaim(LtiClaims.DEEP_LINKING_SETTINGS);
        } catch (ParseException e) {
            settings = null;
        }
        if (settings == null || !(settings.get("deep_link_return_url") instanceof String returnUrl)) {
            throw LtiRefusal.badRequest("The deep-linking request has no deep_link_return_url.");
        }
        URI target = returnUrl(returnUrl);
        if (settings.get("accept_types") instanceof List<?> types && !types.contains("ltiResourceLink")) {
            throw LtiRefusal.badRequest("The LMS accepts no LTI resource links here (accept_types " + types + "); this tool offers only those.");
        }
        String data = settings.get("data") instanceof String d ? d : null;
        String deployment = (String) claims.getClaim(LtiClaims.DEPLOYMENT_ID);
        String id = random();
        Instant now = Instant.now();
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement("""
                INSERT INTO lti_deep_link_requests (id, registration_id, deployment_id, return_url, data, created_at, expires_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)""")) {
            s.setString(1, id);
            s.setObject(2, registration.id);
            s.setString(3, deployment);
            s.setString(4, target.toString());
            s.setString(5, data);
            s.setTimestamp(6, Timestamp.from(now));
            s.setTimestamp(7, Timestamp.from(now.plus(timeout)));
            s.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot store the deep-linking request", e);
        }
        return new Request(id, registration, catalog.all());
    }

    /** The choice, signed for the platform; the request is used up. */
    public Response choose(String requestId, String templateId) {
        LabTemplate template = catalog.find(templateId == null ? "" : templateId).orElseThrow(() -> LtiRefusal.badRequest(
                "Unknown lab template '" + templateId + "'; choose one of the catalog."));
        Stored stored = take(requestId);
        LtiRegistration registration = QuarkusTransaction.joiningExisting().call(() -> LtiRegistration.byId(stored.registrationId()))
                .orElseThrow(() -> LtiRefusal.badRequest("The LTI registration of this request was removed."));
        var item = new LinkedHashMap<String, Object>();
        item.put("type", "ltiResourceLink");
        item.put("title", template.title());
        item.put("text", template.description());
        item.put("url", urls.launch());
        item.put("custom", Map.of(LtiClaims.CUSTOM_TEMPLATE, template.id()));
        item.put("lineItem", Map.of("scoreMaximum", template.maxScore(), "label", template.title(), "resourceId", template.id()));
        Instant now = Instant.now();
        var claims = new JWTClaimsSet.Builder()
                .issuer(registration.clientId)
                .audience(registration.issuer)
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(RESPONSE_LIFETIME)))
                .jwtID(UUID.randomUUID().toString())
                .claim("nonce", random())
                .claim(LtiClaims.DEPLOYMENT_ID, stored.deploymentId())
                .claim(LtiClaims.MESSAGE_TYPE, LtiClaims.DEEP_LINKING_RESPONSE)
                .claim(LtiClaims.VERSION, LtiClaims.LTI_VERSION)
                .claim(LtiClaims.DL_CONTENT_ITEMS, List.of(item));
        if (stored.data() != null) {
            claims.claim(LtiClaims.DL_DATA, stored.data());
        }
        return new Response(stored.returnUrl(), keys.sign(claims.build()), template);
    }

    private record Stored(UUID registrationId, String deploymentId, URI returnUrl, String data) {
    }

    private Stored take(String requestId) {
        if (requestId == null || requestId.isEmpty() || requestId.length() > 64) {
            throw unknown();
        }
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement("""
                DELETE FROM lti_deep_link_requests WHERE id = ? RETURNING registration_id, deployment_id, return_url, data, expires_at""")) {
            s.setString(1, requestId);
            try (ResultSet r = s.executeQuery()) {
                if (!r.next() || r.getTimestamp(5).toInstant().isBefore(Instant.now())) {
                    throw unknown();
                }
                return new Stored(r.getObject(1, UUID.class), r.getString(2), URI.create(r.getString(3)), r.getString(4));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot read the deep-linking request", e);
        }
    }

    private static LtiRefusal unknown() {
        return LtiRefusal.badRequest("This choice belongs to a catalog that is unknown, already used or expired. Open the tool's "
                + "catalog again from the LMS.");
    }

    /** The platform's URL rule (https; plain http to loopback only where allowed): the signed response travels there. */
    private URI returnUrl(String url) {
        try {
            return platformUrls.check("deep_link_return_url", url);
        } catch (ProblemException e) {
            throw LtiRefusal.badRequest("The deep-linking request's deep_link_return_url is refused: " + e.problem().detail());
        }
    }

    private static String random() {
        byte[] bytes = new byte[24];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
