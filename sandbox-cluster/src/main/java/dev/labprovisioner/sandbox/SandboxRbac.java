package dev.labprovisioner.sandbox;

import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.client.utils.Serialization;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The imitation's RBAC authorizer: what a request asks for (verb, API group, resource and subresource, namespace, name),
 * as the API server's request-info resolver reads it from the path, checked against the rules of the ClusterRoles the
 * project ships ({@code k8s/clusterrole*.yaml}, the files a real cluster applies, read from the classpath). The rules
 * are evaluated as the RBAC authorizer does; the API server's 403 message is reproduced.
 */
final class SandboxRbac {

    /** {@code /api/v1/...} or {@code /apis/GROUP/VERSION/...}, then an optional namespace, the resource, a name, a subresource. */
    private static final Pattern RESOURCE_PATH = Pattern.compile(
            "/(?:api/v1|apis/([a-z0-9.-]+)/v[0-9a-z]+)(?:/namespaces/([a-z0-9-]+))?/([a-z]+)(?:/([^/]+)(?:/([a-z]+))?)?");
    /** What every authenticated user may GET (system:discovery, system:basic-user). */
    private static final Pattern DISCOVERY_PATH = Pattern.compile(
            "/(api|apis|api/v1|apis/[a-z0-9.-]+|apis/[a-z0-9.-]+/v[0-9a-z]+|version|openapi/.*|healthz|livez|readyz)/?");

    /** The ClusterRoles the project ships, by name: the service's, the service's inside a lab, the learner's. */
    static final Map<String, List<PolicyRule>> CLUSTER_ROLES = Map.of(
            "lab-provisioner", rules("clusterrole.yaml"),
            "lab-provisioner-lab", rules("clusterrole-lab.yaml"),
            "lab-provisioner-learner", rules("clusterrole-learner.yaml"));

    /**
     * What a request asks for. {@code namespace} is null for a cluster-scoped request (a namespace itself is the
     * cluster-scoped resource "namespaces", named); {@code resource} carries the subresource ("pods/exec").
     * {@code nonResourcePath} is set (and the rest null) for a path that names no resource.
     */
    record Request(String verb, String group, String namespace, String resource, String name, String nonResourcePath) {

        static Request of(String method, String pathAndQuery) {
            int q = pathAndQuery.indexOf('?');
            String path = q < 0 ? pathAndQuery : pathAndQuery.substring(0, q);
            String query = q < 0 ? "" : pathAndQuery.substring(q + 1);
            Matcher m = RESOURCE_PATH.matcher(path);
            if (DISCOVERY_PATH.matcher(path).matches() || !m.matches()) {
                return new Request(method.toLowerCase(Locale.ROOT), null, null, null, null, path);
            }
            String name = m.group(4);
            String verb = switch (method) {
                case "GET" -> name != null ? "get" : isWatch(query) ? "watch" : "list";
                case "POST" -> "create";
                case "PUT" -> "update";
                case "PATCH" -> "patch";
                case "DELETE" -> name != null ? "delete" : "deletecollection";
                default -> method.toLowerCase(Locale.ROOT);
            };
            String resource = m.group(5) == null ? m.group(3) : m.group(3) + "/" + m.group(5);
            return new Request(verb, m.group(1) == null ? "" : m.group(1), m.group(2), resource, name, null);
        }

        boolean isDiscovery() {
            return nonResourcePath != null && DISCOVERY_PATH.matcher(nonResourcePath).matches();
        }
    }

    private SandboxRbac() {
    }

    /** {@code watch=true} as the API server reads it (strconv.ParseBool: the Python client sends "True"). */
    static boolean isWatch(String query) {
        for (String pair : query.split("&")) {
            if (pair.startsWith("watch=")) {
                return switch (pair.substring("watch=".length())) {
                    case "1", "t", "T", "true", "TRUE", "True" -> true;
                    default -> false;
                };
            }
        }
        return false;
    }

    /** Whether one of the rules grants the request (a discovery GET is granted to everyone authenticated). */
    static boolean allows(List<PolicyRule> rules, Request request) {
        if (request.nonResourcePath() != null) {
            return request.isDiscovery() && "get".equals(request.verb());
        }
        for (PolicyRule rule : rules) {
            if (matches(rule.getApiGroups(), request.group()) && matches(rule.getResources(), request.resource())
                    && matches(rule.getVerbs(), request.verb())
                    && (rule.getResourceNames() == null || rule.getResourceNames().isEmpty()
                    || request.name() != null && rule.getResourceNames().contains(request.name()))) {
                return true;
            }
        }
        return false;
    }

    private static boolean matches(List<String> values, String value) {
        return values != null && (values.contains("*") || values.contains(value));
    }

    /** The API server's words: {@code pods is forbidden: User "..." cannot list resource "pods" in API group "" in the namespace "x"}. */
    static LearnerTokens.Refusal forbidden(String username, Request request) {
        String where = request.namespace() == null ? " at the cluster scope" : " in the namespace \"" + request.namespace() + "\"";
        if (request.nonResourcePath() != null) {
            return new LearnerTokens.Refusal(403, "Forbidden", "forbidden: User \"" + username + "\" cannot " + request.verb()
                    + " path \"" + request.nonResourcePath() + "\"");
        }
        String name = request.name() == null ? "" : " \"" + request.name() + "\"";
        String resource = request.group().isEmpty() ? request.resource() : request.resource() + "." + request.group();
        return new LearnerTokens.Refusal(403, "Forbidden", resource + name + " is forbidden: User \"" + username + "\" cannot "
                + request.verb() + " resource \"" + request.resource() + "\" in API group \"" + request.group() + "\"" + where);
    }

    static List<PolicyRule> rules(String file) {
        try (InputStream in = SandboxRbac.class.getResourceAsStream("/deploy/k8s/" + file)) {
            if (in == null) {
                throw new IllegalStateException("k8s/" + file + " is not on the classpath (the build copies it to deploy/k8s/)");
            }
            return Serialization.unmarshal(in, ClusterRole.class).getRules();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
