package dev.labprovisioner.lti.ags;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.labprovisioner.lti.registration.LtiRegistration;
import dev.labprovisioner.lti.services.AdvantageServices;
import dev.labprovisioner.lti.services.NextPage;
import dev.labprovisioner.lti.services.PlatformCalls;
import dev.labprovisioner.lti.services.PlatformFailure;
import dev.labprovisioner.lti.services.PlatformHttp;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The line item a score goes to. A launch that gave one ({@code lineitem}) names it; one that gave only the context's
 * container ({@code lineitems}) has it found there ({@code GET ?resource_id=<template>}, following {@code rel="next"})
 * or made ({@code POST} with {@code scoreMaximum}, {@code label}, {@code resourceId} = the template), once per
 * (registration, context, template): the answer is kept in {@code lti_line_items}, and the finding is serialized across
 * replicas, so that a class posting at once makes one gradebook column, not thirty.
 */
@ApplicationScoped
public class LineItems {

    private static final Logger LOG = Logger.getLogger(LineItems.class);
    /** Pages of a container read before giving up (a platform that pages for ever must not hold a sender). */
    static final int MAX_PAGES = 20;
    /** How long the lock on one (registration, context, template) may be held across a platform's pages and a create. */
    private static final int FIND_TIMEOUT_SECONDS = 300;

    private final PlatformCalls calls;
    private final PlatformHttp http;
    private final ObjectMapper json;
    private final EntityManager em;

    LineItems(PlatformCalls calls, PlatformHttp http, ObjectMapper json, EntityManager em) {
        this.calls = calls;
        this.http = http;
        this.json = json;
        this.em = em;
    }

    /** Where the score goes; {@code found}: through the container (so a 404 there means the column was deleted). */
    public record LineItem(String url, boolean found) {
    }

    public LineItem resolve(LtiRegistration registration, ScoreDelivery delivery) throws PlatformFailure {
        if (delivery.lineitem() != null) {
            return new LineItem(delivery.lineitem(), false);
        }
        Optional<String> cached = QuarkusTransaction.requiringNew().call(() -> cached(delivery));
        if (cached.isPresent()) {
            return new LineItem(cached.get(), true);
        }
        try {
            return new LineItem(QuarkusTransaction.requiringNew().timeout(FIND_TIMEOUT_SECONDS).call(() -> {
                em.createNativeQuery("SELECT 1 FROM (SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))) l")
                        .setParameter("key", "lti-lineitem:" + delivery.registrationId() + ":" + delivery.contextId() + ":" + delivery.template())
                        .getSingleResult();
                Optional<String> meanwhile = cached(delivery);
                if (meanwhile.isPresent()) {
                    return meanwhile.get(); // another sender found or made it while this one waited
                }
                try {
                    return findOrCreate(registration, delivery);
                } catch (PlatformFailure e) {
                    throw new Failed(e);
                }
            }), true);
        } catch (RuntimeException e) {
            Throwable cause = e;
            while (cause != null && !(cause instanceof Failed)) {
                cause = cause.getCause();
            }
            if (cause instanceof Failed failed) {
                throw failed.failure;
            }
            throw e;
        }
    }

