package dev.labprovisioner.sandbox;

import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.client.utils.Serialization;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The imitation's answer to TokenRequest and RBAC for learners: a token it issues for a ServiceAccount is confined to
 * that ServiceAccount's namespace and to the rules of {@code k8s/clusterrole-learner.yaml}, the very file a real cluster
 * binds there (read from the classpath), evaluated as the RBAC authorizer does (API group, resource and subresource,
 * verb, resource name). Anything else is 403 with the API server's message, and a token whose ServiceAccount is gone
 * (the lab torn down) or that has expired is 401. Requests without a token are the sandbox's own (the service, the
 * simulator) and are not confined: the imitation listens on loopback.
 */
final class LearnerTokens {

    /** {@code /api/v1/...} or {@code /apis/GROUP/VERSION/...}, then an optional namespace, the resource, a name, a subresource. */
    private static final Pattern RESOURCE_PATH = Pattern.compile(
            "/(?:api/v1|apis/([a-z0-9.-]+)/v[0-9a-z]+)(?:/namespaces/([a-z0-9-]+))?/([a-z]+)(?:/([^/]+)(?:/([a-z]+))?)?");
    private static final Pattern DISCOVERY_PATH = Pattern.compile(
            "/(api|apis|api/v1|apis/[a-z0-9.-]+|apis/[a-z0-9.-]+/v[0-9a-z]+|version|openapi/.*|healthz|livez|readyz)/?");

    record Subject(String namespace, String account, Instant expires) {
        String username() {
            return "system:serviceaccount:" + namespace + ":" + account;
        }
    }

    /** An answer the API server would give instead of serving the request. */
    record Refusal(int code, String reason, String message) {
    }

    private final Map<String, Subject> tokens = new ConcurrentHashMap<>();
    private final List<PolicyRule> rules = learnerRules();
    private final SecureRandom random = new SecureRandom();

    String issue(String namespace, String account, long seconds) {
        String token = "tokenrequest-" + HexFormat.of().formatHex(random.generateSeed(24));
        tokens.put(token, new Subject(namespace, account, Instant.now().plusSeconds(seconds)));
        return token;
    }

    /**
     * Null when the request may be served; otherwise the 401 or 403 to answer. {@code accountExists} answers whether
     * a namespace's ServiceAccount still exists.
     */
    Refusal check(String method, String pathAndQuery, String authorization, java.util.function.BiPredicate<String, String> accountExists) {
        if (authorization == null || !authorization.startsWith("Bearer ")) {
            return null;
        }
        Subject subject = tokens.get(authorization.substring("Bearer ".length()).trim());
        if (subject == null) {
            // a token the imitation did not issue: only the sandbox's own clients go without one
            return new Refusal(401, "Unauthorized", "Unauthorized");
        }
        if (subject.expires().isBefore(Instant.now()) || !accountExists.test(subject.namespace(), subject.account())) {
            tokens.remove(authorization.substring("Bearer ".length()).trim());
            return new Refusal(401, "Unauthorized", "Unauthorized");
        }
        int q = pathAndQuery.indexOf('?');
        String path = q < 0 ? pathAndQuery : pathAndQuery.substring(0, q);
        String query = q < 0 ? "" : pathAndQuery.substring(q + 1);
        if (DISCOVERY_PATH.matcher(path).matches()) {
            return "GET".equals(method) ? null : forbidden(subject, method.toLowerCase(java.util.Locale.ROOT), path, null, "");
        }
        Matcher m = RESOURCE_PATH.matcher(path);
        if (!m.matches()) {
            return forbidden(subject, method.toLowerCase(java.util.Locale.ROOT), path, null, "");
        }
        String group = m.group(1) == null ? "" : m.group(1);
        String namespace = m.group(2); // null: cluster-scoped (a namespace itself is "namespaces", named)
        String resource = m.group(3);
        String name = m.group(4);
        String subresource = m.group(5);
        String verb = verb(method, name, query);
        String full = subresource == null ? resource : resource + "/" + subresource;
        if (namespace == null || !namespace.equals(subject.namespace()) || !allowed(group, full, verb, name)) {
            return forbidden(subject, verb, full, group, namespace);
        }
        return null;
    }

    private boolean allowed(String group, String resource, String verb, String name) {
        Predicate<List<String>> has = values -> values != null && (values.contains("*"));
        for (PolicyRule rule : rules) {
            boolean groupMatches = has.test(rule.getApiGroups()) || rule.getApiGroups().contains(group);
            boolean resourceMatches = has.test(rule.getResources()) || rule.getResources().contains(resource);
            boolean verbMatches = has.test(rule.getVerbs()) || rule.getVerbs().contains(verb);
            boolean nameMatches = rule.getResourceNames() == null || rule.getResourceNames().isEmpty()
                    || name != null && rule.getResourceNames().contains(name);
            if (groupMatches && resourceMatches && verbMatches && nameMatches) {
                return true;
            }
        }
        return false;
    }

    private static String verb(String method, String name, String query) {
        return switch (method) {
            case "GET" -> name != null ? "get" : query.matches("(.*&)?watch=(true|1)(&.*)?") ? "watch" : "list";
            case "POST" -> "create";
            case "PUT" -> "update";
            case "PATCH" -> "patch";
            case "DELETE" -> name != null ? "delete" : "deletecollection";
            default -> method.toLowerCase(java.util.Locale.ROOT);
        };
    }

    /** The API server's words: {@code pods is forbidden: User "..." cannot list resource "pods" in API group "" in the namespace "x"}. */
    private static Refusal forbidden(Subject subject, String verb, String resource, String group, String namespace) {
        String where = namespace == null || namespace.isEmpty() ? " at the cluster scope" : " in the namespace \"" + namespace + "\"";
        String what = group == null ? "path \"" + resource + "\"" : "resource \"" + resource + "\" in API group \"" + group + "\"";
        return new Refusal(403, "Forbidden", resource + " is forbidden: User \"" + subject.username() + "\" cannot " + verb + " "
                + what + where);
    }

    private static List<PolicyRule> learnerRules() {
        try (InputStream in = LearnerTokens.class.getResourceAsStream("/deploy/k8s/clusterrole-learner.yaml")) {
            if (in == null) {
                throw new IllegalStateException("k8s/clusterrole-learner.yaml is not on the classpath (the build copies it to deploy/k8s/)");
            }
            return Serialization.unmarshal(in, ClusterRole.class).getRules();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