    /** Forgets a found line item (the platform no longer has it): the next score finds or makes it again. */
    public void forget(ScoreDelivery delivery) {
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery(
                        "DELETE FROM lti_line_items WHERE registration_id = :r AND context_id = :c AND template = :t")
                .setParameter("r", delivery.registrationId()).setParameter("c", delivery.contextId()).setParameter("t", delivery.template())
                .executeUpdate());
    }

    /** Carries a platform failure out of a transaction's lambda (rolled back: nothing is kept). */
    private static final class Failed extends RuntimeException {
        final PlatformFailure failure;

        Failed(PlatformFailure failure) {
            super(failure.getMessage(), null, false, false);
            this.failure = failure;
        }
    }

    @SuppressWarnings("unchecked")
    private Optional<String> cached(ScoreDelivery delivery) {
        List<String> rows = em.createNativeQuery("""
                        SELECT lineitem_url FROM lti_line_items
                        WHERE registration_id = :r AND context_id = :c AND template = :t AND lineitems_url = :container""")
                .setParameter("r", delivery.registrationId()).setParameter("c", delivery.contextId())
                .setParameter("t", delivery.template()).setParameter("container", delivery.lineitems()).getResultList();
        return rows.stream().findFirst();
    }

    private String findOrCreate(LtiRegistration registration, ScoreDelivery delivery) throws PlatformFailure {
        boolean created = false;
        String url = find(registration, delivery).orElse(null);
        if (url == null) {
            url = create(registration, delivery);
            created = true;
        }
        em.createNativeQuery("""
                        INSERT INTO lti_line_items (registration_id, context_id, template, lineitems_url, lineitem_url, created_by_tool, created_at)
                        VALUES (:r, :c, :t, :container, :url, :created, :now)
                        ON CONFLICT (registration_id, context_id, template) DO UPDATE SET
                            lineitems_url = EXCLUDED.lineitems_url, lineitem_url = EXCLUDED.lineitem_url,
                            created_by_tool = EXCLUDED.created_by_tool, created_at = EXCLUDED.created_at""")
                .setParameter("r", delivery.registrationId()).setParameter("c", delivery.contextId()).setParameter("t", delivery.template())
                .setParameter("container", delivery.lineitems()).setParameter("url", url).setParameter("created", created)
                .setParameter("now", Timestamp.from(Instant.now())).executeUpdate();
        LOG.infof("LTI line item of registration %s, context '%s', template %s: %s %s", delivery.registrationId(), delivery.contextId(),
                delivery.template(), created ? "made" : "found", url);
        return url;
    }

    /** The container's line item whose {@code resourceId} is the template, following the pages. */
    private Optional<String> find(LtiRegistration registration, ScoreDelivery delivery) throws PlatformFailure {
        URI page = withQuery(http.url("line items container", delivery.lineitems()), "resource_id", delivery.template());
        for (int pages = 0; pages < MAX_PAGES && page != null; pages++) {
            URI current = http.url("line items container", page.toString());
            PlatformHttp.Answer answer = calls.call(registration, delivery.scopes(),
                    () -> HttpRequest.newBuilder(current).header("Accept", AdvantageServices.LINEITEM_CONTAINER).GET(), "line items container");
            if (!answer.ok()) {
                throw failure(answer, "listing the line items of " + current);
            }
            JsonNode items = parse(answer, "line items container");
            if (!items.isArray()) {
                throw PlatformFailure.unusable("The platform's line items container answered something that is not a JSON array");
            }
            for (JsonNode item : items) {
                if (delivery.template().equals(item.path("resourceId").asText(null)) && item.hasNonNull("id")) {
                    return Optional.of(item.path("id").asText());
                }
            }
            page = NextPage.of(current, answer.headers()).orElse(null);
        }
        return Optional.empty();
    }

    private String create(LtiRegistration registration, ScoreDelivery delivery) throws PlatformFailure {
        if (!delivery.scopes().contains(AdvantageServices.SCOPE_LINEITEM)) {
            throw PlatformFailure.unusable("The context has no line item for lab " + delivery.template() + ", and the platform did not grant "
                    + "the scope to make one (" + AdvantageServices.SCOPE_LINEITEM + ")");
        }
        var body = new LinkedHashMap<String, Object>();
        body.put("scoreMaximum", delivery.score().scoreMaximum());
        body.put("label", delivery.label());
        body.put("resourceId", delivery.template());
        String text;
        try {
            text = json.writeValueAsString(body);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        URI container = http.url("line items container", delivery.lineitems());
        PlatformHttp.Answer answer = calls.call(registration, delivery.scopes(), () -> HttpRequest.newBuilder(container)
                .header("Content-Type", AdvantageServices.LINEITEM).header("Accept", AdvantageServices.LINEITEM)
                .POST(HttpRequest.BodyPublishers.ofString(text)), "line items container");
        if (!answer.ok()) {
            throw failure(answer, "making a line item in " + container);
        }
        JsonNode item = parse(answer, "line items container");
        String id = item.path("id").asText("");
        if (id.isBlank()) {
            throw PlatformFailure.unusable("The platform made a line item but answered no 'id' for it");
        }
        return id;
    }

    private JsonNode parse(PlatformHttp.Answer answer, String what) throws PlatformFailure {
        try {
            return json.readTree(answer.body());
        } catch (IOException e) {
            throw PlatformFailure.unusable("The platform's " + what + " answered something that is not JSON");
        }
    }

    static PlatformFailure failure(PlatformHttp.Answer answer, String doing) {
        return new PlatformFailure(answer.status(), "The platform answered " + answer.status() + " " + doing
                + (answer.body().isBlank() ? "" : ": " + answer.excerpt()), false, answer.retryAfter());
    }

    /** {@code url} with one more query parameter (after any it has). */
    static URI withQuery(URI url, String name, String value) {
        String s = url.toString();
        int hash = s.indexOf('#');
        String base = hash < 0 ? s : s.substring(0, hash);
        return URI.create(base + (base.contains("?") ? "&" : "?") + URLEncoder.encode(name, StandardCharsets.UTF_8) + "="
                + URLEncoder.encode(value, StandardCharsets.UTF_8));
    }

    /** The line item's scores endpoint: {@code /scores} added to its path, before any query string (AGS 2.0 §3.4). */
    public static String scoresUrl(String lineitem) {
        int query = lineitem.indexOf('?');
        String path = query < 0 ? lineitem : lineitem.substring(0, query);
        String rest = query < 0 ? "" : lineitem.substring(query);
        return (path.endsWith("/") ? path.substring(0, path.length() - 1) : path) + "/scores" + rest;
    }
}
